from __future__ import annotations

import csv
import io
import json

import pytest

from core.errors import InvalidInputError, PayloadTooLargeError
from creators.formats import CSV_COLUMNS, detect_format, iter_csv, iter_jsonl, parse_records
from creators.record import CreatorRecord
from tests.factories import creator_record, jsonl


def parse(data: bytes, chunk: int = 7, limit: int | None = None) -> list:  # type: ignore[type-arg]
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    return list(parse_records(chunks, limit=limit))


@pytest.mark.parametrize(
    ("first", "fmt"), [('{"a": 1}', "jsonl"), ("  {", "jsonl"), ("platform,handle", "csv")]
)
def test_format_is_detected_from_content(first: str, fmt: str) -> None:
    assert detect_format(first) == fmt


def test_json_array_is_refused_with_advice() -> None:
    with pytest.raises(InvalidInputError, match="JSONL"):
        parse(b'[{"platform": "x", "handle": "a"}]')


def test_jsonl_rows_keep_their_line_numbers_across_blank_lines() -> None:
    data = b"\n" + jsonl([creator_record(handle="a")]) + b"\n\n" + b'{"platform": "x"}\n'
    rows = parse(data)
    assert [r.line for r in rows] == [2, 5]
    assert rows[0].record is not None and rows[0].record.handle == "a"
    assert rows[1].errors[0].field == "handle" and rows[1].errors[0].line == 5


@pytest.mark.parametrize(
    ("line", "fragment"),
    [(b'{"platform": "x", "handle": ', "malformed JSON at column"), (b"[1, 2]", "JSON object")],
)
def test_malformed_json_line_names_the_line(line: bytes, fragment: str) -> None:
    rows = parse(jsonl([creator_record()]) + line + b"\n")
    assert rows[1].record is None
    assert rows[1].errors[0].line == 2
    assert fragment in rows[1].errors[0].message


def test_csv_dotted_columns_build_nested_fields() -> None:
    data = (
        b"platform,handle,followers,audience.age.18-24,audience.age.25-34,"
        b"audience.gender.female,audience.gender.male,audience.countries.US,audience.countries.CA,"
        b"audience.interests,rates.currency,rates.post,categories,is_virtual,recent_posts\n"
        b"instagram,@glow,12000,0.4,0.6,0.9,0.1,0.7,0.2,skincare|beauty,USD,350,beauty,false,"
        b'"[{""text"": ""New serum #ad"", ""likes"": 400}]"\n'
    )
    (row,) = parse(data)
    record = row.record
    assert record is not None, row.errors
    assert record.audience is not None
    assert record.audience.age == {"18-24": 0.4, "25-34": 0.6}
    assert record.audience.countries == {"US": 0.7, "CA": 0.2}
    assert record.audience.interests == ["skincare", "beauty"]
    assert record.rates is not None and record.rates.post == 350
    assert record.recent_posts[0].text == "New serum #ad"
    assert record.is_virtual is False


def test_csv_errors_name_line_and_dotted_field() -> None:
    data = (
        b"platform,handle,followers,audience.gender.female\n"
        b"instagram,good,100,0.5\n"  # gender sums to 0.5: rejected
        b"instagram,neg,-4,\n"
        b'instagram,"multi\nline",10,\n'  # a quoted newline: the next row starts at line 6
        b"tiktok,fine,10,\n"
        b"instagram,short\n"
    )
    rows = parse(data)
    assert [(r.line, r.errors[0].field if r.errors else None) for r in rows] == [
        (2, "audience.gender"),
        (3, "followers"),
        (4, "handle"),
        (6, None),
        (7, None),
    ]
    assert "expected 4 cells" in rows[4].errors[0].message


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (b"platform,handle,folowers\n", "folowers"),
        (b"platform,handle,handle\n", "handle"),
        (b"handle,followers\n", "platform"),
    ],
)
def test_bad_csv_header_rejects_the_file(header: bytes, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        parse(header + b"x,y,z\n")
    assert info.value.errors[0].field == field
    assert info.value.errors[0].line == 1


def test_csv_bad_boolean_names_the_field() -> None:
    (row,) = parse(b"platform,handle,is_virtual\ninstagram,a,maybe\n")
    assert row.errors[0].field == "is_virtual"


def test_utf8_bom_is_accepted() -> None:
    (row,) = parse(b"\xef\xbb\xbfplatform,handle\ninstagram,caf\xc3\xa9_au_lait\n")
    assert row.record is not None and row.record.handle == "café_au_lait"


@pytest.mark.parametrize("chunk", [1, 5, 4096])
def test_latin1_file_is_refused_naming_the_line(chunk: int) -> None:
    data = "platform,handle,bio\ninstagram,a,ok\ninstagram,b,Caf\xe9\n".encode("latin-1")
    with pytest.raises(InvalidInputError) as info:
        parse(data, chunk=chunk)
    assert info.value.errors[0].line == 3
    assert "UTF-8" in info.value.message and "0xe9" in info.value.message


def test_size_limit_is_enforced_while_streaming() -> None:
    with pytest.raises(PayloadTooLargeError):
        parse(jsonl([creator_record(handle=f"h{i}") for i in range(50)]), chunk=100, limit=2000)


def test_export_formats_round_trip() -> None:
    records = [
        CreatorRecord.model_validate(creator_record(handle=f"h{i}", followers=i * 1000))
        for i in range(3)
    ] + [CreatorRecord.model_validate({"platform": "blog", "handle": "bare"})]
    for text in ("".join(iter_csv(records)), "".join(iter_jsonl(records))):
        parsed = [r.record for r in parse(text.encode(), chunk=64)]
        assert parsed == records
    header = "".join(iter_csv(records)).splitlines()[0]
    assert header.split(",") == list(CSV_COLUMNS)


FORMULA = '=HYPERLINK("http://evil.example","x")'


def formula_record(**overrides: object) -> CreatorRecord:
    """A creator whose every free-text field would run in a spreadsheet if written as is."""
    data = creator_record(
        handle="-lena",
        display_name=FORMULA,
        bio="@SUM(1+1) and more",
        profile_url="+https://evil.example",
        email="=1+1@evil.example",
        categories=["-2+3", "vegan"],
        brands_mentioned=["@brand"],
        source="=cmd|' /C calc'!A0",
        **overrides,
    )
    data["audience"]["interests"] = ["=x", "cooking"]
    return CreatorRecord.model_validate(data)


def test_csv_export_escapes_formula_cells_and_reads_them_back() -> None:
    records = [
        formula_record(),
        CreatorRecord.model_validate({"platform": "blog", "handle": "q", "display_name": "'=1"}),
        CreatorRecord.model_validate({"platform": "blog", "handle": "o", "display_name": "'Ohana"}),
    ]
    text = "".join(iter_csv(records))
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert "'" + FORMULA in cells and "'-lena" in cells and "''=1" in cells
    assert "'Ohana" in cells  # a leading quote before plain text is left alone
    parsed = [r.record for r in parse(text.encode(), chunk=64)]
    assert parsed == records  # our importer takes off the quote our exporter put on


def test_a_quote_before_a_formula_in_a_foreign_file_is_read_as_escaping() -> None:
    (row,) = parse(b"platform,handle,display_name\ninstagram,a,'=1+1\n")
    assert row.record is not None and row.record.display_name == "=1+1"


def test_jsonl_export_is_one_object_per_line() -> None:
    record = CreatorRecord.model_validate(creator_record())
    (line,) = "".join(iter_jsonl([record])).splitlines()
    assert json.loads(line)["handle"] == "lena.greenkitchen"
    assert io.StringIO(line).read().count("\n") == 0
