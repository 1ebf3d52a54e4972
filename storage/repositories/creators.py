"""Queries on creators. Every method takes the organisation: nothing crosses tenants."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    String,
    Table,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.errors import NotFoundError
from core.tiers import Tier, tier_bounds
from models import Creator, Organization

__all__ = ["CreatorFilters", "CreatorNotFoundError", "CreatorRepository"]


_CREATORS: Table = Creator.__table__  # type: ignore[assignment]  # declarative tables are Tables


class CreatorNotFoundError(NotFoundError):
    def __init__(self, creator_id: int) -> None:
        super().__init__(f"creator {creator_id} not found")
        self.creator_id = creator_id


@dataclass(frozen=True)
class CreatorFilters:
    """List filters; every one that is set must hold."""

    platform: str | None = None
    tier: Tier | None = None
    min_followers: int | None = None
    max_followers: int | None = None
    country: str | None = None
    language: str | None = None
    category: str | None = None
    min_engagement: float | None = None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The import lock's key is this namespace in the high 32 bits and the organisation id in
# the low ones, apart from other advisory locks (the scheduler's leader uses b"cm-sched").
_IMPORT_LOCK_NAMESPACE = 0x434D49  # "CMI"


class CreatorRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_many(self, organization_id: int, creator_ids: Sequence[int]) -> list[Creator]:
        """The organisation's creators among ``creator_ids`` (missing ones left out)."""
        if not creator_ids:
            return []
        return list(
            self.session.scalars(
                select(Creator).where(
                    Creator.organization_id == organization_id,
                    Creator.id.in_(list(creator_ids)),
                )
            )
        )

    def get(self, organization_id: int, creator_id: int) -> Creator | None:
        return self.session.scalar(
            select(Creator).where(
                Creator.organization_id == organization_id, Creator.id == creator_id
            )
        )

    def get_or_raise(self, organization_id: int, creator_id: int) -> Creator:
        creator = self.get(organization_id, creator_id)
        if creator is None:
            raise CreatorNotFoundError(creator_id)
        return creator

    def get_by_handle(self, organization_id: int, platform: str, handle: str) -> Creator | None:
        return self.session.scalar(
            select(Creator).where(
                Creator.organization_id == organization_id,
                Creator.platform == platform,
                Creator.handle == handle,
            )
        )

    def with_email(self, organization_id: int, email: str) -> list[Creator]:
        """The organisation's creators whose e-mail address is ``email`` (any case)."""
        return list(
            self.session.scalars(
                select(Creator)
                .where(
                    Creator.organization_id == organization_id,
                    func.lower(Creator.email) == email.strip().lower(),
                )
                .order_by(Creator.id)
            )
        )

    def with_handle(self, organization_id: int, handle: str) -> list[Creator]:
        """The organisation's creators with this handle, on any platform."""
        return list(
            self.session.scalars(
                select(Creator)
                .where(Creator.organization_id == organization_id, Creator.handle == handle)
                .order_by(Creator.id)
            )
        )

    def _filtered(self, organization_id: int, filters: CreatorFilters) -> Select[Creator]:
        stmt = select(Creator).where(Creator.organization_id == organization_id)
        if filters.platform:
            stmt = stmt.where(Creator.platform == filters.platform)
        if filters.tier is not None:
            low, high = tier_bounds(filters.tier)
            stmt = stmt.where(Creator.followers >= low)
            if high is not None:
                stmt = stmt.where(Creator.followers < high)
        if filters.min_followers is not None:
            stmt = stmt.where(Creator.followers >= filters.min_followers)
        if filters.max_followers is not None:
            stmt = stmt.where(Creator.followers <= filters.max_followers)
        if filters.country:
            stmt = stmt.where(Creator.country == filters.country)
        if filters.language:
            stmt = stmt.where(Creator.language == filters.language)
        if filters.category:
            pattern = f"%|{_escape_like(filters.category.lower())}|%"
            stmt = stmt.where(Creator.category_key.like(pattern, escape="\\"))
        if filters.min_engagement is not None:
            stmt = stmt.where(Creator.engagement_rate >= filters.min_engagement)
        return stmt

    def list(
        self,
        organization_id: int,
        filters: CreatorFilters,
        *,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[Creator]:
        """One page in id order, starting after ``after_id`` (keyset pagination)."""
        stmt = self._filtered(organization_id, filters)
        if after_id is not None:
            stmt = stmt.where(Creator.id > after_id)
        return list(self.session.scalars(stmt.order_by(Creator.id).limit(limit)))

    def count(self, organization_id: int, filters: CreatorFilters | None = None) -> int:
        stmt = self._filtered(organization_id, filters or CreatorFilters())
        return int(self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    def iterate(self, organization_id: int, *, batch_size: int = 1000) -> Iterator[Creator]:
        """Every creator of the organisation in id order, fetched in batches."""
        after: int | None = None
        while True:
            page = self.list(organization_id, CreatorFilters(), after_id=after, limit=batch_size)
            if not page:
                return
            yield from page
            after = page[-1].id
            self.session.expunge_all()

    def iterate_columns(
        self,
        organization_id: int,
        columns: Sequence[InstrumentedAttribute[Any]],
        *,
        batch_size: int = 2000,
    ) -> Iterator[Sequence[dict[str, Any]]]:
        """Every creator of the organisation in id order, as batches of ``{column: value}``
        dicts holding ``id`` and only ``columns``.

        Keyset pagination on the id: one short query per batch and no ORM objects, so a full
        scan holds one batch at a time (the matcher's side state reads every creator).
        """
        selected = [Creator.id, *(c for c in columns if c.key != "id")]
        after: int | None = None
        while True:
            stmt = select(*selected).where(Creator.organization_id == organization_id)
            if after is not None:
                stmt = stmt.where(Creator.id > after)
            batch = [
                dict(row)
                for row in self.session.execute(stmt.order_by(Creator.id).limit(batch_size))
                .mappings()
                .all()
            ]
            if not batch:
                return
            yield batch
            after = int(batch[-1]["id"])

    def posts_containing(
        self, organization_id: int, needles: Sequence[str], *, batch_size: int = 1000
    ) -> Iterator[tuple[int, Sequence[dict[str, Any]]]]:
        """(id, recent posts) of the creators whose stored posts contain any of ``needles``
        (lower-case ASCII) once lower-cased; an empty needle matches every creator."""
        text = func.lower(cast(Creator.recent_posts, String))
        cond = (
            true()
            if not needles or "" in needles
            else or_(*(text.like(f"%{_escape_like(n)}%", escape="\\") for n in needles))
        )
        stmt = (
            select(Creator.id, Creator.recent_posts)
            .where(Creator.organization_id == organization_id, cond)
            .execution_options(yield_per=batch_size)
        )
        for creator_id, posts in self.session.execute(stmt):
            yield int(creator_id), list(posts or [])

    def add(self, creator: Creator) -> Creator:
        self.session.add(creator)
        self.session.flush()
        return creator

    def delete(self, creator: Creator) -> None:
        self.session.delete(creator)
        self.session.flush()

    # Bulk operations for imports: Core statements, no ORM objects kept in memory.

    def lock_for_import(self, organization_id: int) -> None:
        """Hold the organisation's import lock until this transaction ends, so two imports
        of the same creators never both decide to insert them (the second waits, then sees
        the first's rows and updates them). PostgreSQL: a transaction-level advisory lock
        per organisation; SQLite: the database's write lock, taken now instead of at the
        first insert."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = (_IMPORT_LOCK_NAMESPACE << 32) | (organization_id & 0xFFFFFFFF)
            self.session.execute(select(func.pg_advisory_xact_lock(key)))
        else:
            self.session.execute(
                update(Organization)
                .where(Organization.id == organization_id)
                .values(id=Organization.id)
            )

    def existing(
        self, organization_id: int, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, str]]:
        """Map (platform, handle) -> (id, record_hash) for the keys that already exist."""
        if not keys:
            return {}
        stmt = select(Creator.platform, Creator.handle, Creator.id, Creator.record_hash).where(
            Creator.organization_id == organization_id,
            tuple_(Creator.platform, Creator.handle).in_(list(keys)),
        )
        return {(p, h): (i, rh) for p, h, i, rh in self.session.execute(stmt)}

    def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            # Core insert of the table: the ORM's bulk path costs more than SQLite itself.
            self.session.execute(insert(_CREATORS), list(rows))

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Update by primary key; each row carries its ``id``."""
        if rows:
            self.session.execute(update(Creator), list(rows))

    def delete_all(self, organization_id: int) -> int:
        result = self.session.execute(
            delete(Creator).where(Creator.organization_id == organization_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)
