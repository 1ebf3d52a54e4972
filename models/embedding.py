"""Creator embeddings (the database is the truth; the FAISS index is derived from it) and the
queue of creators waiting to be encoded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, utcnow

__all__ = ["CreatorEmbedding", "EmbeddingQueueItem"]


class CreatorEmbedding(Base):
    """One creator's document vector, with the model and the hash of the text it encodes:
    a creator whose text has not changed is never encoded twice."""

    __tablename__ = "creator_embeddings"

    creator_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("creators.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    model_name: Mapped[str] = mapped_column(String(200))
    text_hash: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int]
    # float32, little-endian, L2-normalised: dim * 4 bytes.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EmbeddingQueueItem(Base):
    """A creator created or changed by an import or the API, waiting to be (re)encoded.
    Written in the same transaction as the change, so nothing is lost on a crash."""

    __tablename__ = "embedding_queue"

    creator_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("creators.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
