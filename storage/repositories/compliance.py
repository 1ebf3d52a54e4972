"""Queries on stored compliance checks and audit events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import AuditEvent, ComplianceCheck

__all__ = ["AuditRepository", "ComplianceCheckNotFoundError", "ComplianceCheckRepository"]


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

    def queue(
        self, organization_id: int, *, after: tuple[int, int] | None, limit: int
    ) -> list[ComplianceCheck]:
        """Checks waiting for a reviewer: non-compliant first, then needs-review; oldest first
        within each (ids grow with time). ``after`` is the (priority, id) of the last one seen."""
        stmt = select(ComplianceCheck).where(
            ComplianceCheck.organization_id == organization_id,
            ComplianceCheck.review_status == "pending",
        )
        if after is not None:
            stmt = stmt.where(tuple_(ComplianceCheck.priority, ComplianceCheck.id) > after)
        stmt = stmt.order_by(ComplianceCheck.priority, ComplianceCheck.id).limit(limit)
        return list(self.session.scalars(stmt))

    def list(
        self,
        organization_id: int,
        *,
        verdict: str | None = None,
        review_status: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[ComplianceCheck]:
        stmt = select(ComplianceCheck).where(ComplianceCheck.organization_id == organization_id)
        if verdict:
            stmt = stmt.where(
                or_(ComplianceCheck.verdict == verdict, ComplianceCheck.final_verdict == verdict)
            )
        if review_status:
            stmt = stmt.where(ComplianceCheck.review_status == review_status)
        if since is not None:
            stmt = stmt.where(ComplianceCheck.created_at >= since)
        if until is not None:
            stmt = stmt.where(ComplianceCheck.created_at < until)
        if after_id is not None:
            stmt = stmt.where(ComplianceCheck.id > after_id)
        return list(self.session.scalars(stmt.order_by(ComplianceCheck.id).limit(limit)))

    def iterate_period(
        self, organization_id: int, since: datetime | None, until: datetime | None
    ) -> Iterator[ComplianceCheck]:
        after: int | None = None
        while True:
            page = self.list(organization_id, since=since, until=until, after_id=after, limit=500)
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
