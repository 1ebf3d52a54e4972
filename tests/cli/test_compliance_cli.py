from __future__ import annotations

import json
from pathlib import Path

import pytest
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


def test_the_fitted_classifiers_are_cached_in_the_data_dir_and_loaded_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compliance import classifier, statements

    # an admission of non-use, which no fixed form covers: the statement classifier reads it
    caption = "Haven't tried this serum yet but it looks amazing"
    path = write(tmp_path, [{**BASE, "id": "a", "caption": caption}])
    # as in a new process: nothing fitted yet
    monkeypatch.setattr(statements, "_cached", None)
    monkeypatch.setattr(classifier, "_cached", None)
    first = CliRunner().invoke(app, ["compliance", "check", str(path), "--json"])
    cache = tmp_path / "var" / "cache"
    names = sorted(p.name.rsplit("-", 1)[0] for p in cache.glob("*.pickle"))
    assert names == ["compliance-sponsorship", "compliance-statements"]

    def no_fitting(*_args: object) -> None:
        raise AssertionError("fitted again instead of loading the cache")

    monkeypatch.setattr(statements, "_cached", None)
    monkeypatch.setattr(classifier, "_cached", None)
    monkeypatch.setattr(statements, "_fit_default", no_fitting)
    monkeypatch.setattr(classifier, "_train", no_fitting)
    second = CliRunner().invoke(app, ["compliance", "check", str(path), "--json"])
    assert second.exit_code == first.exit_code
    assert second.stdout == first.stdout
    assert json.loads(second.stdout)["sponsored_score"] is not None


def test_settings_that_do_not_validate_check_without_a_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Production settings without secrets refuse to load; checking a file needs none of them,
    # so the check runs, fitting the classifiers instead of reading a cache.
    monkeypatch.setenv("CREATORMATCH_ENVIRONMENT", "production")
    path = write(tmp_path, [{**BASE, "id": "a", "caption": "#ad " + BASE["caption"]}])  # type: ignore[operator]
    result = CliRunner().invoke(app, ["compliance", "check", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "compliant"
    assert not (tmp_path / "var" / "cache").exists()
