"""``creatormatch plan`` on the demo roster: a plan within budget, by tier, with ranges and
reasons, and an HTML report with charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import cli.common as cli_common
from core.settings import Settings
from matcher.service import MatchService
from tests.cli.test_cli import invoke


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, settings: Settings, embedder: Any) -> CliRunner:
    monkeypatch.setenv("CREATORMATCH_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CREATORMATCH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setattr(
        cli_common, "match_service", lambda s, **_kw: MatchService(s.index_dir, lambda: embedder)
    )
    runner = CliRunner()
    code, _out, err = invoke(runner, "demo", "--creators", "80", "--seed", "9")
    assert code == 0, err
    return runner


def test_plan_prints_tiers_and_writes_the_report(runner: CliRunner, tmp_path: Path) -> None:
    report = tmp_path / "plan.html"
    code, out, err = invoke(
        runner, "plan", "--brief", "vegan skincare for women in the US", "--objective",
        "conversions", "--budget", "20000", "--html", str(report),
    )  # fmt: skip
    assert code == 0, err
    assert "conversions plan, budget USD 20,000" in out
    assert "\nmicro: 70% = USD 14,000" in out
    assert "solver optimal" in out
    assert "Estimates: " in out and "benchmark" in out  # no programme results yet
    page = report.read_text()
    assert page.startswith("<!doctype html>") or page.lower().startswith("<!doctype html>")
    assert page.count("<svg") >= 2

    code, out, err = invoke(
        runner, "plan", "--brief", "vegan skincare", "--objective", "awareness", "--budget",
        "5000", "--json", "--html", str(tmp_path / "b.html"),
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["objective"] == "awareness"
    assert data["estimates"]["source"] == "benchmarks"
    assert sum(c["cost"] for c in data["chosen"]) <= 5000


def test_plan_needs_a_budget_or_a_campaign(runner: CliRunner) -> None:
    code, _out, err = invoke(runner, "plan", "--brief", "skincare")
    assert code == 1 and "--budget" in err
    code, _out, err = invoke(runner, "plan", "--campaign", "1", "--objective", "fame")
    assert code == 1 and "objective" in err
