"""Queries on creator embeddings and the encoding queue."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import Creator, CreatorEmbedding, EmbeddingQueueItem, utcnow
from models.base import UTCDateTime

__all__ = ["EmbeddingRepository"]


class EmbeddingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self, table: type[CreatorEmbedding] | type[EmbeddingQueueItem]):  # type: ignore[no-untyped-def]
        dialect = self.session.get_bind().dialect.name
        return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)

    def enqueue(self, organization_id: int, creator_ids: Sequence[int]) -> None:
        """Queue creators for (re)encoding; a creator already queued stays queued once."""
        if not creator_ids:
            return
        now = utcnow()
        stmt = self._insert(EmbeddingQueueItem).on_conflict_do_nothing(
            index_elements=["creator_id"]
        )
        self.session.execute(
            stmt,
            [
                {"creator_id": cid, "organization_id": organization_id, "enqueued_at": now}
                for cid in creator_ids
            ],
        )

    def enqueue_modified_at(self, organization_id: int, modified_at: datetime) -> None:
        """Queue every creator of the organisation last modified at ``modified_at`` (one
        statement for a whole import batch, which stamps its rows with one time)."""
        source = select(
            Creator.id, Creator.organization_id, literal(modified_at, UTCDateTime())
        ).where(Creator.organization_id == organization_id, Creator.modified_at == modified_at)
        stmt = (
            self._insert(EmbeddingQueueItem)
            .from_select(["creator_id", "organization_id", "enqueued_at"], source)
            .on_conflict_do_nothing(index_elements=["creator_id"])
        )
        self.session.execute(stmt)

    def queued(self, organization_id: int, *, limit: int) -> list[Creator]:
        """The oldest queued creators of the organisation."""
        stmt = (
            select(Creator)
            .join(EmbeddingQueueItem, EmbeddingQueueItem.creator_id == Creator.id)
            .where(EmbeddingQueueItem.organization_id == organization_id)
            .order_by(EmbeddingQueueItem.enqueued_at, EmbeddingQueueItem.creator_id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def queue_size(self, organization_id: int | None = None) -> int:
        stmt = select(func.count()).select_from(EmbeddingQueueItem)
        if organization_id is not None:
            stmt = stmt.where(EmbeddingQueueItem.organization_id == organization_id)
        return int(self.session.scalar(stmt) or 0)

    def queued_organizations(self) -> list[int]:
        stmt = select(EmbeddingQueueItem.organization_id).distinct()
        return list(self.session.scalars(stmt))

    def dequeue(self, creator_ids: Sequence[int]) -> None:
        if creator_ids:
            self.session.execute(
                delete(EmbeddingQueueItem).where(EmbeddingQueueItem.creator_id.in_(creator_ids))
            )

    def hashes(self, creator_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """creator id -> (model name, text hash) of the stored embeddings."""
        if not creator_ids:
            return {}
        stmt = select(
            CreatorEmbedding.creator_id, CreatorEmbedding.model_name, CreatorEmbedding.text_hash
        ).where(CreatorEmbedding.creator_id.in_(creator_ids))
        return {cid: (model, h) for cid, model, h in self.session.execute(stmt)}

    def upsert(
        self, organization_id: int, rows: Sequence[tuple[int, str, str, bytes, int]]
    ) -> None:
        """Store (creator id, model name, text hash, vector bytes, dim) rows."""
        if not rows:
            return
        now = utcnow()
        stmt = self._insert(CreatorEmbedding)
        stmt = stmt.on_conflict_do_update(
            index_elements=["creator_id"],
            set_={
                "model_name": stmt.excluded.model_name,
                "text_hash": stmt.excluded.text_hash,
                "vector": stmt.excluded.vector,
                "dim": stmt.excluded.dim,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        self.session.execute(
            stmt,
            [
                {
                    "creator_id": cid,
                    "organization_id": organization_id,
                    "model_name": model,
                    "text_hash": text_hash,
                    "vector": vector,
                    "dim": dim,
                    "updated_at": now,
                }
                for cid, model, text_hash, vector, dim in rows
            ],
        )

    def iterate_vectors(
        self, organization_id: int, model_name: str, *, batch_size: int = 5000
    ) -> Iterator[list[tuple[int, bytes]]]:
        """(creator id, vector bytes) in id order, in batches, for one model."""
        after = -1
        while True:
            stmt = (
                select(CreatorEmbedding.creator_id, CreatorEmbedding.vector)
                .where(
                    CreatorEmbedding.organization_id == organization_id,
                    CreatorEmbedding.model_name == model_name,
                    CreatorEmbedding.creator_id > after,
                )
                .order_by(CreatorEmbedding.creator_id)
                .limit(batch_size)
            )
            batch = [(int(cid), bytes(vec)) for cid, vec in self.session.execute(stmt)]
            if not batch:
                return
            yield batch
            after = batch[-1][0]

    def missing(self, organization_id: int, model_name: str, *, limit: int) -> list[Creator]:
        """Creators with no embedding for ``model_name`` (for a first build or a model change)."""
        stmt = (
            select(Creator)
            .outerjoin(
                CreatorEmbedding,
                (CreatorEmbedding.creator_id == Creator.id)
                & (CreatorEmbedding.model_name == model_name),
            )
            .where(
                Creator.organization_id == organization_id, CreatorEmbedding.creator_id.is_(None)
            )
            .order_by(Creator.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))
