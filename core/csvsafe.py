"""CSV that a spreadsheet will not run: every CSV creatormatch writes goes through here.

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula, so a creator named ``=HYPERLINK("http://evil",
"x")`` becomes a live link (or worse, a DDE command) in whoever opens the export. As OWASP's
"CSV Injection" page recommends, :func:`escape_cell` puts a single quote ``'`` before such a
cell and leaves the rest of it intact; the csv module's quoting still applies on top.

Decisions:

- **Numbers stay numbers.** A value that *is* a number (``int``, ``float`` or ``Decimal``,
  finite) is data we computed, not a formula: ``-3.5`` is written as ``-3.5`` so a
  spreadsheet can sum the column (a program's negative ROI, say). Only real numeric values
  get this; a *string* ``"-3.5"`` came from someone and is escaped like any other text.
  ``nan`` and ``inf`` are written as escaped text.
- **Reversible.** A text cell is escaped when it starts with a formula character, or with
  quotes followed by one (``'=x`` becomes ``''=x``); :func:`unescape_cell` removes exactly
  that one quote, so our importer reads back what our exporter wrote. A quote before anything
  else (``'Ohana``) is left alone both ways.
- **One place.** Product code writes CSV with :func:`writer` and :class:`DictWriter` only
  (tests/test_architecture.py checks that nothing else calls ``csv.writer`` or
  ``csv.DictWriter``); reading with ``csv.reader`` is fine.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

__all__ = [
    "FORMULA_STARTS",
    "DictWriter",
    "Writer",
    "escape_cell",
    "unescape_cell",
    "writer",
]

# The first characters that make a spreadsheet evaluate a cell (OWASP "CSV Injection").
FORMULA_STARTS = "=+-@\t\r"
_ESCAPE = "'"
# Quotes, then a formula character: the cells escape_cell prefixes with one more quote...
_NEEDS_ESCAPE = re.compile(rf"'*[{re.escape(FORMULA_STARTS)}]")
# ...and so the cells unescape_cell takes that quote from.
_ESCAPED = re.compile(rf"'+[{re.escape(FORMULA_STARTS)}]")


class _TextSink(Protocol):
    def write(self, text: str, /) -> Any: ...


def escape_cell(value: object) -> object:
    """The cell as it may be written: text that a spreadsheet would run gets a leading ``'``.

    Args:
        value: anything the csv module writes; ``None`` is an empty cell.

    Returns:
        A finite ``int``, ``float`` or ``Decimal`` (or a ``bool``) unchanged: numbers are data.
        Otherwise the text, with a ``'`` in front when it starts with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return (after any quotes).
    """
    if value is None:
        return ""
    if isinstance(value, int | Decimal | float) and _finite(value):
        return value
    text = str(value)
    return _ESCAPE + text if _NEEDS_ESCAPE.match(text) else text


def _finite(value: float | Decimal) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell` on a cell read back: ``'=x`` is ``=x``, ``''=x`` is ``'=x``;
    every other cell (``'Ohana``, ``plain``) is returned unchanged."""
    return text[1:] if _ESCAPED.match(text) else text


class Writer:
    """``csv.writer`` whose cells go through :func:`escape_cell`."""

    def __init__(self, sink: _TextSink, **options: Any) -> None:
        self._writer = csv.writer(sink, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([escape_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(sink: _TextSink, **options: Any) -> Writer:
    """A CSV writer that escapes formula cells; ``options`` are ``csv.writer``'s."""
    return Writer(sink, **options)


class DictWriter:
    """``csv.DictWriter`` whose cells (the header's too) go through :func:`escape_cell`."""

    def __init__(self, sink: _TextSink, fieldnames: Collection[str], **options: Any) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = csv.DictWriter(sink, fieldnames=self.fieldnames, **options)

    def writeheader(self) -> Any:
        return self.writerow({name: name for name in self.fieldnames})

    def writerow(self, row: Mapping[str, object]) -> Any:
        return self._writer.writerow({key: escape_cell(value) for key, value in row.items()})

    def writerows(self, rows: Iterable[Mapping[str, object]]) -> None:
        for row in rows:
            self.writerow(row)
