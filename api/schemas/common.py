"""Shapes shared by every resource: pages with an opaque cursor."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from core.errors import InvalidInputError

__all__ = ["Page", "decode_cursor", "encode_cursor"]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of results. Pass ``next_cursor`` back as ``cursor`` for the next page; it is
    null on the last page."""

    items: list[T]
    next_cursor: str | None = Field(default=None, examples=["eyJhZnRlciI6IDUwfQ"])


def encode_cursor(after_id: int) -> str:
    raw = json.dumps({"after": after_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id to continue after; raises naming ``cursor`` when it was not one of ours."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = data["after"]
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ValueError(after)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidInputError.for_field(
            "cursor", "not a cursor from this API; pass next_cursor unchanged"
        ) from None
    return after
