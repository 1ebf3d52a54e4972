"""Shapes shared by every resource: pages with an opaque cursor."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from core.errors import InvalidInputError

__all__ = [
    "Page",
    "decode_cursor",
    "decode_keyset",
    "encode_cursor",
    "encode_keyset",
    "page_of",
]

T = TypeVar("T")
R = TypeVar("R")


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
