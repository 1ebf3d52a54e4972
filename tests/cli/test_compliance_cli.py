from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

BASE = {
    "caption": "Obsessed with my new serum from @glowlab, use code GLOW20!",
    "transcript": None,
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "GlowLab"},
    "platform_label": False,
    "jurisdiction": "US",
}


def write(tmp_path: Path, posts: list[object]) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in posts))
    return path


def test_json_output_is_one_result_per_line_in_input_order(tmp_path: Path) -> None:
    posts = [
        {**BASE, "id": "a"},
        {**BASE, "id": "b", "caption": "#ad " + BASE["caption"]},  # type: ignore[operator]
        {**BASE, "id": "c", "jurisdiction": "UK"},
    ]
    result = CliRunner().invoke(app, ["compliance", "check", str(write(tmp_path, posts)), "--json"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert [line["verdict"] for line in lines] == ["non_compliant", "compliant", "non_compliant"]
    assert "NO_DISCLOSURE" in lines[0]["reasons"]
    assert {"id", "verdict", "reasons", "findings"} <= set(lines[0])
    assert result.exit_code == 1


def test_table_output_and_exit_code_when_all_compliant(tmp_path: Path) -> None:
    posts = [{**BASE, "id": "ok", "caption": "#ad " + BASE["caption"]}]  # type: ignore[operator]
    result = CliRunner().invoke(app, ["compliance", "check", str(write(tmp_path, posts))])
    assert result.exit_code == 0
    header, row = result.stdout.splitlines()
    assert header.split() == ["id", "verdict", "reasons"]
    assert row.split()[:2] == ["ok", "compliant"]


def test_bad_line_is_reported_with_line_and_field_and_the_rest_is_checked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text(
        json.dumps({**BASE, "id": "a"})
        + "\n"
        + json.dumps({**BASE, "id": "b", "jurisdiction": "MARS"})
        + "\n"
        + "{not json\n"
    )
    result = CliRunner().invoke(app, ["compliance", "check", str(path), "--json"])
    assert result.exit_code == 2
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["a"]
    assert "line 2, field 'jurisdiction'" in result.stderr
    assert "line 3" in result.stderr
