"""CRM presets: a HubSpot or Salesforce contacts export read as creators, and creators written
back in the CRM's own columns.

A preset is a table (:class:`Preset` of :class:`Column`): which CRM column fills which creator
field, and how a cell is converted each way. It plugs into the CSV reader and writer of
:mod:`creators.formats` (``preset=``), so an import with a preset streams and runs in one
transaction exactly like a plain import, and its errors name the line and the CRM column::

    line 7, column 'Followers__c': must be a whole number

Decisions (docs/crm-presets.md has the tables):

- A creator is keyed by (platform, handle), so a contact with handles on several platforms
  becomes one creator per handle. The contact's facts (name, e-mail, country, language, niche,
  contact id) go to each of them; its metrics (followers, engagement rate, rate per post) go to
  the first handle in the preset's column order only, because one number cannot describe
  several accounts. A contact is all or nothing: an error in any of its cells rejects all of
  its creators.
- The record has no external-id field, so the CRM's contact id is kept in ``source`` as
  ``hubspot:<Record ID>`` / ``salesforce:<Contact ID>`` and written back on export.
- Columns the preset does not know are ignored (CRM exports carry dozens); a file with none
  of the handle columns is refused, since nothing in it could become a creator.
- An export writes one row per creator; rows of the same contact that follow each other are
  merged back into one row when none of their cells disagree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from core.codes import COUNTRY_CODES, LANGUAGE_CODES
from core.errors import FieldError, InvalidInputError
from creators.formats import ParsedRow, RowReader
from creators.record import CreatorRecord, Platform, validation_errors

__all__ = [
    "CATEGORIES",
    "CONTACT_ID",
    "COUNTRY",
    "CURRENCY",
    "ENGAGEMENT_RATE",
    "FIRST_NAME",
    "HUBSPOT",
    "LANGUAGE",
    "LAST_NAME",
    "MONEY",
    "PRESETS",
    "SALESFORCE",
    "TEXT",
    "WHOLE_NUMBER",
    "Amount",
    "Column",
    "ColumnError",
    "Conversion",
    "Preset",
    "PresetName",
    "country_code",
    "country_name",
    "get_preset",
    "language_code",
    "language_name",
    "read_handle",
]

PresetName = Literal["none", "hubspot", "salesforce"]

# Pseudo fields: the two name columns are joined into ``display_name``; the contact id is kept
# in ``source`` as "<preset>:<id>".
FIRST_NAME: Final = "first_name"
LAST_NAME: Final = "last_name"
CONTACT_ID: Final = "contact_id"


class ColumnError(FieldError):
    """A :class:`FieldError` whose ``field`` is a CRM column, so it says "column"."""

    def describe(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"column {self.field!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


# --- cell conversions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """A money cell: the amount, and the currency when the cell names one (``EUR 650``)."""

    value: float
    currency: str | None = None


@dataclass(frozen=True)
class Conversion:
    """How a (stripped, non-empty) cell becomes a field value and back.

    ``read`` raises ``ValueError`` with a message for the user; ``write`` gets the value from
    the record's JSON form.
    """

    read: Callable[[str], Any]
    write: Callable[[Any], str]


_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# Thousands separators only in their place: "12,500" is 12500, "4,5" is refused (not 45).
_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SCALES = {"k": Decimal(1_000), "m": Decimal(1_000_000)}


def _decimal(text: str) -> Decimal:
    compact = "".join(text.split())
    if _GROUPED_RE.fullmatch(compact):
        compact = compact.replace(",", "")
    elif not _NUMBER_RE.fullmatch(compact):
        raise ValueError(f"{text!r} is not a number")
    try:
        return Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the patterns admit only valid decimals
        raise ValueError(f"{text!r} is not a number") from None


def _read_count(cell: str) -> int:
    scale = _SCALES.get(cell[-1].lower(), Decimal(1))
    digits = cell[:-1] if scale != 1 else cell
    try:
        value = _decimal(digits) * scale
    except ValueError:
        raise ValueError("must be a whole number") from None
    if value != value.to_integral_value():
        raise ValueError("must be a whole number")
    return int(value)


def _read_float(cell: str) -> float:
    return float(_decimal(cell))


def _read_rate(cell: str) -> float:
    if cell.endswith("%"):
        return float(_decimal(cell[:-1]) / 100)
    value = _decimal(cell)
    if value > 1:
        raise ValueError(
            f"{cell!r} is more than 1: write a percentage with its sign (4.5%) "
            "or a fraction (0.045)"
        )
    return float(value)


_MONEY_RE = re.compile(
    r"(?P<before>[A-Za-z]{3}|[$€£])?\s*(?P<amount>[\d.,\s]+?)\s*(?P<after>[A-Za-z]{3}|[$€£])?"
)
# "$" names no currency on purpose: it is the sign of a dozen of them.
_SYMBOLS = {"€": "EUR", "£": "GBP", "$": ""}


def _read_money(cell: str) -> Amount:
    match = _MONEY_RE.fullmatch(cell)
    if match is None:
        raise ValueError(f"{cell!r} is not an amount (write 650, 1,200.00 or EUR 650)")
    tokens = (match["before"] or "", match["after"] or "")
    codes = {_SYMBOLS.get(token, token.upper()) for token in tokens} - {""}
    if len(codes) > 1:
        raise ValueError(f"{cell!r} names two currencies")
    return Amount(_read_float(match["amount"]), codes.pop() if codes else None)


def _read_categories(cell: str) -> list[str]:
    # CRMs join multi-select values with ";"; people type "," as well.
    return [part.strip() for part in re.split(r"[;,|]", cell) if part.strip()]


def _write_number(value: Any) -> str:
    if isinstance(value, bool):  # pragma: no cover - no boolean column is numeric
        return str(value).lower()
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    # Plain notation (0.00001, not 1e-05): CRMs read digits and one point.
    return format(Decimal(repr(value)), "f")


def _write_text(value: Any) -> str:
    return str(value)


TEXT = Conversion(read=str, write=_write_text)
WHOLE_NUMBER = Conversion(read=_read_count, write=_write_number)
ENGAGEMENT_RATE = Conversion(read=_read_rate, write=_write_number)
MONEY = Conversion(read=_read_money, write=_write_number)
CURRENCY = Conversion(read=str.upper, write=_write_text)
CATEGORIES = Conversion(read=_read_categories, write=lambda value: ";".join(value))


def _fold(text: str) -> str:
    # "Côte d’Ivoire", "COTE D'IVOIRE" and "cote divoire" are the same name.
    bare = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", bare.replace("'", "").replace("’", "")).split())


def country_code(cell: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country name or code ("United States", "US", "USA").

    Raises:
        ValueError: for a name that is not in the table.
    """
    text = cell.strip()
    if len(text) == 2 and text.upper() in COUNTRY_CODES:
        return text.upper()
    code = _COUNTRY_BY_NAME.get(_fold(text))
    if code is None:
        raise ValueError(
            f"unknown country {text!r}; use a country name such as 'United States' "
            "or an ISO code such as 'US'"
        )
    return code


