"""The creator service: create, read, update, delete, import and export creators.

Services never commit: the caller's unit of work (``Database.session()`` or the API's session
dependency) commits on success and rolls back on error, so an import that fails, or a process
killed in the middle of one, leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from core.errors import ConflictError, FieldError, InvalidInputError
from core.textmodel import STORED
from creators.formats import ParsedRow, parse_records
from creators.record import CreatorRecord, record_hash, validation_errors
from models import Creator, utcnow
from storage.repositories import CreatorFilters, CreatorRepository
from storage.repositories.creators import CreatorNotFoundError
from storage.repositories.embeddings import EmbeddingRepository

__all__ = [
    "MAX_REPORTED_ERRORS",
    "STORED_FIELDS",
    "CreatorFilters",
    "CreatorNotFoundError",
    "CreatorService",
    "ImportRejectedError",
    "ImportSummary",
    "record_from_row",
    "row_from_record",
    "row_values",
]

# An error report lists at most this many errors; the counts stay exact.
MAX_REPORTED_ERRORS = 1000


@dataclass
class ImportSummary:
    """What an import did. In all-or-nothing mode a rejected file writes nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[FieldError] = field(default_factory=list)
    written: bool = True

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "written": self.written,
            "errors": [
                {"line": e.line, "field": e.field, "message": e.message} for e in self.errors
            ],
        }


class ImportRejectedError(InvalidInputError):
    """An all-or-nothing import found invalid rows: nothing was written."""

    code = "import_rejected"
    title = "Import rejected"

    def __init__(self, summary: ImportSummary) -> None:
        first = summary.errors[0].describe() if summary.errors else "invalid rows"
        super().__init__(
            f"{summary.rejected} invalid row(s); nothing was written (first: {first}). "
            "Fix the rows, or import with skip-invalid to write the valid ones.",
            summary.errors,
        )
        self.summary = summary


def row_from_record(record: CreatorRecord) -> dict[str, Any]:
    """The column values of a creator row for ``record`` (without ids)."""
    # One JSON-mode dump feeds every column: imports call this for every row.
    data = record.model_dump(mode="json", exclude_none=True)
    categories: list[str] = data["categories"]
    return {
        "platform": data["platform"],
        "handle": data["handle"],
        "display_name": data.get("display_name"),
        "bio": data.get("bio"),
        "profile_url": data.get("profile_url"),
        "country": data.get("country"),
        "language": data.get("language"),
        "followers": data.get("followers"),
        "avg_likes": data.get("avg_likes"),
        "avg_comments": data.get("avg_comments"),
        "avg_views": data.get("avg_views"),
        "posts_per_month": data.get("posts_per_month"),
        "engagement_rate": data.get("engagement_rate"),
        "engagement_rate_computed": data["engagement_rate_computed"],
        "categories": categories,
        "category_key": "|" + "|".join(categories) + "|" if categories else "",
        "recent_posts": data["recent_posts"],
        "audience": data.get("audience"),
        "rates": data.get("rates"),
        "email": data.get("email"),
        "is_virtual": data["is_virtual"],
        "brands_mentioned": data["brands_mentioned"],
        "source": data.get("source"),
        "updated_at": record.updated_at,
        "record_hash": record_hash(record),
    }


# The creator record's fields: the creators table keeps each in a column of the same name.
STORED_FIELDS: tuple[str, ...] = tuple(CreatorRecord.model_fields)


def row_values(creator: Creator, fields: Iterable[str] = STORED_FIELDS) -> dict[str, Any]:
    """The given record fields of a stored row, as they are (nothing checked again)."""
    return {name: getattr(creator, name) for name in fields}


def record_from_row(creator: Creator) -> CreatorRecord:
    """The creator record of a stored row (its text is not checked again: a row stored
    before the control-character check came in still reads)."""
    return CreatorRecord.model_validate(row_values(creator), context=STORED)


