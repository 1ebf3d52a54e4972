"""Stored compliance checks, reviewer decisions, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

__all__ = [
    "MAX_POST_ID",
    "REVIEW_STATUSES",
    "VERDICT_PRIORITY",
    "AuditEvent",
    "ComplianceCheck",
    "reason_key_of",
]

# The longest post id a check keeps (compliance_checks.external_id); the API's schema and
# the pages check it before a check is stored.
MAX_POST_ID = 200
# The queue shows non-compliant checks first, then those needing review.
VERDICT_PRIORITY: dict[str, int] = {"non_compliant": 0, "needs_review": 1, "compliant": 2}
# pending: waits for a reviewer; not_required: compliant, nobody needs to look;
# confirmed (the post breaks the rules), cleared (the post is fine), overridden (another
# verdict): a reviewer decided. approved / rejected: decided with the deprecated decisions
# ``approve`` / ``reject``, which kept the checker's verdict without saying what it meant.
REVIEW_STATUSES: tuple[str, ...] = (
    "pending",
    "not_required",
    "confirmed",
    "cleared",
    "overridden",
    "approved",
    "rejected",
)


class ComplianceCheck(Base):
    """One post checked through the API, with the checker's result and the review state."""

    __tablename__ = "compliance_checks"
    __table_args__ = (
        Index("ix_compliance_checks_queue", "organization_id", "review_status", "priority", "id"),
        Index("ix_compliance_checks_org_created", "organization_id", "created_at"),
        Index("ix_compliance_checks_assignee", "organization_id", "assignee"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(MAX_POST_ID))
    platform: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    verdict: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int]
    reasons: Mapped[list[str]] = mapped_column(JsonType)
    # "|NO_DISCLOSURE|NOT_UPFRONT|": lets a reason-code filter be a portable LIKE on both
    # databases (as creators.category_key does for categories).
    reason_key: Mapped[str] = mapped_column(Text, default="")
    post: Mapped[dict[str, Any]] = mapped_column(JsonType)
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    checked_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    review_status: Mapped[str] = mapped_column(String(20))
    final_verdict: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # Who works on it: "user:<e-mail>" (a reviewer or admin) or "api-key:<prefix>".
    assignee: Mapped[str | None] = mapped_column(String(200))
    assigned_at: Mapped[datetime | None]
    # The creator who published the post, once a reviewer sent them the fix.
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("creators.id", ondelete="SET NULL"), index=True
    )


def reason_key_of(reasons: list[str] | tuple[str, ...]) -> str:
    """The ``reason_key`` of a check with these reason codes."""
    return "|" + "|".join(reasons) + "|" if reasons else ""


class AuditEvent(Base):
    """Who did what to which object, when, and what changed (append-only)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "organization_id", "subject_type", "subject_id"),
        Index("ix_audit_events_org_created", "organization_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(60))
    subject_id: Mapped[int]
    # {"field": [old, new], ...}
    changes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