def country_name(code: str) -> str:
    """The English short name the presets write for an ISO country code."""
    return _COUNTRY_NAMES.get(code, code)


def language_code(cell: str) -> str:
    """The ISO 639-1 code of a language name, code or locale ("German", "de", "de-AT").

    Raises:
        ValueError: for a name that is not in the table.
    """
    text = cell.strip()
    lowered = text.lower().replace("_", "-")
    if lowered in LANGUAGE_CODES:
        return lowered
    if re.fullmatch(r"[a-z]{2}-[a-z0-9]{2,4}", lowered) and lowered[:2] in LANGUAGE_CODES:
        return lowered[:2]
    code = _LANGUAGE_BY_NAME.get(_fold(text))
    if code is None:
        raise ValueError(
            f"unknown language {text!r}; use a language name such as 'English' "
            "or an ISO code such as 'en'"
        )
    return code


def language_name(code: str) -> str:
    """The English name the presets write for an ISO 639-1 code."""
    return _LANGUAGE_NAMES.get(code, code)


COUNTRY = Conversion(read=country_code, write=country_name)
LANGUAGE = Conversion(read=language_code, write=language_name)


# --- handles -----------------------------------------------------------------------------------

_PROFILE_HOSTS: dict[Platform, tuple[str, ...]] = {
    Platform.INSTAGRAM: ("instagram.com",),
    Platform.TIKTOK: ("tiktok.com",),
    Platform.YOUTUBE: ("youtube.com",),
    Platform.X: ("x.com", "twitter.com"),
    Platform.LINKEDIN: ("linkedin.com",),
}
# Path segments that come before the handle: youtube.com/c/NAME, linkedin.com/in/NAME.
_PROFILE_PREFIXES: dict[Platform, tuple[str, ...]] = {
    Platform.YOUTUBE: ("c", "user", "channel"),
    Platform.LINKEDIN: ("in",),
}
# First path segments of links to posts and pages rather than to a profile.
_NOT_PROFILES = frozenset(
    ["p", "reel", "reels", "tv", "stories", "explore", "watch", "shorts", "results", "hashtag"]
)
_PROFILE_URLS: dict[Platform, str] = {
    Platform.INSTAGRAM: "https://www.instagram.com/{}/",
    Platform.TIKTOK: "https://www.tiktok.com/@{}",
    Platform.YOUTUBE: "https://www.youtube.com/@{}",
    Platform.X: "https://x.com/{}",
    Platform.LINKEDIN: "https://www.linkedin.com/in/{}",
}


def _on_platform(url: str, platform: Platform) -> bool:
    host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower()
    return any(host == h or host.endswith(f".{h}") for h in _PROFILE_HOSTS.get(platform, ()))


