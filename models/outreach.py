"""Outreach: sender profiles, template overrides, drafts, the pipeline, sequences, the
outbox and opt-outs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

# A one-off compliance fix that has not gone out yet (queued, or being sent).
_FIX_WAITING = "kind = 'compliance_fix' AND status IN ('queued', 'sending')"

__all__ = [
    "MESSAGE_KINDS",
    "MESSAGE_STATUSES",
    "STAGES",
    "Draft",
    "OptOut",
    "OutboxMessage",
    "PipelineEntry",
    "SenderProfile",
    "SequenceConfig",
    "TemplateOverride",
]

# Where a creator stands with a campaign. opted_out holds for every campaign of the
# organisation (see OptOut).
STAGES: tuple[str, ...] = (
    "prospect",
    "contacted",
    "replied",
    "negotiating",
    "contracted",
    "declined",
    "opted_out",
)
# queued -> sending -> sent | dry_run | failed; sent -> bounced. "sending" is written before
# the SMTP call and never retried automatically: a crash there must not send twice.
MESSAGE_STATUSES: tuple[str, ...] = ("queued", "sending", "sent", "dry_run", "failed", "bounced")
# sequence: a step of a campaign's sequence (it has a pipeline entry); compliance_fix: a
# reviewer's one-off e-mail with the suggested fix of a compliance check.
MESSAGE_KINDS: tuple[str, ...] = ("sequence", "compliance_fix")


class SenderProfile(Base):
    """Who outreach e-mails come from (CAN-SPAM: a real postal address in every e-mail)."""

    __tablename__ = "sender_profiles"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True
    )
    sender_name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200))
    from_email: Mapped[str] = mapped_column(String(320))
    reply_to: Mapped[str] = mapped_column(String(320))
    postal_address: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(2), default="US")
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TemplateOverride(Base):
    """An organisation's own version of one template, rendered in the sandbox."""

    __tablename__ = "template_overrides"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Draft(Base):
    """A rendered document for one creator of one campaign, with its gate result."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"))
    # email_intro | email_followup1 | email_followup2 | brief | contract_sponsored_post |
    # contract_gifting | contract_ambassador
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(300))
    markdown: Mapped[str] = mapped_column(Text)  # e-mails: the plain-text part
    html: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(JsonType)
    allowed: Mapped[bool]
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SequenceConfig(Base):
    """A campaign's outreach sequence: the first e-mail, then follow-ups after delays."""

    __tablename__ = "outreach_sequences"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), unique=True
    )
    # Days after the previous e-mail for followup1 and followup2.
    followup_days: Mapped[list[int]] = mapped_column(JsonType, default=lambda: [3, 7])
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PipelineEntry(Base):
    """One creator in one campaign: the stage and the sequence position."""

    __tablename__ = "pipeline_entries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "creator_id"),
        Index("ix_pipeline_due", "organization_id", "next_send_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20), default="prospect")
    # The next sequence step to send (0 = intro, 1, 2 = follow-ups; 3 = done) and when.
    next_step: Mapped[int] = mapped_column(Integer, default=0)
    next_send_at: Mapped[datetime | None] = mapped_column()
    # Why the sequence stopped (replied, opted out, bounced, declined, finished, ...).
    stopped_reason: Mapped[str | None] = mapped_column(String(40))
    # The matcher's reasons and the proposed compensation, captured when the creator was
    # added, so the e-mails say why they fit.
    reasons: Mapped[list[str]] = mapped_column(JsonType, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    stage_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """Every e-mail outreach sends (or, in dry-run mode, would send). (entry, step) is
    unique: a retry can never send the same step twice. A one-off e-mail (``kind``
    ``compliance_fix``) has no pipeline entry; it is one row, sent at most once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("entry_id", "step"),
        Index("ix_outbox_org_sent", "organization_id", "sent_at"),
        Index("ix_outbox_kind_status", "kind", "status"),
        # At most one fix of a check to a creator waiting to go out: two clicks at the same
        # moment cannot both pass the service's look (OutreachService.send_compliance_fix).
        Index(
            "uq_outbox_fix_waiting",
            "organization_id",
            "compliance_check_id",
            "creator_id",
            unique=True,
            sqlite_where=text(_FIX_WAITING),
            postgresql_where=text(_FIX_WAITING),
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40), default="sequence", server_default="sequence")
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_entries.id", ondelete="CASCADE")
    )
    step: Mapped[int] = mapped_column(Integer)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("creators.id", ondelete="CASCADE"), index=True
    )
    compliance_check_id: Mapped[int | None] = mapped_column(
        ForeignKey("compliance_checks.id", ondelete="SET NULL"), index=True
    )
    to_email: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    # A queued one-off e-mail goes out at the first run after this (a deferred retry waits).
    next_attempt_at: Mapped[datetime | None] = mapped_column()


class OptOut(Base):
    """A creator who asked for no more e-mail from this organisation: holds for every
    campaign, past and future."""

    __tablename__ = "opt_outs"
    __table_args__ = (UniqueConstraint("organization_id", "creator_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(40))  # unsubscribe_link | api | reply
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
