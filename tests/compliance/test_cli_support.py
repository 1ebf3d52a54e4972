"""read_jsonl and format_table."""

from __future__ import annotations

import json

from compliance.checker import check_many
from compliance.cli_support import format_table, read_jsonl
from compliance.types import Post
from core.errors import InvalidInputError


def _line(**patch: object) -> str:
    base = {
        "id": "a",
        "caption": "#ad hi",
        "platform": "instagram",
        "media": "image",
        "material_connection": {"type": "paid", "brand": "X"},
        "jurisdiction": "US",
    }
    return json.dumps({**base, **patch})


def test_read_jsonl_yields_posts_and_errors_with_line_numbers() -> None:
    lines = [_line(), "", "{not json", _line(jurisdiction="MARS"), _line(id="b", caption="hi")]
    out = list(read_jsonl(lines))
    assert [n for n, _ in out] == [1, 3, 4, 5]
    assert isinstance(out[0][1], Post) and isinstance(out[3][1], Post)
    bad_json, bad_field = out[1][1], out[2][1]
    assert isinstance(bad_json, InvalidInputError) and bad_json.errors[0].line == 3
    assert isinstance(bad_field, InvalidInputError)
    assert bad_field.errors[0].field == "jurisdiction" and bad_field.errors[0].line == 4
    assert "line 4" in str(bad_field)


def test_format_table() -> None:
    posts = [
        p
        for _, p in read_jsonl([_line(), _line(id="b", caption="new shoes")])
        if isinstance(p, Post)
    ]
    table = format_table(check_many(posts, score=False))
    rows = table.splitlines()
    assert rows[0].split() == ["id", "verdict", "reasons"]
    assert rows[1].split() == ["a", "compliant", "-"]
    assert rows[2].split() == ["b", "non_compliant", "NO_DISCLOSURE"]