class CreatorService:
    """Creator use cases, always within one organisation."""

    def get(self, session: Session, organization_id: int, creator_id: int) -> Creator:
        return CreatorRepository(session).get_or_raise(organization_id, creator_id)

    def find(self, session: Session, organization_id: int, creator_id: int) -> Creator | None:
        """The creator, or None when the organisation has none with this id (deleted)."""
        return CreatorRepository(session).get(organization_id, creator_id)

    def by_id(
        self, session: Session, organization_id: int, creator_ids: Sequence[int]
    ) -> dict[int, Creator]:
        """The organisation's creators among ``creator_ids``, by id in the order given
        (missing ones left out)."""
        found = {c.id: c for c in CreatorRepository(session).get_many(organization_id, creator_ids)}
        return {i: found[i] for i in dict.fromkeys(creator_ids) if i in found}

    def list(
        self,
        session: Session,
        organization_id: int,
        *,
        filters: CreatorFilters | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[Creator]:
        return CreatorRepository(session).list(
            organization_id, filters or CreatorFilters(), after_id=after_id, limit=limit
        )

    def count(self, session: Session, organization_id: int) -> int:
        """How many creators the organisation has."""
        return CreatorRepository(session).count(organization_id)

    def find_by_handle(
        self, session: Session, organization_id: int, platform: str, handle: str
    ) -> Creator | None:
        """The creator with this handle on this platform, if the organisation has one."""
        return CreatorRepository(session).get_by_handle(organization_id, platform, handle)

    def create(self, session: Session, organization_id: int, record: CreatorRecord) -> Creator:
        repo = CreatorRepository(session)
        existing = repo.get_by_handle(organization_id, record.platform.value, record.handle)
        if existing is not None:
            raise ConflictError(
                f"creator {record.platform.value}/{record.handle} already exists "
                f"(id {existing.id}); PATCH it or import with upsert"
            )
        creator = repo.add(Creator(organization_id=organization_id, **row_from_record(record)))
        EmbeddingRepository(session).enqueue(organization_id, [creator.id])
        return creator

    def update(
        self, session: Session, organization_id: int, creator_id: int, changes: dict[str, Any]
    ) -> Creator:
        """Apply a partial update (PATCH semantics) and re-validate the whole record."""
        repo = CreatorRepository(session)
        creator = repo.get_or_raise(organization_id, creator_id)
        merged = record_from_row(creator).model_dump(mode="json")
        if "engagement_rate" not in changes and merged.get("engagement_rate_computed"):
            # A computed rate follows the averages it came from.
            merged.pop("engagement_rate", None)
            merged["engagement_rate_computed"] = False
        merged.update(changes)
        try:
            record = CreatorRecord.model_validate(merged)
        except ValidationError as exc:
            errors = validation_errors(exc)
            raise InvalidInputError(errors[0].describe(), errors) from None
        clash = repo.get_by_handle(organization_id, record.platform.value, record.handle)
        if clash is not None and clash.id != creator.id:
            raise ConflictError(
                f"creator {record.platform.value}/{record.handle} already exists (id {clash.id})"
            )
        for key, value in row_from_record(record).items():
            setattr(creator, key, value)
        creator.modified_at = utcnow()
        session.flush()
        EmbeddingRepository(session).enqueue(organization_id, [creator.id])
        return creator

    def delete(self, session: Session, organization_id: int, creator_id: int) -> None:
        repo = CreatorRepository(session)
        repo.delete(repo.get_or_raise(organization_id, creator_id))

    def export(self, session: Session, organization_id: int) -> Iterator[CreatorRecord]:
        """Every creator of the organisation as records, streamed in id order."""
        for creator in CreatorRepository(session).iterate(organization_id):
            yield record_from_row(creator)

    def import_stream(
        self,
        session: Session,
        organization_id: int,
        chunks: Iterable[bytes],
        *,
        skip_invalid: bool = False,
        batch_size: int = 1000,
        limit_bytes: int | None = None,
        progress: Callable[[int], object] | None = None,
    ) -> ImportSummary:
        """Upsert creators from a CSV or JSONL byte stream on (organisation, platform, handle).

        All-or-nothing by default: the first invalid row stops writing, the rest of the file
        is still read so that the report lists every error, and :class:`ImportRejectedError`
        is raised so the caller's transaction rolls back. With ``skip_invalid`` the valid rows
        are written and the summary lists the rejected ones.
        """
        return self.import_rows(
            session,
            organization_id,
            parse_records(chunks, limit=limit_bytes),
            skip_invalid=skip_invalid,
            batch_size=batch_size,
            progress=progress,
        )

    def import_rows(
        self,
        session: Session,
        organization_id: int,
        rows: Iterable[ParsedRow],
        *,
        skip_invalid: bool = False,
        batch_size: int = 1000,
        progress: Callable[[int], object] | None = None,
    ) -> ImportSummary:
        """Upsert parsed rows; see :meth:`import_stream`."""
        repo = CreatorRepository(session)
        repo.lock_for_import(organization_id)
        summary = ImportSummary()
        batch: dict[tuple[str, str], CreatorRecord] = {}
        writing = True

        def flush() -> None:
            self._write_batch(repo, organization_id, batch, summary)
            batch.clear()

        for row in rows:
            if row.record is None:
                summary.rejected += 1
                room = MAX_REPORTED_ERRORS - len(summary.errors)
                summary.errors.extend(row.errors[: max(room, 0)])
                if not skip_invalid:
                    writing = False
                    batch.clear()
            elif writing:
                key = (row.record.platform.value, row.record.handle)
                if key in batch:
                    # The same creator twice in one batch: write the first, then the second.
                    flush()
                batch[key] = row.record
                if len(batch) >= batch_size:
                    flush()
            if progress is not None:
                progress(1)
        if not writing:
            summary.written = False
            summary.created = summary.updated = summary.unchanged = 0
            raise ImportRejectedError(summary)
        flush()
        return summary

    def _write_batch(
        self,
        repo: CreatorRepository,
        organization_id: int,
        batch: dict[tuple[str, str], CreatorRecord],
        summary: ImportSummary,
    ) -> None:
        if not batch:
            return
        existing = repo.existing(organization_id, list(batch))
        now = utcnow()
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for key, record in batch.items():
            row = row_from_record(record)
            found = existing.get(key)
            if found is None:
                row.update(organization_id=organization_id, created_at=now, modified_at=now)
                inserts.append(row)
            elif found[1] == row["record_hash"]:
                summary.unchanged += 1
            else:
                row.update(id=found[0], modified_at=now)
                updates.append(row)
        repo.insert_many(inserts)
        repo.update_many(updates)
        # Queue what changed for encoding, in the same transaction as the change itself: the
        # batch stamped every row it wrote with ``now``.
        if inserts or updates:
            EmbeddingRepository(repo.session).enqueue_modified_at(organization_id, now)
        summary.created += len(inserts)
        summary.updated += len(updates)
