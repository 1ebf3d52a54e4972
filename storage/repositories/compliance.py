"""Queries on stored compliance checks and audit events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select, tuple_
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import AuditEvent, ComplianceCheck

__all__ = [
    "AuditRepository",
    "CheckFilters",
    "ComplianceCheckNotFoundError",
    "ComplianceCheckRepository",
]


@dataclass(frozen=True)
class CheckFilters:
    """What a list of checks is narrowed to; every field set is ANDed.

    ``verdict`` matches the checker's or the final verdict; ``code`` a reason code of the
    checker; ``assignee`` an actor (``user:<e-mail>``, ``api-key:<prefix>``), and
    ``unassigned`` the checks nobody is assigned to.
    """

    verdict: str | None = None
    review_status: str | None = None
    code: str | None = None
    jurisdiction: str | None = None
    platform: str | None = None
    assignee: str | None = None
    unassigned: bool = False
    since: datetime | None = None
    until: datetime | None = None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ComplianceCheckNotFoundError(NotFoundError):
    def __init__(self, check_id: int) -> None:
        super().__init__(f"compliance check {check_id} not found")
        self.check_id = check_id


class ComplianceCheckRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_many(self, checks: Sequence[ComplianceCheck]) -> None:
        self.session.add_all(checks)
        self.session.flush()

    def get_or_raise(self, organization_id: int, check_id: int) -> ComplianceCheck:
        check = self.session.scalar(
            select(ComplianceCheck).where(
                ComplianceCheck.organization_id == organization_id, ComplianceCheck.id == check_id
            )
        )
        if check is None:
            raise ComplianceCheckNotFoundError(check_id)
        return check

    def get_many(self, organization_id: int, check_ids: Sequence[int]) -> list[ComplianceCheck]:
        """The organisation's checks among ``check_ids``, in id order (missing ones and other
        organisations' left out)."""
        if not check_ids:
            return []
        stmt = select(ComplianceCheck).where(
            ComplianceCheck.organization_id == organization_id,
            ComplianceCheck.id.in_(list(check_ids)),
        )
        return list(self.session.scalars(stmt.order_by(ComplianceCheck.id)))

    def _filtered(self, organization_id: int, filters: CheckFilters) -> Select[ComplianceCheck]:
        stmt = select(ComplianceCheck).where(ComplianceCheck.organization_id == organization_id)
        if filters.verdict:
            stmt = stmt.where(
                or_(
                    ComplianceCheck.verdict == filters.verdict,
                    ComplianceCheck.final_verdict == filters.verdict,
                )
            )
        if filters.review_status:
            stmt = stmt.where(ComplianceCheck.review_status == filters.review_status)
        if filters.code:
            pattern = f"%|{_escape_like(filters.code)}|%"
            stmt = stmt.where(ComplianceCheck.reason_key.like(pattern, escape="\\"))
        if filters.jurisdiction:
            stmt = stmt.where(ComplianceCheck.jurisdiction == filters.jurisdiction)
        if filters.platform:
            stmt = stmt.where(ComplianceCheck.platform == filters.platform)
        if filters.unassigned:
            stmt = stmt.where(ComplianceCheck.assignee.is_(None))
        elif filters.assignee:
            stmt = stmt.where(ComplianceCheck.assignee == filters.assignee)
        if filters.since is not None:
            stmt = stmt.where(ComplianceCheck.created_at >= filters.since)
        if filters.until is not None:
            stmt = stmt.where(ComplianceCheck.created_at < filters.until)
        return stmt

    def queue(
        self,
        organization_id: int,
        filters: CheckFilters = CheckFilters(),
        *,
        after: tuple[int, int] | None,
        limit: int,
    ) -> list[ComplianceCheck]:
        """Checks waiting for a reviewer: non-compliant first, then needs-review; oldest first
        within each (ids grow with time). ``after`` is the (priority, id) of the last one seen.
        ``filters.review_status`` is ignored: the queue is what waits."""
        stmt = self._filtered(organization_id, filters).where(
            ComplianceCheck.review_status == "pending"
        )
        if after is not None:
            stmt = stmt.where(tuple_(ComplianceCheck.priority, ComplianceCheck.id) > after)
        stmt = stmt.order_by(ComplianceCheck.priority, ComplianceCheck.id).limit(limit)
        return list(self.session.scalars(stmt))

    def assignees(self, organization_id: int) -> list[str]:
        """Everyone the organisation's checks are assigned to, in order."""
        stmt = (
            select(ComplianceCheck.assignee)
            .where(
                ComplianceCheck.organization_id == organization_id,
                ComplianceCheck.assignee.is_not(None),
            )
            .distinct()
            .order_by(ComplianceCheck.assignee)
        )
        return [value for value in self.session.scalars(stmt) if value]

    def matching(
        self, organization_id: int, filters: CheckFilters, *, limit: int
    ) -> list[ComplianceCheck]:
        """Up to ``limit`` checks that match ``filters``: the waiting ones in the queue's order
        when the filter is the queue (``review_status`` pending), else in id order."""
        if filters.review_status == "pending":
            return self.queue(organization_id, filters, after=None, limit=limit)
        return self.list(organization_id, filters, limit=limit)

    def list(
        self,
        organization_id: int,
        filters: CheckFilters = CheckFilters(),
        *,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[ComplianceCheck]:
        """The checks that match ``filters``, in id order (oldest first)."""
        stmt = self._filtered(organization_id, filters)
        if after_id is not None:
            stmt = stmt.where(ComplianceCheck.id > after_id)
        return list(self.session.scalars(stmt.order_by(ComplianceCheck.id).limit(limit)))

    def count(self, organization_id: int, filters: CheckFilters) -> int:
        """How many checks match ``filters``."""
        matching = self._filtered(organization_id, filters).subquery()
        return int(self.session.scalar(select(func.count()).select_from(matching)) or 0)

    def iterate_period(
        self, organization_id: int, since: datetime | None, until: datetime | None
    ) -> Iterator[ComplianceCheck]:
        after: int | None = None
        period = CheckFilters(since=since, until=until)
        while True:
            page = self.list(organization_id, period, after_id=after, limit=500)
            if not page:
                return
            yield from page
            after = page[-1].id

    def pending_counts(self, organization_id: int) -> dict[str, int]:
        """Checks waiting for a reviewer, by verdict."""
        stmt = (
            select(ComplianceCheck.verdict, func.count())
            .where(
                ComplianceCheck.organization_id == organization_id,
                ComplianceCheck.review_status == "pending",
            )
            .group_by(ComplianceCheck.verdict)
        )
        return {row[0]: row[1] for row in self.session.execute(stmt)}


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event: AuditEvent) -> None:
        self.session.add(event)

    def for_subject(
        self, organization_id: int, subject_type: str, subject_id: int
    ) -> list[AuditEvent]:
        stmt = (
            select(AuditEvent)
            .where(
                AuditEvent.organization_id == organization_id,
                AuditEvent.subject_type == subject_type,
                AuditEvent.subject_id == subject_id,
            )
            .order_by(AuditEvent.id)
        )
        return list(self.session.scalars(stmt))

    def newest_first(
        self, organization_id: int, *, before_id: int | None, limit: int
    ) -> list[AuditEvent]:
        """Audit events, newest first; ``before_id`` is the id of the last one seen."""
        stmt = select(AuditEvent).where(AuditEvent.organization_id == organization_id)
        if before_id is not None:
            stmt = stmt.where(AuditEvent.id < before_id)
        return list(self.session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit)))

    def list(
        self,
        organization_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        after_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEvent]:
        stmt = select(AuditEvent).where(AuditEvent.organization_id == organization_id)
        if since is not None:
            stmt = stmt.where(AuditEvent.created_at >= since)
        if until is not None:
            stmt = stmt.where(AuditEvent.created_at < until)
        if after_id is not None:
            stmt = stmt.where(AuditEvent.id > after_id)
        return list(self.session.scalars(stmt.order_by(AuditEvent.id).limit(limit)))
