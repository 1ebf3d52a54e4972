"""Reading and writing creator records as JSONL and CSV, streamed line by line.

The format of a file is detected from its content: a first non-blank line that starts with
``{`` is JSONL, anything else is CSV with a header row. CSV flattens nested fields with dotted
column names (``audience.gender.female``, ``rates.post``); list fields are ``|``-separated and
``recent_posts`` holds a JSON array. docs/creator-record.md lists every column.

A :class:`CsvPreset` (creators/presets.py: HubSpot, Salesforce) reads and writes a CRM's own
columns instead; the streaming, the line numbers and the error handling stay the same.

CSV is written through core/csvsafe.py, which puts a ``'`` before a cell a spreadsheet would
run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR); the reader takes that quote off again,
so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from core import csvsafe
from core.errors import FieldError, InvalidInputError, PayloadTooLargeError
from creators.record import AGE_BANDS, GENDERS, CreatorRecord, validation_errors

__all__ = [
    "CSV_COLUMNS",
    "MAX_LINE_BYTES",
    "CsvPreset",
    "ParsedRow",
    "RowReader",
    "detect_format",
    "iter_csv",
    "iter_export",
    "iter_jsonl",
    "parse_records",
    "record_to_csv_row",
]

Format = Literal["jsonl", "csv"]

# One line of JSONL (or one CSV physical line) may not exceed this: it keeps memory bounded.
MAX_LINE_BYTES = 1024 * 1024

_SCALARS = (
    "platform",
    "handle",
    "display_name",
    "bio",
    "profile_url",
    "country",
    "language",
    "followers",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "posts_per_month",
    "engagement_rate",
    "engagement_rate_computed",
    "email",
    "is_virtual",
    "source",
    "updated_at",
)
_LISTS = ("categories", "brands_mentioned")
_RATES = ("rates.currency", "rates.post", "rates.story", "rates.video", "rates.short")
_BOOLS = {"engagement_rate_computed", "is_virtual"}

CSV_COLUMNS: tuple[str, ...] = (
    *_SCALARS,
    *_LISTS,
    "recent_posts",
    *(f"audience.age.{band}" for band in AGE_BANDS),
    *(f"audience.gender.{g}" for g in GENDERS),
    "audience.countries",
    "audience.interests",
    *_RATES,
)
_KNOWN_COLUMNS = frozenset(CSV_COLUMNS)


@dataclass
class ParsedRow:
    """One input row: its first line number and either a record or the errors found."""

    line: int
    record: CreatorRecord | None = None
    errors: list[FieldError] = field(default_factory=list)


# Turns the cells of one CSV row (and its first line number) into parsed rows.
RowReader = Callable[[list[str], int], list[ParsedRow]]


class CsvPreset(Protocol):
    """Another CSV layout for creators (a CRM's columns); creators/presets.py has the presets."""

    @property
    def title(self) -> str: ...

    def reader(self, header: list[str], line: int) -> RowReader:
        """Check the header (raise InvalidInputError) and return the row reader."""
        ...

    def is_footer(self, cells: list[str]) -> bool:
        """True for the first row of trailing non-data lines: reading stops there."""
        ...

    def export_columns(self) -> tuple[str, ...]: ...

    def export_rows(self, records: Iterable[CreatorRecord]) -> Iterator[dict[str, str]]: ...


def _byte_lines(chunks: Iterable[bytes], limit: int | None) -> Iterator[bytes]:
    """Split a stream of byte chunks into lines (keeping ``\\n``), enforcing ``limit``."""
    buffer = b""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if limit is not None and total > limit:
            raise PayloadTooLargeError(
                f"the upload is larger than the limit of {limit:,} bytes "
                "(CREATORMATCH_MAX_UPLOAD_BYTES); split the file"
            )
        buffer += chunk
        while True:
            cut = buffer.find(b"\n")
            if cut < 0:
                break
            yield buffer[: cut + 1]
            buffer = buffer[cut + 1 :]
        if len(buffer) > MAX_LINE_BYTES:
            raise InvalidInputError(f"a line is longer than {MAX_LINE_BYTES:,} bytes")
    if buffer:
        yield buffer


class _DecodeError(Exception):
    def __init__(self, line: int, exc: UnicodeDecodeError) -> None:
        super().__init__(line)
        self.line = line
        self.exc = exc


def _text_lines(chunks: Iterable[bytes], limit: int | None) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(_byte_lines(chunks, limit), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _DecodeError(number, exc) from None


def _decode_error(err: _DecodeError) -> InvalidInputError:
    bad = err.exc.object[err.exc.start : err.exc.start + 1].hex()
    message = (
        f"line {err.line}: not valid UTF-8 (byte 0x{bad} at column {err.exc.start + 1}); "
        "save the file as UTF-8"
    )
    return InvalidInputError(message, [FieldError(field=None, message=message, line=err.line)])


def detect_format(first_line: str) -> Format:
    """``jsonl`` when the first non-blank line starts with ``{``, else ``csv``."""
    stripped = first_line.lstrip()
    if stripped.startswith("["):
        raise InvalidInputError(
            "the file is a JSON array; send one JSON object per line (JSONL) instead",
            [FieldError(field=None, message="a JSON array is not JSONL", line=1)],
        )
    return "jsonl" if stripped.startswith("{") else "csv"


def parse_records(
    chunks: Iterable[bytes], *, limit: int | None = None, preset: CsvPreset | None = None
) -> Iterator[ParsedRow]:
    """Parse a JSONL or CSV byte stream into rows, one at a time (constant memory).

    With a ``preset`` the file must be CSV in that preset's columns.

    Raises:
        InvalidInputError: for faults of the whole file (bad encoding, bad CSV header).
        PayloadTooLargeError: when the stream is longer than ``limit`` bytes.
    """
    lines = _text_lines(chunks, limit)
    try:
        first: tuple[int, str] | None = None
        for number, text in lines:
            if text.strip():
                first = (number, text)
                break
        if first is None:
            return
        rest = _chain(first, lines)
        if detect_format(first[1]) == "jsonl":
            if preset is not None:
                raise InvalidInputError.for_field(
                    "preset", f"the {preset.title} preset reads CSV, not JSONL", line=first[0]
                )
            yield from _parse_jsonl(rest)
        else:
            yield from _parse_csv(rest, preset)
    except _DecodeError as err:
        raise _decode_error(err) from None


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def _validate(data: dict[str, Any], line: int) -> ParsedRow:
    try:
        return ParsedRow(line=line, record=CreatorRecord.model_validate(data))
    except ValidationError as exc:
        return ParsedRow(line=line, errors=validation_errors(exc, line=line))


def _parse_jsonl(lines: Iterable[tuple[int, str]]) -> Iterator[ParsedRow]:
    for number, text in lines:
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            message = f"malformed JSON at column {exc.colno}: {exc.msg}"
            yield ParsedRow(line=number, errors=[FieldError(None, message, line=number)])
            continue
        if not isinstance(data, dict):
            message = f"expected a JSON object, got {type(data).__name__}"
            yield ParsedRow(line=number, errors=[FieldError(None, message, line=number)])
            continue
        yield _validate(data, number)


class _LineTracker:
    """Feeds csv.reader and remembers the physical line it has read up to."""

    def __init__(self, lines: Iterable[tuple[int, str]]) -> None:
        self._lines = iter(lines)
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        for number, text in self._lines:
            self.line = number
            yield text


def _is_country_column(column: str) -> bool:
    # audience.countries.US: one column per country, as an alternative to the JSON cell.
    prefix = "audience.countries."
    return column.startswith(prefix) and len(column) == len(prefix) + 2


def _parse_csv(
    lines: Iterable[tuple[int, str]], preset: CsvPreset | None = None
) -> Iterator[ParsedRow]:
    tracker = _LineTracker(lines)
    reader = csv.reader(tracker, strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except csv.Error as exc:
        raise InvalidInputError.for_field(
            "header", f"malformed CSV header: {exc}", line=1
        ) from None
    header_line = tracker.line
    read_row = preset.reader(header, header_line) if preset else _record_reader(header, header_line)
    while True:
        start = tracker.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = f"malformed CSV: {exc}"
            yield ParsedRow(line=start, errors=[FieldError(None, message, line=start)])
            continue
        if not any(cell.strip() for cell in cells):
            continue
        # Our exports escape formula cells with a quote (core/csvsafe.py): read them back.
        cells = [csvsafe.unescape_cell(cell) for cell in cells]
        if preset is not None and preset.is_footer(cells):
            return
        if len(cells) != len(header):
            message = f"expected {len(header)} cells as in the header, got {len(cells)}"
            yield ParsedRow(line=start, errors=[FieldError(None, message, line=start)])
            continue
        yield from read_row(cells, start)


def _record_reader(header: list[str], header_line: int) -> RowReader:
    """The reader of the creator-record columns, after checking the header."""
    unknown = [c for c in header if c not in _KNOWN_COLUMNS and not _is_country_column(c)]
    if unknown:
        raise InvalidInputError.for_field(
            unknown[0],
            f"unknown CSV column(s) {unknown}; see docs/creator-record.md for the columns",
            line=header_line,
        )
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise InvalidInputError.for_field(
            duplicated[0], f"duplicated CSV column(s) {duplicated}", line=header_line
        )
    for required in ("platform", "handle"):
        if required not in header:
            raise InvalidInputError.for_field(
                required, f"the CSV header has no {required!r} column", line=header_line
            )
    columns = _plan(header)

    def read(cells: list[str], line: int) -> list[ParsedRow]:
        data, errors = _unflatten(columns, cells, line)
        return [ParsedRow(line=line, errors=errors)] if errors else [_validate(data, line)]

    return read


_Kind = Literal["text", "list", "bool", "json"]


def _plan(header: list[str]) -> list[tuple[str, _Kind, tuple[str, ...]]]:
    """Per column, decided once per file: its name, how to read a cell, where it goes."""
    plan: list[tuple[str, _Kind, tuple[str, ...]]] = []
    for column in header:
        kind: _Kind = "text"
        if column in _LISTS or column == "audience.interests":
            kind = "list"
        elif column in _BOOLS:
            kind = "bool"
        elif column in ("recent_posts", "audience.countries"):
            # recent_posts is a JSON array and audience.countries a JSON object in one cell.
            kind = "json"
        plan.append((column, kind, tuple(column.split("."))))
    return plan


def _unflatten(
    columns: list[tuple[str, _Kind, tuple[str, ...]]], cells: list[str], line: int
) -> tuple[dict[str, Any], list[FieldError]]:
    data: dict[str, Any] = {}
    errors: list[FieldError] = []
    for (column, kind, path), raw in zip(columns, cells, strict=True):
        cell = raw.strip()
        if not cell:
            continue
        value: Any = cell
        if kind == "list":
            value = [part.strip() for part in cell.split("|") if part.strip()]
        elif kind == "bool":
            lowered = cell.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                errors.append(FieldError(column, f"expected true or false, got {cell!r}", line))
                continue
            value = lowered in ("true", "1", "yes")
        elif kind == "json":
            try:
                value = json.loads(cell)
            except json.JSONDecodeError as exc:
                errors.append(FieldError(column, f"malformed JSON in the cell: {exc.msg}", line))
                continue
        if len(path) == 1:
            data[column] = value
            continue
        target = data
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return data, errors


def record_to_csv_row(record: CreatorRecord) -> dict[str, str]:
    """The record as one CSV row (the inverse of the CSV reader)."""
    data = record.model_dump(mode="json")
    row = dict.fromkeys(CSV_COLUMNS, "")
    for column in _SCALARS:
        value = data.get(column)
        if value is not None:
            row[column] = str(value).lower() if isinstance(value, bool) else str(value)
    for column in _LISTS:
        row[column] = "|".join(data.get(column) or [])
    if data.get("recent_posts"):
        row["recent_posts"] = json.dumps(data["recent_posts"], ensure_ascii=False)
    audience = data.get("audience") or {}
    for band, share in (audience.get("age") or {}).items():
        row[f"audience.age.{band}"] = str(share)
    for gender, share in (audience.get("gender") or {}).items():
        row[f"audience.gender.{gender}"] = str(share)
    if audience.get("countries"):
        row["audience.countries"] = json.dumps(audience["countries"])
    row["audience.interests"] = "|".join(audience.get("interests") or [])
    rates = data.get("rates") or {}
    for column in _RATES:
        value = rates.get(column.removeprefix("rates."))
        if value is not None:
            row[column] = str(value)
    return row


class _Buffer:
    """A write() target that hands back what was written since the last take()."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)

    def take(self) -> str:
        text = "".join(self._parts)
        self._parts.clear()
        return text


def iter_csv(
    records: Iterable[CreatorRecord],
    *,
    rows_per_chunk: int = 500,
    preset: CsvPreset | None = None,
) -> Iterator[str]:
    """CSV text (header first) in chunks of ``rows_per_chunk`` rows: memory stays flat.

    With a ``preset`` the columns are the CRM's (see :meth:`CsvPreset.export_rows`).
    """
    buffer = _Buffer()
    columns = preset.export_columns() if preset else CSV_COLUMNS
    rows = preset.export_rows(records) if preset else map(record_to_csv_row, records)
    writer = csvsafe.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    pending = 0
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.take()
            pending = 0
    yield buffer.take()


def iter_jsonl(
    records: Iterable[CreatorRecord],
    *,
    rows_per_chunk: int = 500,
    preset: CsvPreset | None = None,
) -> Iterator[str]:
    """JSONL text in chunks of ``rows_per_chunk`` lines. With a ``preset`` each line is the
    CSV row the preset writes (its columns as keys, text values), not the record."""
    rows: Iterable[Mapping[str, Any]] = (
        preset.export_rows(records) if preset else (r.to_json() for r in records)
    )
    lines: list[str] = []
    for row in rows:
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
        if len(lines) >= rows_per_chunk:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


def iter_export(
    records: Iterable[CreatorRecord], fmt: Format, *, preset: CsvPreset | None = None
) -> Iterator[str]:
    """Records in ``fmt`` (``jsonl`` or ``csv``), as text chunks, in a CRM's columns with a
    ``preset``."""
    if fmt == "csv":
        return iter_csv(records, preset=preset)
    return iter_jsonl(records, preset=preset)
