"""Shapes shared by every resource: pages with an opaque cursor, ids, timestamps."""

from __future__ import annotations

import base64
import re
import struct
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Generic, TypeVar

from fastapi import Path, Query
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from core.errors import InvalidInputError
from core.textmodel import CleanTextModel

__all__ = [
    "AFTER",
    "BEFORE",
    "FORM",
    "MAX_ID",
    "OFFSET",
    "QUEUE",
    "AfterCursor",
    "BeforeCursor",
    "Count",
    "Day",
    "Fee",
    "Id",
    "IdPath",
    "IdQuery",
    "Keyset",
    "Money",
    "OffsetCursor",
    "Omittable",
    "Page",
    "Percent",
    "QueueCursor",
    "RequestModel",
    "Timestamp",
    "decode_cursor",
    "encode_cursor",
    "json_number",
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


# Dates of campaigns and programs, 1900-2999: date arithmetic on them (a program's months,
# a brief's milestones) stays within Python's years 1-9999.
_DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
_ISO_DATE = re.compile(_DATE_PATTERN)


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
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("give an ISO 8601 date from 1900 to 2999, e.g. 2027-01-31")
    return value


# Timestamps and dates in the API's own format, ISO 8601 text; not numbers.
Timestamp = Annotated[datetime, BeforeValidator(_iso_8601)]
Day = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_PATTERN}),
]


class _Amount:
    """Money as the API takes it: a decimal string with at most two decimals (``"48.50"``)
    or a whole number, from 0 to ``maximum``, the same in the document as in the server. A
    JSON number with decimals is refused: binary floats cannot hold cents."""

    def __init__(self, maximum: int, description: str) -> None:
        self.maximum = maximum
        digits = len(str(maximum))
        if maximum == 10**digits - 1:
            whole = rf"0|[1-9][0-9]{{0,{digits - 1}}}"
            self.pattern = rf"^({whole})(\.[0-9]{{1,2}})?$"
        else:  # 100: up to 99.99, or 100 itself
            below = rf"0|[1-9][0-9]{{0,{digits - 2}}}"
            self.pattern = rf"^(({below})(\.[0-9]{{1,2}})?|{maximum}(\.0{{1,2}})?)$"
        self._regex = re.compile(self.pattern)
        self.description = description

    def check(self, value: object) -> object:
        """A pydantic before-validator: the amount as a Decimal, or ValueError."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if 0 <= value <= self.maximum:
                return Decimal(value)
        elif isinstance(value, str) and self._regex.fullmatch(value):
            return Decimal(value)
        raise ValueError(
            f"give an amount from 0 to {self.maximum} as a decimal string with at most 2 "
            'decimals, such as "48.50", or as a whole number'
        )

    def json_schema(self) -> dict[str, Any]:
        return {
            "anyOf": [
                {"type": "string", "pattern": self.pattern},
                {"type": "integer", "minimum": 0, "maximum": self.maximum},
            ],
            "description": self.description,
        }


_BUDGET = _Amount(
    10**12 - 1, 'A decimal string with at most 2 decimals ("20000.00"), or a whole number'
)
_FEE = _Amount(10**10 - 1, 'A decimal string with at most 2 decimals ("650.00"), or a whole number')
_PERCENT = _Amount(100, 'A percentage 0-100 as a decimal string ("12.5") or a whole number')
# Money of a budget or a sale (up to 999,999,999,999.99), of a fee, and a percentage.
Money = Annotated[Decimal, BeforeValidator(_BUDGET.check), WithJsonSchema(_BUDGET.json_schema())]
Fee = Annotated[Decimal, BeforeValidator(_FEE.check), WithJsonSchema(_FEE.json_schema())]
Percent = Annotated[
    Decimal, BeforeValidator(_PERCENT.check), WithJsonSchema(_PERCENT.json_schema())
]


def _whole(value: Any) -> Any:
    # JSON Schema's integer is a number without a fraction: 3.0 is one, "3" and true are not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("give a whole number")
    return value


def json_number(value: Any) -> Any:
    """A pydantic before-validator: a JSON number (text and booleans are none)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("give a number")
    return value


