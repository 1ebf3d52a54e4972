"""Queries on ambassador programs: programs, deliverables, notices, conversions and reports.
Every method that serves a caller takes the organisation; the tick's (``due_*``,
``queued_notice_ids``, ``claim_notice``) span all of them, and the per-program reads that
follow a program already loaded for its organisation (``conversions``, ``reports``,
``due_between``, ``conversions_between``) take its id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import Conversion, Creator, Deliverable, Program, ProgramNotice, ProgramReport

__all__ = [
    "DeliverableNotFoundError",
    "ProgramNotFoundError",
    "ProgramRepository",
]


class ProgramNotFoundError(NotFoundError):
    def __init__(self, program_id: int) -> None:
        super().__init__(f"program {program_id} not found")
        self.program_id = program_id


class DeliverableNotFoundError(NotFoundError):
    def __init__(self, deliverable_id: int) -> None:
        super().__init__(f"deliverable {deliverable_id} not found")
        self.deliverable_id = deliverable_id


class ProgramRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # programs -----------------------------------------------------------------------------

    def get(self, organization_id: int, program_id: int) -> Program | None:
        return self.session.scalar(
            select(Program).where(
                Program.organization_id == organization_id, Program.id == program_id
            )
        )

    def get_or_raise(self, organization_id: int, program_id: int) -> Program:
        program = self.get(organization_id, program_id)
        if program is None:
            raise ProgramNotFoundError(program_id)
        return program

    def by_attribution(
        self,
        organization_id: int,
        *,
        discount_code: str | None = None,
        utm_tag: str | None = None,
    ) -> Program | None:
        """The program that owns the discount code (or, without one, the UTM tag)."""
        stmt = select(Program).where(Program.organization_id == organization_id)
        if discount_code:
            stmt = stmt.where(Program.discount_code == discount_code)
        elif utm_tag:
            stmt = stmt.where(Program.utm_tag == utm_tag)
        else:
            return None
        return self.session.scalar(stmt)

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        self.session.flush()

    # deliverables -------------------------------------------------------------------------

    def deliverable(self, organization_id: int, deliverable_id: int) -> Deliverable | None:
        return self.session.scalar(
            select(Deliverable).where(
                Deliverable.organization_id == organization_id, Deliverable.id == deliverable_id
            )
        )

    def deliverable_or_raise(self, organization_id: int, deliverable_id: int) -> Deliverable:
        found = self.deliverable(organization_id, deliverable_id)
        if found is None:
            raise DeliverableNotFoundError(deliverable_id)
        return found

    def deliverables(
        self, organization_id: int, program_id: int, *, status: str | None = None
    ) -> list[Deliverable]:
        """One program's deliverables in sequence order."""
        stmt = select(Deliverable).where(
            Deliverable.organization_id == organization_id, Deliverable.program_id == program_id
        )
        if status is not None:
            stmt = stmt.where(Deliverable.status == status)
        return list(self.session.scalars(stmt.order_by(Deliverable.sequence)))

    def due_between(self, program_id: int, start: datetime, end: datetime) -> list[Deliverable]:
        """The program's deliverables due in ``(start, end]``."""
        return list(
            self.session.scalars(
                select(Deliverable).where(
                    Deliverable.program_id == program_id,
                    Deliverable.due_at > start,
                    Deliverable.due_at <= end,
                )
            )
        )

    def delivered_posts(self, organization_id: int) -> list[tuple[Deliverable, Program, Creator]]:
        """The organisation's submitted deliverables with their program and creator, in
        program then sequence order."""
        rows = self.session.execute(
            select(Deliverable, Program, Creator)
            .join(Program, Program.id == Deliverable.program_id)
            .join(Creator, Creator.id == Program.creator_id)
            .where(
                Deliverable.organization_id == organization_id,
                Program.organization_id == organization_id,
                Creator.organization_id == organization_id,
                Deliverable.status == "submitted",
            )
            .order_by(Program.id, Deliverable.sequence)
        ).all()
        return [(deliverable, program, creator) for deliverable, program, creator in rows]

    # notices ------------------------------------------------------------------------------

    def notices(
        self,
        organization_id: int,
        program_id: int,
        *,
        after_id: int | None = None,
        limit: int = 100,
    ) -> list[ProgramNotice]:
        stmt = select(ProgramNotice).where(
            ProgramNotice.organization_id == organization_id,
            ProgramNotice.program_id == program_id,
        )
        if after_id is not None:
            stmt = stmt.where(ProgramNotice.id > after_id)
        return list(self.session.scalars(stmt.order_by(ProgramNotice.id).limit(limit)))

    def notice_exists(self, organization_id: int, dedupe_key: str) -> bool:
        return (
            self.session.scalar(
                select(ProgramNotice.id).where(
                    ProgramNotice.organization_id == organization_id,
                    ProgramNotice.dedupe_key == dedupe_key,
                )
            )
            is not None
        )

    def queued_notice_ids(self) -> list[int]:
        """Ids of the notices whose e-mail waits to be sent, every organisation's, oldest
        first."""
        return list(
            self.session.scalars(
                select(ProgramNotice.id)
                .where(ProgramNotice.email_status == "queued")
                .order_by(ProgramNotice.id)
            )
        )

    def claim_notice(self, notice_id: int, email_status: str) -> bool:
        """Move a queued notice's e-mail on to ``email_status``; a single conditional UPDATE,
        so of two schedulers that both read "queued" exactly one wins."""
        claimed = self.session.execute(
            update(ProgramNotice)
            .where(ProgramNotice.id == notice_id, ProgramNotice.email_status == "queued")
            .values(email_status=email_status)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(claimed, "rowcount", 0) == 1)

    # conversions --------------------------------------------------------------------------

    def conversions(self, program_id: int) -> list[Conversion]:
        """The program's conversions in the order they happened."""
        return list(
            self.session.scalars(
                select(Conversion)
                .where(Conversion.program_id == program_id)
                .order_by(Conversion.occurred_at, Conversion.id)
            )
        )

    def conversion_by_order(self, organization_id: int, order_id: str) -> Conversion | None:
        return self.session.scalar(
            select(Conversion).where(
                Conversion.organization_id == organization_id, Conversion.order_id == order_id
            )
        )

    def conversions_between(
        self, program_id: int, start: datetime, end: datetime
    ) -> list[Conversion]:
        """The program's conversions that happened in ``[start, end)``."""
        return list(
            self.session.scalars(
                select(Conversion).where(
                    Conversion.program_id == program_id,
                    Conversion.occurred_at >= start,
                    Conversion.occurred_at < end,
                )
            )
        )

    def conversion_counts(self, organization_id: int) -> dict[int, int]:
        """Program id -> number of conversions, for the organisation's programs that have any."""
        counted = self.session.execute(
            select(Conversion.program_id, func.count(Conversion.id))
            .where(Conversion.organization_id == organization_id)
            .group_by(Conversion.program_id)
        ).all()
        return {row[0]: row[1] for row in counted}

    # reports ------------------------------------------------------------------------------

    def reports(self, program_id: int) -> list[ProgramReport]:
        """The program's monthly reports, by month."""
        return list(
            self.session.scalars(
                select(ProgramReport)
                .where(ProgramReport.program_id == program_id)
                .order_by(ProgramReport.month)
            )
        )

    # the tick: what is due at ``now``, every organisation's, in id order -------------------

    def due_reminders(self, now: datetime) -> list[int]:
        """Pending deliverables of active programs whose reminder is due."""
        return self._ids(
            select(Deliverable.id)
            .join(Program)
            .where(
                Deliverable.remind_at <= now,
                Deliverable.status == "pending",
                Program.status == "active",
            )
        )

    def due_overdue(self, now: datetime) -> list[int]:
        """Pending deliverables of active or ended programs past their overdue time."""
        return self._ids(
            select(Deliverable.id)
            .join(Program)
            .where(
                Deliverable.overdue_at <= now,
                Deliverable.status == "pending",
                Program.status.in_(("active", "ended")),
            )
        )

    def due_renewals(self, now: datetime) -> list[int]:
        """Active programs whose renewal notice is due."""
        return self._ids(
            select(Program.id).where(Program.renewal_notice_at <= now, Program.status == "active")
        )

    def due_reports(self, now: datetime) -> list[int]:
        """Programs with a month that ended and has no report yet."""
        return self._ids(
            select(Program.id).where(
                Program.next_report_at <= now,
                Program.status.in_(("active", "paused", "ended", "renewed")),
            )
        )

    def due_rechecks(self, now: datetime) -> list[int]:
        """Submitted deliverables whose compliance re-check is due."""
        return self._ids(
            select(Deliverable.id).where(
                Deliverable.next_recheck_at <= now, Deliverable.status == "submitted"
            )
        )

    def due_to_end(self, now: datetime) -> list[int]:
        """Active or paused programs past their end."""
        return self._ids(
            select(Program.id).where(
                Program.ends_at <= now, Program.status.in_(("active", "paused"))
            )
        )

    def _ids(self, stmt: Select[int]) -> list[int]:
        return list(self.session.scalars(stmt.order_by(stmt.selected_columns[0])))

    # Last in the class: a method named ``list`` shadows the builtin in annotations below it.
    def list(
        self,
        organization_id: int,
        *,
        status: str | None = None,
        creator_id: int | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[Program]:
        stmt = select(Program).where(Program.organization_id == organization_id)
        if status is not None:
            stmt = stmt.where(Program.status == status)
        if creator_id is not None:
            stmt = stmt.where(Program.creator_id == creator_id)
        if after_id is not None:
            stmt = stmt.where(Program.id > after_id)
        return list(self.session.scalars(stmt.order_by(Program.id).limit(limit)))
