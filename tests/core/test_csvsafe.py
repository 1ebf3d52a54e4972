"""core/csvsafe.py: formula cells are escaped the OWASP way, numbers stay numbers, and the
escaping is undone exactly on the way back in."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from core.csvsafe import DictWriter, escape_cell, unescape_cell, writer


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-3.5", "'-3.5"),  # text that looks like a number is still text from someone
        ("'=1+1", "''=1+1"),  # already quoted: one more, so that reading back is exact
        ("''-x", "'''-x"),
        ("'Ohana", "'Ohana"),  # a quote before anything else is left alone
        ("'", "'"),
        ("Lena | Green Kitchen", "Lena | Green Kitchen"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_text_cells(value: str | None, written: str) -> None:
    assert escape_cell(value) == written


@pytest.mark.parametrize("number", [-3.5, -3, 0, 12, Decimal("-0.9000"), 1e-05, True])
def test_real_numbers_are_data_not_formulas(number: object) -> None:
    assert escape_cell(number) is number


@pytest.mark.parametrize("number", [float("-inf"), float("nan"), Decimal("-Infinity")])
def test_numbers_that_are_not_finite_are_escaped_text(number: object) -> None:
    cell = escape_cell(number)
    assert isinstance(cell, str)
    assert cell[0] not in "=+-@\t\r"


@pytest.mark.parametrize(
    "text",
    ["=1+1", "'=1+1", "''=1+1", "-x", "@", "\t", "\r", "'Ohana", "'", "''", "plain", "", "'-"],
)
def test_unescape_undoes_escape(text: str) -> None:
    escaped = escape_cell(text)
    assert isinstance(escaped, str)
    assert unescape_cell(escaped) == text


@pytest.mark.parametrize(("cell", "read"), [("'=x", "=x"), ("'Ohana", "'Ohana"), ("=x", "=x")])
def test_unescape_of_cells_from_elsewhere(cell: str, read: str) -> None:
    assert unescape_cell(cell) == read


def test_writer_escapes_every_cell_and_keeps_csv_quoting() -> None:
    out = io.StringIO()
    writer(out, lineterminator="\n").writerow(["=1+1", -2, 'a "b", c', "@x,y"])
    assert out.getvalue() == '\'=1+1,-2,"a ""b"", c","\'@x,y"\n'
    (row,) = csv.reader(io.StringIO(out.getvalue()))
    assert row == ["'=1+1", "-2", 'a "b", c', "'@x,y"]


def test_dict_writer_escapes_the_header_and_the_rows() -> None:
    out = io.StringIO()
    dict_writer = DictWriter(out, fieldnames=["name", "-n"], lineterminator="\n")
    dict_writer.writeheader()
    dict_writer.writerows([{"name": "+x", "-n": -1}, {"name": "ok", "-n": None}])
    assert out.getvalue() == "name,'-n\n'+x,-1\nok,\n"