# A count: a whole number in the id range (a JSON 3.0 is 3; text and booleans are none).
Count = Annotated[int, Field(ge=0, le=MAX_ID), BeforeValidator(_whole)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def Omittable(**constraints: Any) -> Any:  # noqa: N802  # a Field, named like one
    """A field of an update that may be left out but not be null (``name: str =
    Omittable(min_length=1)``): the document says a string, null is a 422 naming the field,
    and a field left out reads None and is not in ``model_dump(exclude_unset=True)``."""
    return Field(default=None, json_schema_extra=_no_default, **constraints)


def _takes_bool(annotation: Any) -> bool:
    if annotation is bool or annotation is Any:
        return True
    return any(_takes_bool(arg) for arg in typing.get_args(annotation))


# What reads text: strings and string enums, the types pydantic parses from ISO text, and
# any type with a parser of its own (a cursor, an amount of money).
_FROM_TEXT = (str, date, datetime, Decimal)


def _takes_text(annotation: Any) -> bool:
    if annotation is Any or isinstance(annotation, str | BeforeValidator):
        return True
    if isinstance(annotation, type) and issubclass(annotation, _FROM_TEXT):
        return True
    return any(_takes_text(arg) for arg in typing.get_args(annotation))


# The validation context of a page's form (api/web): an HTML form sends nothing but text, so
# its numbers come as text ("5"), which a JSON body's may not.
FORM_KEY = "creatormatch.form"
FORM: Final[dict[str, bool]] = {FORM_KEY: True}


class RequestModel(CleanTextModel):
    """A request body (every body of the API is one, or a creator record).

    Its text holds no control characters (``core/text.py``: none in single-line fields, only
    tab and line breaks in fields annotated ``MultilineStr``), so a NUL is a 422 naming the
    field rather than a 500 from PostgreSQL. pydantic's lax mode (which the ISO 8601 text of
    dates needs) reads ``true`` as 1 or as "true", and "5" as 5; here a boolean is only ever
    a boolean (boolean fields are ``StrictBool``, so 0 is no boolean either) and a number is
    never text, as the document says."""

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is None:
            return value
        items = value if isinstance(value, list) else [value]
        if not _takes_bool(field.annotation) and any(isinstance(item, bool) for item in items):
            raise ValueError("true or false is not a value of this field")
        takes_text = _takes_text(field.annotation) or any(map(_takes_text, field.metadata))
        from_form = isinstance(info.context, dict) and info.context.get(FORM_KEY)
        if not takes_text and not from_form and any(isinstance(item, str) for item in items):
            raise ValueError("text is not a value of this field")
        return value


class Page(BaseModel, Generic[T]):
    """One page of results. Pass ``next_cursor`` back as ``cursor`` for the next page; it is
    null on the last page."""

    items: list[T]
    next_cursor: str | None = Field(default=None, examples=["AAAAAAAAADI"])


# Cursors. A cursor is the base64url (unpadded) of its list's keyset position: big-endian
# signed integers of 32 or 64 bits, never negative. The format is fixed-width so that an exact
# ``pattern`` in the OpenAPI document says which strings are cursors: every string that matches
# decodes to a position in range (a position past the end is an empty page), and every other
# string is refused before the handler runs, with a 422 naming ``cursor``.
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_NOT_A_CURSOR = "not a cursor from this API; pass next_cursor back unchanged"
_STRUCT = {32: "i", 64: "q"}


def _char_class(indices: Sequence[int]) -> str:
    """A regex class for some base64url digits, as ranges: ``[A-Za-f]``."""
    chars = sorted((_ALPHABET[i] for i in indices), key=ord)
    ranges: list[list[str]] = []
    for char in chars:
        if ranges and ord(char) == ord(ranges[-1][-1]) + 1 and char != "_":
            ranges[-1].append(char)
        else:
            ranges.append([char])
    dash = [r for r in ranges if r == ["-"]]
    parts = [f"{r[0]}-{r[-1]}" if len(r) > 2 else "".join(r) for r in ranges if r != ["-"]]
    return "[" + "".join(parts) + ("-" if dash else "") + "]"


class Keyset:
    """The cursor format of one kind of list: a keyset position (such as the last id shown)
    of named non-negative integers, each of 32 or 64 bits: ``Keyset(after=64)``."""

    def __init__(self, **bits: int) -> None:
        self.names = tuple(bits)
        self.bits = tuple(bits.values())
        self.max = {name: 2 ** (width - 1) - 1 for name, width in bits.items()}
        self._struct = ">" + "".join(_STRUCT[width] for width in self.bits)
        total = sum(self.bits)
        self.length = -(-total // 6)
        # The sign bit of each value and the padding bits of the last digit are zero.
        starts = [sum(self.bits[:i]) for i in range(len(self.bits))]
        zero = set(starts) | set(range(total, 6 * self.length))
        classes = [
            _char_class(
                [
                    digit
                    for digit in range(64)
                    if not any((digit >> (5 - j)) & 1 for j in range(6) if 6 * i + j in zero)
                ]
            )
            for i in range(self.length)
        ]
        runs: list[list[Any]] = []
        for cls in classes:
            if runs and runs[-1][0] == cls:
                runs[-1][1] += 1
            else:
                runs.append([cls, 1])
        self.pattern = "^" + "".join(c if n == 1 else f"{c}{{{n}}}" for c, n in runs) + "$"
        self._regex = re.compile(self.pattern)

    def encode(self, values: Mapping[str, int]) -> str:
        """The cursor of a position given by name (``{"after": 42}``)."""
        if set(values) != set(self.names):
            raise ValueError(f"a position of {self.names}, not {sorted(values)}")
        for name in self.names:
            if not 0 <= values[name] <= self.max[name]:
                raise ValueError(f"{name} is in 0..{self.max[name]}, not {values[name]}")
        raw = struct.pack(self._struct, *(values[name] for name in self.names))
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def values(self, cursor: str) -> dict[str, int]:
        """The position in ``cursor``; ValueError when it is not one of this format."""
        if not self._regex.fullmatch(cursor):
            raise ValueError(_NOT_A_CURSOR)
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return dict(zip(self.names, struct.unpack(self._struct, raw), strict=True))

    def decode(self, cursor: str | None) -> dict[str, int] | None:
        """The position in ``cursor`` (None for the first page); raises naming ``cursor``."""
        if cursor is None:
            return None
        try:
            return self.values(cursor)
        except ValueError:
            raise InvalidInputError.for_field("cursor", _NOT_A_CURSOR) from None

    def check(self, value: object) -> object:
        """A pydantic before-validator: a str that is a cursor of this format passes."""
        if value is not None:
            if not isinstance(value, str):
                raise ValueError(_NOT_A_CURSOR)
            self.values(value)
        return value

    def json_schema(self, description: str, *, nullable: bool = False) -> dict[str, Any]:
        """The document's schema of this format (``nullable``: or null, in a JSON body)."""
        string = {
            "type": "string",
            "pattern": self.pattern,
            "minLength": self.length,
            "maxLength": self.length,
        }
        example = self.encode(dict.fromkeys(self.names, 42))
        options = {"anyOf": [string, {"type": "null"}]} if nullable else string
        return {**options, "description": description, "examples": [example]}


# Ids are 64-bit; the queue's priority is a 32-bit INTEGER column.
AFTER = Keyset(after=64)
BEFORE = Keyset(before=64)
OFFSET = Keyset(offset=64)
QUEUE = Keyset(priority=32, after=64)

_CURSOR_DOC = (
    "The `next_cursor` of the previous page, unchanged; leave it out for the first page. "
    "Anything else is a 422"
)


# ``cursor`` of a list in id order, of the newest-first webhook events, of the compliance
# queue, and of ``POST /v1/match``: validated by the keyset (a 422 naming ``cursor``).
AfterCursor = Annotated[
    str | None, BeforeValidator(AFTER.check), WithJsonSchema(AFTER.json_schema(_CURSOR_DOC))
]
BeforeCursor = Annotated[
    str | None, BeforeValidator(BEFORE.check), WithJsonSchema(BEFORE.json_schema(_CURSOR_DOC))
]
QueueCursor = Annotated[
    str | None, BeforeValidator(QUEUE.check), WithJsonSchema(QUEUE.json_schema(_CURSOR_DOC))
]
OffsetCursor = Annotated[
    str | None,
    BeforeValidator(OFFSET.check),
    WithJsonSchema(OFFSET.json_schema(_CURSOR_DOC, nullable=True)),
]


def encode_cursor(after_id: int) -> str:
    """A cursor that continues after ``after_id`` in id order."""
    return AFTER.encode({"after": after_id})


def decode_cursor(cursor: str | None) -> int | None:
    """The id to continue after (None for the first page)."""
    values = AFTER.decode(cursor)
    return None if values is None else values["after"]


def page_of(
    rows: Sequence[R],
    limit: int,
    read: Callable[[R], T],
    position: Callable[[R], dict[str, int]],
    keyset: Keyset | None = None,
) -> Page[T]:
    """A page from ``rows`` fetched with ``limit + 1``: the extra row only tells that there
    is a next page, whose cursor is the ``position`` of the last row shown (in ``keyset``'s
    format, by default ``AFTER``)."""
    items = [read(row) for row in rows[:limit]]
    more = len(rows) > limit
    cursor = (keyset or AFTER).encode(position(rows[limit - 1])) if more else None
    return Page[T](items=items, next_cursor=cursor)
