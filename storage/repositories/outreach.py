"""Queries on outreach: sender profiles, template overrides, drafts, the pipeline, the
outbox and opt-outs. Every method takes the organisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import (
    Draft,
    OptOut,
    OutboxMessage,
    PipelineEntry,
    SenderProfile,
    SequenceConfig,
    TemplateOverride,
)

__all__ = ["OutreachRepository", "PipelineEntryNotFoundError"]


class PipelineEntryNotFoundError(NotFoundError):
    def __init__(self, entry_id: int) -> None:
        super().__init__(f"pipeline entry {entry_id} not found")


class OutreachRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # sender, templates, drafts ------------------------------------------------------------

    def sender(self, organization_id: int) -> SenderProfile | None:
        return self.session.scalar(
            select(SenderProfile).where(SenderProfile.organization_id == organization_id)
        )

    def overrides(self, organization_id: int) -> list[TemplateOverride]:
        return list(
            self.session.scalars(
                select(TemplateOverride)
                .where(TemplateOverride.organization_id == organization_id)
                .order_by(TemplateOverride.name)
            )
        )

    def override(self, organization_id: int, name: str) -> TemplateOverride | None:
        return self.session.scalar(
            select(TemplateOverride).where(
                TemplateOverride.organization_id == organization_id,
                TemplateOverride.name == name,
            )
        )

    def draft(self, organization_id: int, draft_id: int) -> Draft | None:
        return self.session.scalar(
            select(Draft).where(Draft.organization_id == organization_id, Draft.id == draft_id)
        )

    def drafts(
        self,
        organization_id: int,
        *,
        campaign_id: int | None,
        creator_id: int | None,
        after_id: int | None,
        limit: int,
    ) -> list[Draft]:
        stmt = select(Draft).where(Draft.organization_id == organization_id)
        if campaign_id is not None:
            stmt = stmt.where(Draft.campaign_id == campaign_id)
        if creator_id is not None:
            stmt = stmt.where(Draft.creator_id == creator_id)
        if after_id is not None:
            stmt = stmt.where(Draft.id > after_id)
        return list(self.session.scalars(stmt.order_by(Draft.id).limit(limit)))

    # pipeline -----------------------------------------------------------------------------

    def sequence(self, organization_id: int, campaign_id: int) -> SequenceConfig | None:
        return self.session.scalar(
            select(SequenceConfig).where(
                SequenceConfig.organization_id == organization_id,
                SequenceConfig.campaign_id == campaign_id,
            )
        )

    def entry(self, organization_id: int, entry_id: int) -> PipelineEntry | None:
        return self.session.scalar(
            select(PipelineEntry).where(
                PipelineEntry.organization_id == organization_id, PipelineEntry.id == entry_id
            )
        )

    def entry_or_raise(self, organization_id: int, entry_id: int) -> PipelineEntry:
        entry = self.entry(organization_id, entry_id)
        if entry is None:
            raise PipelineEntryNotFoundError(entry_id)
        return entry

    def entry_for(
        self, organization_id: int, campaign_id: int, creator_id: int
    ) -> PipelineEntry | None:
        return self.session.scalar(
            select(PipelineEntry).where(
                PipelineEntry.organization_id == organization_id,
                PipelineEntry.campaign_id == campaign_id,
                PipelineEntry.creator_id == creator_id,
            )
        )

    def entries(
        self,
        organization_id: int,
        *,
        campaign_id: int | None = None,
        stage: str | None = None,
        after_id: int | None = None,
        limit: int | None = None,
    ) -> list[PipelineEntry]:
        stmt = select(PipelineEntry).where(PipelineEntry.organization_id == organization_id)
        if campaign_id is not None:
            stmt = stmt.where(PipelineEntry.campaign_id == campaign_id)
        if stage is not None:
            stmt = stmt.where(PipelineEntry.stage == stage)
        if after_id is not None:
            stmt = stmt.where(PipelineEntry.id > after_id)
        stmt = stmt.order_by(PipelineEntry.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))

    def entries_of_creator(self, organization_id: int, creator_id: int) -> list[PipelineEntry]:
        return list(
            self.session.scalars(
                select(PipelineEntry).where(
                    PipelineEntry.organization_id == organization_id,
                    PipelineEntry.creator_id == creator_id,
                )
            )
        )

    def due(self, now: datetime, *, organization_id: int | None = None) -> list[PipelineEntry]:
        """Entries whose next e-mail is due, oldest due first."""
        stmt = select(PipelineEntry).where(
            PipelineEntry.next_send_at.is_not(None), PipelineEntry.next_send_at <= now
        )
        if organization_id is not None:
            stmt = stmt.where(PipelineEntry.organization_id == organization_id)
        return list(self.session.scalars(stmt.order_by(PipelineEntry.next_send_at)))

    def contacted_creator_ids(self, organization_id: int, campaign_id: int) -> list[int]:
        """Creators of the campaign past the prospect stage (already written to)."""
        return list(
            self.session.scalars(
                select(PipelineEntry.creator_id).where(
                    PipelineEntry.organization_id == organization_id,
                    PipelineEntry.campaign_id == campaign_id,
                    PipelineEntry.stage != "prospect",
                )
            )
        )

    # outbox and opt-outs -------------------------------------------------------------------

    def message(self, entry_id: int, step: int) -> OutboxMessage | None:
        return self.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.entry_id == entry_id, OutboxMessage.step == step
            )
        )

    def one_off(self, organization_id: int, message_pk: int) -> OutboxMessage | None:
        """A one-off e-mail (no pipeline entry) of the organisation."""
        return self.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.organization_id == organization_id,
                OutboxMessage.id == message_pk,
                OutboxMessage.entry_id.is_(None),
            )
        )

    def waiting_fix(
        self, organization_id: int, check_id: int, creator_id: int
    ) -> OutboxMessage | None:
        """A compliance fix of ``check_id`` to ``creator_id`` that has not gone out yet
        (queued, or being sent)."""
        return self._waiting_fix(organization_id, check_id, creator_id)

    def _waiting_fix(
        self, organization_id: int, check_id: int, creator_id: int
    ) -> OutboxMessage | None:
        return self.session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.organization_id == organization_id,
                OutboxMessage.kind == "compliance_fix",
                OutboxMessage.compliance_check_id == check_id,
                OutboxMessage.creator_id == creator_id,
                OutboxMessage.status.in_(("queued", "sending")),
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        )

    def add_fix(self, message: OutboxMessage) -> OutboxMessage | None:
        """Add a one-off compliance fix unless the same fix (check and creator) is already
        waiting to go out: that one is returned then, and nothing is written. The database
        decides (a unique partial index), so two requests at the same moment write one row."""
        try:
            with self.session.begin_nested():
                self.session.add(message)
                self.session.flush()
        except IntegrityError:
            if message.compliance_check_id is None or message.creator_id is None:
                raise
            waiting = self._waiting_fix(
                message.organization_id, message.compliance_check_id, message.creator_id
            )
            if waiting is None:  # another constraint: not ours to explain
                raise
            return waiting
        return None

    def due_one_offs(
        self, now: datetime, *, organization_id: int | None = None
    ) -> list[OutboxMessage]:
        """Queued one-off e-mails whose time has come, oldest first."""
        stmt = select(OutboxMessage).where(
            OutboxMessage.kind != "sequence",
            OutboxMessage.status == "queued",
            OutboxMessage.next_attempt_at.is_not(None),
            OutboxMessage.next_attempt_at <= now,
        )
        if organization_id is not None:
            stmt = stmt.where(OutboxMessage.organization_id == organization_id)
        return list(self.session.scalars(stmt.order_by(OutboxMessage.id)))

    def claim_message(self, message_pk: int, status: str, now: datetime) -> bool:
        """Move a queued message to ``status`` unless someone else did first (a conditional
        update: of two processes retrying the same message, exactly one wins)."""
        result = self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_pk, OutboxMessage.status == "queued")
            .values(status=status, attempts=OutboxMessage.attempts + 1, sent_at=now)
            .execution_options(synchronize_session=False)
        )
        claimed = getattr(result, "rowcount", 0) == 1
        if claimed:
            self.session.expire_all()
        return claimed

    def message_by_id(self, organization_id: int, message_id: str) -> OutboxMessage | None:
        return self.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.organization_id == organization_id,
                OutboxMessage.message_id == message_id,
            )
        )

    def messages(
        self,
        organization_id: int,
        *,
        entry_id: int | None = None,
        status: str | None = None,
        kind: str | None = None,
        compliance_check_id: int | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[OutboxMessage]:
        stmt = select(OutboxMessage).where(OutboxMessage.organization_id == organization_id)
        if entry_id is not None:
            stmt = stmt.where(OutboxMessage.entry_id == entry_id)
        if kind is not None:
            stmt = stmt.where(OutboxMessage.kind == kind)
        if compliance_check_id is not None:
            stmt = stmt.where(OutboxMessage.compliance_check_id == compliance_check_id)
        if status is not None:
            stmt = stmt.where(OutboxMessage.status == status)
        if after_id is not None:
            stmt = stmt.where(OutboxMessage.id > after_id)
        return list(self.session.scalars(stmt.order_by(OutboxMessage.id).limit(limit)))

    def sent_since(self, organization_id: int, since: datetime) -> int:
        """Messages handed to the mail server (or the dry-run outbox) since ``since``."""
        return int(
            self.session.scalar(
                select(func.count()).where(
                    OutboxMessage.organization_id == organization_id,
                    OutboxMessage.sent_at >= since,
                )
            )
            or 0
        )

    def opted_out(self, organization_id: int, creator_id: int) -> OptOut | None:
        return self.session.scalar(
            select(OptOut).where(
                OptOut.organization_id == organization_id, OptOut.creator_id == creator_id
            )
        )

    def opted_out_ids(self, organization_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(OptOut.creator_id).where(OptOut.organization_id == organization_id)
            )
        )

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def delete(self, row: object) -> None:
        self.session.delete(row)
        self.session.flush()

    def opted_out_among(self, organization_id: int, creator_ids: Sequence[int]) -> set[int]:
        if not creator_ids:
            return set()
        return set(
            self.session.scalars(
                select(OptOut.creator_id).where(
                    OptOut.organization_id == organization_id,
                    OptOut.creator_id.in_(list(creator_ids)),
                )
            )
        )
