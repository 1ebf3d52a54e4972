"""Queries on stored ``Idempotency-Key`` responses.

A record is *running* while ``status_code`` is None. Its ``lease_until`` is pushed ahead by
the process that runs the request (a heartbeat); a record whose lease has run out belongs
to a process that died (a crash, a kill -9), so a retry with the same key may take it over
instead of waiting for the 24-hour expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from models import IdempotencyRecord

__all__ = ["Claim", "IdempotencyRepository", "StoredResponse"]


@dataclass(frozen=True)
class StoredResponse:
    """A finished request's response, for a replay."""

    fingerprint: str
    status_code: int
    headers: list[list[str]]
    body: bytes


@dataclass(frozen=True)
class Claim:
    """What :meth:`IdempotencyRepository.claim` found: ``run`` (this request owns the key,
    as ``record_id``), ``replay`` (``stored`` holds the response) or ``running`` (another
    live request owns it; ``retry_after`` seconds until its lease would run out)."""

    outcome: str
    record_id: int | None = None
    stored: StoredResponse | None = None
    retry_after: int = 1


class IdempotencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def prune(self, before: datetime) -> int:
        """Delete records created before ``before``; the number deleted."""
        result = self.session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def get(self, owner: str, key: str) -> IdempotencyRecord | None:
        return self.session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.owner == owner, IdempotencyRecord.key == key
            )
        )

    def claim(self, owner: str, key: str, *, now: datetime, lease: timedelta) -> Claim:
        """Take ``key`` for a new run, or say why not. Commits nothing: the caller's unit of
        work does.

        Raises:
            IntegrityError: another request inserted the same key first (it is running).
        """
        existing = self.get(owner, key)
        if existing is None:
            record = IdempotencyRecord(
                owner=owner, key=key, fingerprint="", headers=[], lease_until=now + lease
            )
            self.session.add(record)
            self.session.flush()
            return Claim("run", record_id=record.id)
        if existing.status_code is not None:
            return Claim(
                "replay",
                stored=StoredResponse(
                    existing.fingerprint,
                    existing.status_code,
                    list(existing.headers),
                    existing.body or b"",
                ),
            )
        lease_until = existing.lease_until
        if lease_until is not None and lease_until > now:
            return Claim("running", retry_after=max(1, int((lease_until - now).total_seconds())))
        # The owner is gone (its lease ran out): take the record over, unless another retry
        # took it first.
        taken = self.session.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == existing.id,
                IdempotencyRecord.status_code.is_(None),
                or_(
                    IdempotencyRecord.lease_until.is_(None),
                    IdempotencyRecord.lease_until <= now,
                ),
            )
            .values(lease_until=now + lease, fingerprint="")
        )
        if getattr(taken, "rowcount", 0) != 1:
            return Claim("running")
        return Claim("run", record_id=existing.id)

    def renew(self, record_id: int, until: datetime) -> None:
        """Push a running record's lease ahead (the heartbeat of the request that owns it)."""
        self.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == record_id, IdempotencyRecord.status_code.is_(None))
            .values(lease_until=until)
        )

    def complete(
        self,
        record_id: int,
        *,
        fingerprint: str,
        status_code: int,
        headers: list[list[str]],
        body: bytes,
        now: datetime,
    ) -> None:
        self.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == record_id)
            .values(
                fingerprint=fingerprint,
                status_code=status_code,
                headers=headers,
                body=body,
                completed_at=now,
                lease_until=None,
            )
        )

    def release(self, record_id: int) -> None:
        """Forget a run whose response is not kept (a 5xx, a refused request)."""
        self.session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.id == record_id, IdempotencyRecord.status_code.is_(None)
            )
        )
