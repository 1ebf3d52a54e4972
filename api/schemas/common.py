"""Shapes shared by every resource: pages with an opaque cursor, ids, timestamps."""

from __future__ import annotations

import base64
import binascii
import json
import re
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator

from core.errors import InvalidInputError
from core.textmodel import CleanTextModel

__all__ = [
    "MAX_ID",
    "Day",
    "Id",
    "IdPath",
    "IdQuery",
    "Page",
    "RequestModel",
    "Timestamp",
    "decode_cursor",
    "decode_keyset",
    "encode_cursor",
    "encode_keyset",
    "page_of",
]

T = TypeVar("T")
R = TypeVar("R")

# Ids are 64-bit integers (BIGINT; SQLite's INTEGER). A larger number cannot name anything
# and SQLite cannot even bind it (OverflowError: a 500), so it is refused as invalid input.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]

_ISO_8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_8601(value: Any) -> Any:
    # pydantic would also read a number (0.5, "1700000000") as Unix time.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_8601.match(value.strip()):
        raise ValueError("give an ISO 8601 date-time, e.g. 2026-11-01T09:00:00Z")
    return value


def _iso_date(value: Any) -> Any:
    # pydantic would also read a number (0) as a Unix time's date.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError("give an ISO 8601 date, e.g. 2027-01-31")
    return value


# Timestamps and dates in the API's own format, ISO 8601 text; not numbers.
Timestamp = Annotated[datetime, BeforeValidator(_iso_8601)]
Day = Annotated[date, BeforeValidator(_iso_date)]


def _takes_bool(annotation: Any) -> bool:
    if annotation is bool or annotation is Any:
        return True
    return any(_takes_bool(arg) for arg in typing.get_args(annotation))


class RequestModel(CleanTextModel):
    """A request body (every body of the API is one, or a creator record).

    Its text holds no control characters (``core/text.py``: none in single-line fields, only
    tab and line breaks in fields annotated ``MultilineStr``), so a NUL is a 422 naming the
    field rather than a 500 from PostgreSQL. pydantic's lax mode (which the ISO 8601 text of
    dates needs) reads ``true`` as 1 or as "true"; here a boolean is only ever a boolean
    (boolean fields are ``StrictBool``, so 0 is no boolean either)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_others(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None or _takes_bool(field.annotation):
            return value
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, bool) for item in items):
            raise ValueError("true or false is not a value of this field")
        return value


class Page(BaseModel, Generic[T]):
    """One page of results. Pass ``next_cursor`` back as ``cursor`` for the next page; it is
    null on the last page."""

    items: list[T]
    next_cursor: str | None = Field(default=None, examples=["eyJhZnRlciI6IDUwfQ"])


def encode_keyset(values: dict[str, int]) -> str:
    """An opaque cursor for a keyset position (integers only)."""
    raw = json.dumps(values, sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_keyset(cursor: str | None, names: tuple[str, ...]) -> dict[str, int] | None:
    """The keyset position in ``cursor``; raises naming ``cursor`` when it is not ours."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict) or set(data) != set(names):
            raise ValueError(data)
        for value in data.values():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(value)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidInputError.for_field(
            "cursor", "not a cursor from this API; pass next_cursor unchanged"
        ) from None
    return {name: int(data[name]) for name in names}


def encode_cursor(after_id: int) -> str:
    """A cursor that continues after ``after_id`` in id order."""
    return encode_keyset({"after": after_id})


def decode_cursor(cursor: str | None) -> int | None:
    """The id to continue after (None for the first page)."""
    values = decode_keyset(cursor, ("after",))
    return None if values is None else values["after"]


def page_of(
    rows: Sequence[R],
    limit: int,
    read: Callable[[R], T],
    position: Callable[[R], dict[str, int]],
) -> Page[T]:
    """A page from ``rows`` fetched with ``limit + 1``: the extra row only tells that there
    is a next page, whose cursor is the ``position`` of the last row shown."""
    items = [read(row) for row in rows[:limit]]
    more = len(rows) > limit
    return Page[T](
        items=items, next_cursor=encode_keyset(position(rows[limit - 1])) if more else None
    )