def read_handle(cell: str, platform: Platform) -> tuple[str, str | None]:
    """The handle in a CRM cell and, when the cell is a profile URL, that URL.

    ``@lena``, ``lena`` and ``https://www.instagram.com/lena/`` all give ``lena`` (the record
    lower-cases it and drops the ``@``).

    Raises:
        ValueError: for a URL of another site, or one without a handle in its path.
    """
    text = cell.strip()
    if "/" not in text and not text.lower().startswith("www."):
        return text, None
    if not _on_platform(text, platform):
        raise ValueError(f"{text!r} is not a profile URL on {platform.value}")
    path = urlsplit(text if "://" in text else f"https://{text}").path
    segments = [unquote(part) for part in path.split("/") if part]
    prefixes = _PROFILE_PREFIXES.get(platform, ())
    if segments and segments[0].lower() in prefixes:
        segments = segments[1:]
    elif platform is Platform.LINKEDIN:
        segments = []
    if not segments:
        raise ValueError(f"{text!r} has no {platform.value} handle in it")
    if segments[0].lower() in _NOT_PROFILES:
        raise ValueError(f"{text!r} links to a post, not to a profile")
    return segments[0], text


# --- presets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One CRM column and the creator field it fills.

    ``field`` is a dotted creator field (``email``, ``rates.post``); a handle column has a
    ``platform`` and the field ``handle`` (exported as the handle) or ``profile_url``
    (exported as a profile URL); or one of :data:`FIRST_NAME`, :data:`LAST_NAME` and
    :data:`CONTACT_ID`. ``aliases`` are other headers of the same column (API names, labels);
    headers match case-insensitively, with ``_`` read as a space. ``primary_only`` columns
    describe one account, so they go to the contact's first handle only.
    """

    name: str
    field: str
    conversion: Conversion = TEXT
    aliases: tuple[str, ...] = ()
    platform: Platform | None = None
    primary_only: bool = False


def _key(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class Preset:
    """A CRM's contacts CSV, column by column (see docs/crm-presets.md).

    ``single_name`` says which name column a one-word display name goes to on export;
    ``footer`` starts the lines a CRM appends after the data (Salesforce's copyright notice).
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    single_name: Literal["first", "last"] = "first"
    footer: str | None = None

    @property
    def handle_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.platform is not None)

    # -- import ---------------------------------------------------------------------------------

    def reader(self, header: list[str], line: int) -> RowReader:
        """Check the header and return the function that turns one row into records.

        Raises:
            InvalidInputError: for a header that names a column twice or has no handle column.
        """
        by_key = {_key(n): c for c in self.columns for n in (c.name, *c.aliases)}
        found: dict[Column, tuple[int, str]] = {}
        for position, cell in enumerate(header):
            column = by_key.get(_key(cell))
            if column is None:
                continue  # another CRM property: ignored (documented)
            if column in found:
                first = found[column][1]
                message = f"columns {first!r} and {cell!r} are the same {self.title} column"
                raise InvalidInputError(message, [ColumnError(cell, message, line)])
            found[column] = (position, cell)
        if not any(column.platform for column in found):
            names = [c.name for c in self.handle_columns]
            message = (
                f"the file has none of the {self.title} handle columns {names}; "
                f"is it a {self.title} contacts export?"
            )
            raise InvalidInputError(message, [ColumnError(None, message, line)])
        plan = [(c, *found[c]) for c in self.columns if c in found]

        def read(cells: list[str], row_line: int) -> list[ParsedRow]:
            return self._read_row(plan, cells, row_line)

        return read

    def is_footer(self, cells: list[str]) -> bool:
        """True for the first line of what the CRM appends after the data."""
        return self.footer is not None and len(cells) == 1 and cells[0].startswith(self.footer)

    def _read_row(
        self, plan: list[tuple[Column, int, str]], cells: list[str], line: int
    ) -> list[ParsedRow]:
        errors: list[FieldError] = []
        shared = _Fields(line, errors)
        primary = _Fields(line, errors)
        handles: list[tuple[Platform, str, str | None, str]] = []
        handle_cells = 0
        names: list[tuple[str, str]] = []
        for column, position, header in plan:
            cell = cells[position].strip()
            if not cell:
                continue
            try:
                if column.platform is not None:
                    handle_cells += 1
                    handle, url = read_handle(cell, column.platform)
                    handles.append((column.platform, handle, url, header))
                elif column.field in (FIRST_NAME, LAST_NAME):
                    names.append((" ".join(cell.split()), header))
                elif column.field == CONTACT_ID:
                    shared.put("source", f"{self.name}:{cell}", header)
                else:
                    target = primary if column.primary_only else shared
                    value = column.conversion.read(cell)
                    if isinstance(value, Amount):
                        target.put(column.field, value.value, header)
                        if value.currency is not None:
                            target.put("rates.currency", value.currency, header)
                    else:
                        target.put(column.field, value, header)
            except ValueError as exc:
                errors.append(ColumnError(header, str(exc), line))
        if not handle_cells:
            wanted = ", ".join(repr(c.name) for c in self.handle_columns)
            errors.append(ColumnError(None, f"no handle: fill one of {wanted}", line))
        shared.values.setdefault("source", (self.name, ""))
        if names:
            display = " ".join(name for name, _ in names)
            shared.put("display_name", display, " + ".join(header for _, header in names))
        # Validated even when a cell failed above, so that one pass reports every error.
        records: list[CreatorRecord] = []
        for number, (platform, handle, url, header) in enumerate(handles):
            fields = dict(shared.values)
            if number == 0:
                fields.update(primary.values)
            fields["platform"] = (platform.value, header)
            fields["handle"] = (handle, header)
            if url is not None:
                fields["profile_url"] = (url, header)
            try:
                records.append(CreatorRecord.model_validate(_nest(fields)))
            except ValidationError as exc:
                for error in validation_errors(exc, line=line):
                    errors.append(_column_error(error, fields, line))
        if errors:
            # One row per contact: a contact is imported whole or not at all.
            return [ParsedRow(line=line, errors=list(dict.fromkeys(errors)))]
        return [ParsedRow(line=line, record=record) for record in records]

    # -- export ---------------------------------------------------------------------------------

    def export_columns(self) -> tuple[str, ...]:
        """The CSV header an export writes: the CRM's column names."""
        return tuple(column.name for column in self.columns)

    def export_row(self, record: CreatorRecord) -> dict[str, str] | None:
        """The record as one CRM row, or None when the preset has no column for its platform."""
        data = record.model_dump(mode="json", exclude_none=True)
        row = dict.fromkeys(self.export_columns(), "")
        placed = False
        first, last = _split_name(record.display_name, self.single_name)
        for column in self.columns:
            if column.platform is not None:
                if column.platform is record.platform:
                    row[column.name] = self._handle_cell(column, record)
                    placed = True
            elif column.field == FIRST_NAME:
                row[column.name] = first
            elif column.field == LAST_NAME:
                row[column.name] = last
            elif column.field == CONTACT_ID:
                source = record.source or ""
                if source.startswith(f"{self.name}:"):
                    row[column.name] = source.removeprefix(f"{self.name}:")
            else:
                value = _get(data, column.field)
                if value is not None and value != []:
                    row[column.name] = column.conversion.write(value)
        return row if placed else None

    def export_rows(self, records: Iterable[CreatorRecord]) -> Iterator[dict[str, str]]:
        """One row per creator; consecutive rows of one contact that agree become one row."""
        id_columns = [c.name for c in self.columns if c.field == CONTACT_ID]
        pending: dict[str, str] | None = None
        for record in records:
            row = self.export_row(record)
            if row is None:
                continue
            if pending is not None and _mergeable(pending, row, id_columns):
                pending.update({k: v for k, v in row.items() if v})
                continue
            if pending is not None:
                yield pending
            pending = row
        if pending is not None:
            yield pending

    def _handle_cell(self, column: Column, record: CreatorRecord) -> str:
        assert column.platform is not None
        # A profile URL imported from this column goes back as it came (YouTube channel ids
        # are case-sensitive, the stored handle is not).
        if record.profile_url and _on_platform(record.profile_url, column.platform):
            return record.profile_url
        if column.field == "profile_url":
            return _PROFILE_URLS[column.platform].format(record.handle)
        return record.handle


class _Fields:
    """Dotted field -> (value, the CRM column it came from); a second, different value for
    the same field is an error naming both columns."""

    def __init__(self, line: int, errors: list[FieldError]) -> None:
        self.values: dict[str, tuple[Any, str]] = {}
        self._line = line
        self._errors = errors

    def put(self, field: str, value: Any, header: str) -> None:
        known = self.values.get(field)
        if known is not None and known[0] != value:
            message = f"{value!r} disagrees with {known[0]!r} in column {known[1]!r}"
            self._errors.append(ColumnError(header, message, self._line))
            return
        self.values[field] = (value, header)


def _nest(fields: dict[str, tuple[Any, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for dotted, (value, _header) in fields.items():
        *parents, leaf = dotted.split(".")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return data


def _column_error(error: FieldError, fields: dict[str, tuple[Any, str]], line: int) -> ColumnError:
    """A record validation error, pointed at the CRM column its field came from."""
    dotted = error.field or ""
    parts = dotted.split(".")
    while parts:
        known = fields.get(".".join(parts))
        if known is not None:
            return ColumnError(known[1], error.message, line)
        parts.pop()
    # A nested value (rates) whose error sits on the parent: any column that fed it.
    for name, (_value, header) in fields.items():
        if dotted and name.startswith(f"{dotted}."):
            return ColumnError(header, error.message, line)
    return ColumnError(None, f"{dotted}: {error.message}" if dotted else error.message, line)


def _get(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _split_name(name: str | None, single: Literal["first", "last"]) -> tuple[str, str]:
    # "José Müller" -> ("José", "Müller"); the first word is the first name, the rest the
    # last name ("Maria de la Cruz" keeps her surname whole).
    if not name:
        return "", ""
    words = name.split(None, 1)
    if len(words) == 2:
        return words[0], words[1]
    return (name, "") if single == "first" else ("", name)


def _mergeable(pending: dict[str, str], row: dict[str, str], id_columns: list[str]) -> bool:
    if not any(pending[c] and pending[c] == row[c] for c in id_columns):
        return False
    return all(
        not a or not b or a == b for a, b in zip(pending.values(), row.values(), strict=True)
    )


HUBSPOT = Preset(
    name="hubspot",
    title="HubSpot",
    columns=(
        Column("Record ID", CONTACT_ID, aliases=("hs_object_id", "Contact ID")),
        Column("First Name", FIRST_NAME, aliases=("firstname",)),
        Column("Last Name", LAST_NAME, aliases=("lastname",)),
        Column("Email", "email"),
        Column("Country/Region", "country", COUNTRY, aliases=("country",)),
        Column("Language", "language", LANGUAGE),
        Column("Niche", "categories", CATEGORIES, aliases=("Categories",)),
        Column("Instagram Handle", "handle", platform=Platform.INSTAGRAM),
        Column("TikTok Handle", "handle", platform=Platform.TIKTOK),
        Column("YouTube Channel", "handle", platform=Platform.YOUTUBE),
        Column(
            "Twitter Username",
            "handle",
            aliases=("twitterhandle", "X Handle"),
            platform=Platform.X,
        ),
        Column("LinkedIn URL", "profile_url", platform=Platform.LINKEDIN),
        Column("Followers", "followers", WHOLE_NUMBER, primary_only=True),
        Column("Engagement Rate", "engagement_rate", ENGAGEMENT_RATE, primary_only=True),
        Column("Rate per Post", "rates.post", MONEY, primary_only=True),
        Column("Rate Currency", "rates.currency", CURRENCY, primary_only=True),
    ),
    single_name="first",
)

SALESFORCE = Preset(
    name="salesforce",
    title="Salesforce",
    columns=(
        Column("Contact ID", CONTACT_ID, aliases=("Id",)),
        Column("First Name", FIRST_NAME, aliases=("FirstName",)),
        Column("Last Name", LAST_NAME, aliases=("LastName",)),
        Column("Email", "email"),
        Column("Mailing Country", "country", COUNTRY, aliases=("MailingCountry",)),
        Column("Language__c", "language", LANGUAGE, aliases=("Language",)),
        Column("Niche__c", "categories", CATEGORIES, aliases=("Niche",)),
        Column(
            "Instagram_Handle__c",
            "handle",
            aliases=("Instagram Handle",),
            platform=Platform.INSTAGRAM,
        ),
        Column("TikTok_Handle__c", "handle", aliases=("TikTok Handle",), platform=Platform.TIKTOK),
        Column(
            "YouTube_Channel__c",
            "handle",
            aliases=("YouTube Channel",),
            platform=Platform.YOUTUBE,
        ),
        Column(
            "Twitter_Handle__c",
            "handle",
            aliases=("Twitter Handle", "X_Handle__c"),
            platform=Platform.X,
        ),
        Column(
            "LinkedIn_URL__c",
            "profile_url",
            aliases=("LinkedIn URL",),
            platform=Platform.LINKEDIN,
        ),
        Column(
            "Followers__c", "followers", WHOLE_NUMBER, aliases=("Followers",), primary_only=True
        ),
        Column(
            "Engagement_Rate__c",
            "engagement_rate",
            ENGAGEMENT_RATE,
            aliases=("Engagement Rate",),
            primary_only=True,
        ),
        Column(
            "Rate_Per_Post__c",
            "rates.post",
            MONEY,
            aliases=("Rate Per Post",),
            primary_only=True,
        ),
        Column(
            "Contact Currency",
            "rates.currency",
            CURRENCY,
            aliases=("CurrencyIsoCode",),
            primary_only=True,
        ),
    ),
    single_name="last",  # Last Name is the one a Salesforce contact cannot lack
    footer="Copyright (c)",
)

PRESETS: dict[str, Preset] = {preset.name: preset for preset in (HUBSPOT, SALESFORCE)}


def get_preset(name: str) -> Preset | None:
    """The preset called ``name``; None for ``none`` (the creator-record columns).

    Raises:
        InvalidInputError: for an unknown name.
    """
    key = name.strip().lower()
    if key == "none":
        return None
    preset = PRESETS.get(key)
    if preset is None:
        choices = ", ".join(["none", *PRESETS])
        raise InvalidInputError.for_field("preset", f"unknown preset {name!r}; use {choices}")
    return preset


# --- names of countries and languages ----------------------------------------------------------
# From ISO 3166-1 and ISO 639 (Debian iso-codes), plus the names people type. One entry per
# code: the code (and for countries the alpha-3 code), the name an export writes, then other
# names; an indented line continues the entry above.

_COUNTRY_TABLE = """
AD AND Andorra | Principality of Andorra
AE ARE United Arab Emirates | UAE
AF AFG Afghanistan | Islamic Republic of Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania | Republic of Albania
AM ARM Armenia | Republic of Armenia
AO AGO Angola | Republic of Angola
AQ ATA Antarctica
AR ARG Argentina | Argentine Republic
AS ASM American Samoa
AT AUT Austria | Republic of Austria
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands
AZ AZE Azerbaijan | Republic of Azerbaijan
BA BIH Bosnia and Herzegovina | Republic of Bosnia and Herzegovina
BB BRB Barbados
BD BGD Bangladesh | People's Republic of Bangladesh
BE BEL Belgium | Kingdom of Belgium
BF BFA Burkina Faso
BG BGR Bulgaria | Republic of Bulgaria
BH BHR Bahrain | Kingdom of Bahrain
BI BDI Burundi | Republic of Burundi
BJ BEN Benin | Republic of Benin
BL BLM Saint Barthélemy
BM BMU Bermuda
BN BRN Brunei Darussalam | Brunei
BO BOL Bolivia | Bolivia, Plurinational State of | Plurinational State of Bolivia
BQ BES Bonaire, Sint Eustatius and Saba
BR BRA Brazil | Federative Republic of Brazil
BS BHS Bahamas | Commonwealth of the Bahamas
BT BTN Bhutan | Kingdom of Bhutan
BV BVT Bouvet Island
BW BWA Botswana | Republic of Botswana
BY BLR Belarus | Republic of Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands
CD COD Democratic Republic of the Congo | Congo, The Democratic Republic of the | DR Congo
    | Congo-Kinshasa
CF CAF Central African Republic
CG COG Congo | Republic of the Congo | Congo-Brazzaville
CH CHE Switzerland | Swiss Confederation
CI CIV Côte d'Ivoire | Republic of Côte d'Ivoire | Ivory Coast
CK COK Cook Islands
CL CHL Chile | Republic of Chile
CM CMR Cameroon | Republic of Cameroon
CN CHN China | People's Republic of China
CO COL Colombia | Republic of Colombia
CR CRI Costa Rica | Republic of Costa Rica
CU CUB Cuba | Republic of Cuba
CV CPV Cabo Verde | Republic of Cabo Verde | Cape Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus | Republic of Cyprus
CZ CZE Czechia | Czech Republic
DE DEU Germany | Federal Republic of Germany
DJ DJI Djibouti | Republic of Djibouti
DK DNK Denmark | Kingdom of Denmark
DM DMA Dominica | Commonwealth of Dominica
DO DOM Dominican Republic
DZ DZA Algeria | People's Democratic Republic of Algeria
EC ECU Ecuador | Republic of Ecuador
EE EST Estonia | Republic of Estonia
EG EGY Egypt | Arab Republic of Egypt
EH ESH Western Sahara
ER ERI Eritrea | the State of Eritrea
ES ESP Spain | Kingdom of Spain
ET ETH Ethiopia | Federal Democratic Republic of Ethiopia
FI FIN Finland | Republic of Finland
FJ FJI Fiji | Republic of Fiji
FK FLK Falkland Islands | Falkland Islands (Malvinas)
FM FSM Micronesia | Micronesia, Federated States of | Federated States of Micronesia
FO FRO Faroe Islands
FR FRA France | French Republic
GA GAB Gabon | Gabonese Republic
GB GBR United Kingdom | United Kingdom of Great Britain and Northern Ireland | UK | U.K.
    | Great Britain | Britain | England | Scotland | Wales | Northern Ireland
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana | Republic of Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia | Republic of the Gambia
GN GIN Guinea | Republic of Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea | Republic of Equatorial Guinea
GR GRC Greece | Hellenic Republic
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala | Republic of Guatemala
GU GUM Guam
GW GNB Guinea-Bissau | Republic of Guinea-Bissau
GY GUY Guyana | Republic of Guyana
HK HKG Hong Kong | Hong Kong Special Administrative Region of China
HM HMD Heard Island and McDonald Islands
HN HND Honduras | Republic of Honduras
HR HRV Croatia | Republic of Croatia
HT HTI Haiti | Republic of Haiti
HU HUN Hungary
ID IDN Indonesia | Republic of Indonesia
IE IRL Ireland
IL ISR Israel | State of Israel
IM IMN Isle of Man
IN IND India | Republic of India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq | Republic of Iraq
IR IRN Iran | Iran, Islamic Republic of | Islamic Republic of Iran
IS ISL Iceland | Republic of Iceland
IT ITA Italy | Italian Republic
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan | Hashemite Kingdom of Jordan
JP JPN Japan
KE KEN Kenya | Republic of Kenya
KG KGZ Kyrgyzstan | Kyrgyz Republic
KH KHM Cambodia | Kingdom of Cambodia
KI KIR Kiribati | Republic of Kiribati
KM COM Comoros | Union of the Comoros
KN KNA Saint Kitts and Nevis
KP PRK North Korea | Korea, Democratic People's Republic of
    | Democratic People's Republic of Korea
KR KOR South Korea | Korea, Republic of | Korea
KW KWT Kuwait | State of Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan | Republic of Kazakhstan
LA LAO Laos | Lao People's Democratic Republic
LB LBN Lebanon | Lebanese Republic
LC LCA Saint Lucia
LI LIE Liechtenstein | Principality of Liechtenstein
LK LKA Sri Lanka | Democratic Socialist Republic of Sri Lanka
LR LBR Liberia | Republic of Liberia
LS LSO Lesotho | Kingdom of Lesotho
LT LTU Lithuania | Republic of Lithuania
LU LUX Luxembourg | Grand Duchy of Luxembourg
LV LVA Latvia | Republic of Latvia
LY LBY Libya
MA MAR Morocco | Kingdom of Morocco
MC MCO Monaco | Principality of Monaco
MD MDA Moldova | Moldova, Republic of | Republic of Moldova
ME MNE Montenegro
MF MAF Saint Martin | Saint Martin (French part)
MG MDG Madagascar | Republic of Madagascar
MH MHL Marshall Islands | Republic of the Marshall Islands
MK MKD North Macedonia | Republic of North Macedonia | Macedonia
ML MLI Mali | Republic of Mali
MM MMR Myanmar | Republic of Myanmar | Burma
MN MNG Mongolia
MO MAC Macao | Macao Special Administrative Region of China
MP MNP Northern Mariana Islands | Commonwealth of the Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania | Islamic Republic of Mauritania
MS MSR Montserrat
MT MLT Malta | Republic of Malta
MU MUS Mauritius | Republic of Mauritius
MV MDV Maldives | Republic of Maldives
MW MWI Malawi | Republic of Malawi
MX MEX Mexico | United Mexican States
MY MYS Malaysia
MZ MOZ Mozambique | Republic of Mozambique
NA NAM Namibia | Republic of Namibia
NC NCL New Caledonia
NE NER Niger | Republic of the Niger
NF NFK Norfolk Island
NG NGA Nigeria | Federal Republic of Nigeria
NI NIC Nicaragua | Republic of Nicaragua
NL NLD Netherlands | Kingdom of the Netherlands | Holland | The Netherlands
NO NOR Norway | Kingdom of Norway
NP NPL Nepal | Federal Democratic Republic of Nepal
NR NRU Nauru | Republic of Nauru
NU NIU Niue
NZ NZL New Zealand
OM OMN Oman | Sultanate of Oman
PA PAN Panama | Republic of Panama
PE PER Peru | Republic of Peru
PF PYF French Polynesia
PG PNG Papua New Guinea | Independent State of Papua New Guinea
PH PHL Philippines | Republic of the Philippines
PK PAK Pakistan | Islamic Republic of Pakistan
PL POL Poland | Republic of Poland
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn
PR PRI Puerto Rico
PS PSE Palestine | Palestine, State of | the State of Palestine
PT PRT Portugal | Portuguese Republic
PW PLW Palau | Republic of Palau
PY PRY Paraguay | Republic of Paraguay
QA QAT Qatar | State of Qatar
RE REU Réunion
RO ROU Romania
RS SRB Serbia | Republic of Serbia
RU RUS Russian Federation | Russia
RW RWA Rwanda | Rwandese Republic
SA SAU Saudi Arabia | Kingdom of Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles | Republic of Seychelles
SD SDN Sudan | Republic of the Sudan
SE SWE Sweden | Kingdom of Sweden
SG SGP Singapore | Republic of Singapore
SH SHN Saint Helena, Ascension and Tristan da Cunha
SI SVN Slovenia | Republic of Slovenia
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia | Slovak Republic
SL SLE Sierra Leone | Republic of Sierra Leone
SM SMR San Marino | Republic of San Marino
SN SEN Senegal | Republic of Senegal
SO SOM Somalia | Federal Republic of Somalia
SR SUR Suriname | Republic of Suriname
SS SSD South Sudan | Republic of South Sudan
ST STP Sao Tome and Principe | Democratic Republic of Sao Tome and Principe
SV SLV El Salvador | Republic of El Salvador
SX SXM Sint Maarten | Sint Maarten (Dutch part)
SY SYR Syria | Syrian Arab Republic
SZ SWZ Eswatini | Kingdom of Eswatini | Swaziland
TC TCA Turks and Caicos Islands
TD TCD Chad | Republic of Chad
TF ATF French Southern Territories
TG TGO Togo | Togolese Republic
TH THA Thailand | Kingdom of Thailand
TJ TJK Tajikistan | Republic of Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste | Democratic Republic of Timor-Leste | East Timor
TM TKM Turkmenistan
TN TUN Tunisia | Republic of Tunisia
TO TON Tonga | Kingdom of Tonga
TR TUR Türkiye | Republic of Türkiye | Turkey
TT TTO Trinidad and Tobago | Republic of Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan | Taiwan, Province of China
TZ TZA Tanzania | Tanzania, United Republic of | United Republic of Tanzania
UA UKR Ukraine
UG UGA Uganda | Republic of Uganda
UM UMI United States Minor Outlying Islands
US USA United States | United States of America | U.S. | U.S.A. | America
UY URY Uruguay | Eastern Republic of Uruguay
UZ UZB Uzbekistan | Republic of Uzbekistan
VA VAT Vatican City | Holy See (Vatican City State) | Holy See
VC VCT Saint Vincent and the Grenadines
VE VEN Venezuela | Venezuela, Bolivarian Republic of | Bolivarian Republic of Venezuela
VG VGB British Virgin Islands | Virgin Islands, British
VI VIR U.S. Virgin Islands | Virgin Islands, U.S. | Virgin Islands of the United States
    | US Virgin Islands
VN VNM Vietnam | Viet Nam | Socialist Republic of Viet Nam
VU VUT Vanuatu | Republic of Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa | Independent State of Samoa
XK XKX Kosovo
YE YEM Yemen | Republic of Yemen
YT MYT Mayotte
ZA ZAF South Africa | Republic of South Africa
ZM ZMB Zambia | Republic of Zambia
ZW ZWE Zimbabwe | Republic of Zimbabwe
"""

_LANGUAGE_TABLE = """
aa Afar
ab Abkhazian
ae Avestan
af Afrikaans
ak Akan
am Amharic
an Aragonese
ar Arabic
as Assamese
av Avaric
ay Aymara
az Azerbaijani
ba Bashkir
be Belarusian
bg Bulgarian
bi Bislama
bm Bambara
bn Bengali
bo Tibetan
br Breton
bs Bosnian
ca Catalan | Valencian
ce Chechen
ch Chamorro
co Corsican
cr Cree
cs Czech
cu Church Slavic | Old Church Slavonic | Church Slavonic
cv Chuvash
cy Welsh
da Danish
de German
dv Divehi | Dhivehi | Maldivian
dz Dzongkha
ee Ewe
el Greek | Modern Greek
en English
eo Esperanto
es Spanish | Castilian
et Estonian
eu Basque
fa Persian | Farsi
ff Fulah
fi Finnish
fj Fijian
fo Faroese
fr French
fy Western Frisian
ga Irish
gd Gaelic | Scottish Gaelic
gl Galician
gn Guarani
gu Gujarati
gv Manx
ha Hausa
he Hebrew
hi Hindi
ho Hiri Motu
hr Croatian
ht Haitian | Haitian Creole
hu Hungarian
hy Armenian
hz Herero
ia Interlingua
id Indonesian
ie Interlingue | Occidental
ig Igbo
ii Sichuan Yi | Nuosu
ik Inupiaq
io Ido
is Icelandic
it Italian
iu Inuktitut
ja Japanese
jv Javanese
ka Georgian
kg Kongo
ki Kikuyu | Gikuyu
kj Kuanyama | Kwanyama
kk Kazakh
kl Kalaallisut | Greenlandic
km Central Khmer
kn Kannada
ko Korean
kr Kanuri
ks Kashmiri
ku Kurdish
kv Komi
kw Cornish
ky Kirghiz | Kyrgyz
la Latin
lb Luxembourgish | Letzeburgesch
lg Ganda
li Limburgan | Limburger | Limburgish
ln Lingala
lo Lao
lt Lithuanian
lu Luba-Katanga
lv Latvian
mg Malagasy
mh Marshallese
mi Maori
mk Macedonian
ml Malayalam
mn Mongolian
mr Marathi
ms Malay
mt Maltese
my Burmese
na Nauru
nb Norwegian Bokmål | Bokmål
nd North Ndebele
ne Nepali
ng Ndonga
nl Dutch | Flemish
nn Norwegian Nynorsk | Nynorsk
no Norwegian
nr South Ndebele
nv Navajo | Navaho
ny Chichewa | Chewa | Nyanja
oc Occitan | Provençal
oj Ojibwa
om Oromo
or Oriya
os Ossetian | Ossetic
pa Panjabi | Punjabi
pi Pali
pl Polish
ps Pushto | Pashto
pt Portuguese
qu Quechua
rm Romansh
rn Rundi
ro Romanian | Moldavian | Moldovan
ru Russian
rw Kinyarwanda
sa Sanskrit
sc Sardinian
sd Sindhi
se Northern Sami
sg Sango
si Sinhala | Sinhalese
sk Slovak
sl Slovenian
sm Samoan
sn Shona
so Somali
sq Albanian
sr Serbian
ss Swati
st Southern Sotho | Sotho
su Sundanese
sv Swedish
sw Swahili
ta Tamil
te Telugu
tg Tajik
th Thai
ti Tigrinya
tk Turkmen
tl Tagalog | Filipino
tn Tswana
to Tonga
tr Turkish
ts Tsonga
tt Tatar
tw Twi
ty Tahitian
ug Uighur | Uyghur
uk Ukrainian
ur Urdu
uz Uzbek
ve Venda
vi Vietnamese
vo Volapük
wa Walloon
wo Wolof
xh Xhosa
yi Yiddish
yo Yoruba
za Zhuang | Chuang
zh Chinese | Mandarin
zu Zulu
"""


def _entries(table: str) -> Iterator[list[str]]:
    entry: list[str] = []
    for line in table.splitlines():
        if not line.strip():
            continue
        if line.startswith(" "):
            entry += [part.strip() for part in line.strip().removeprefix("|").split("|")]
            continue
        if entry:
            yield entry
        code, _, rest = line.partition(" ")
        entry = [code, *(part.strip() for part in rest.split("|"))]
    if entry:
        yield entry


def _name_tables(table: str, *, alpha3: bool) -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for code, *rest in _entries(table):
        if alpha3:
            other, _, first = rest[0].partition(" ")
            rest = [first, other, *rest[1:]]
        names[code] = rest[0]
        for name in rest:
            by_name.setdefault(_fold(name), code)
    return names, by_name


_COUNTRY_NAMES, _COUNTRY_BY_NAME = _name_tables(_COUNTRY_TABLE, alpha3=True)
_LANGUAGE_NAMES, _LANGUAGE_BY_NAME = _name_tables(_LANGUAGE_TABLE, alpha3=False)
