"""The compliance evaluation computes its numbers from the labels and runs from one command."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from compliance.evaluate import evaluate_rows, load_eval, naive_hashtag_ad
from compliance.rules import RULES
from eval import compliance as runner

ROW = {
    "caption": "x",
    "transcript": None,
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "B"},
    "platform_label": False,
    "jurisdiction": "US",
}


def _row(
    i: int, verdict: str, reasons: list[str], language: str, jurisdiction: str
) -> dict[str, Any]:
    return {
        **ROW,
        "id": f"r{i}",
        "language": language,
        "jurisdiction": jurisdiction,
        "expected_verdict": verdict,
        "expected_reasons": reasons,
    }


def test_metrics_are_computed_from_the_rows() -> None:
    rows = [
        _row(1, "non_compliant", ["NO_DISCLOSURE"], "en", "US"),
        _row(2, "non_compliant", ["AMBIGUOUS_TERM"], "en", "UK"),
        _row(3, "compliant", [], "de", "EU"),
        _row(4, "needs_review", ["UK_NON_AD_LABEL"], "en", "UK"),
    ]
    answers = {
        "r1": ("non_compliant", ("NO_DISCLOSURE",)),  # right
        "r2": ("non_compliant", ("NO_DISCLOSURE",)),  # right verdict, wrong code
        "r3": ("needs_review", ("UNSUBSTANTIATED_CLAIM",)),  # wrong
        "r4": ("needs_review", ("UK_NON_AD_LABEL",)),  # right
    }

    def predictor(row: dict[str, Any]) -> tuple[str, tuple[str, ...], str]:
        verdict, reasons = answers[row["id"]]
        return verdict, reasons, "en"

    report = evaluate_rows(rows, predictor)
    assert (report.n, report.verdict_correct, report.reasons_exact) == (4, 3, 2)
    nd = report.per_code["NO_DISCLOSURE"]
    assert (nd.tp, nd.fp, nd.fn) == (1, 1, 0)
    assert nd.precision == pytest.approx(0.5) and nd.recall == 1.0
    assert nd.f1 == pytest.approx(2 / 3)
    assert report.per_code["AMBIGUOUS_TERM"].recall == 0.0
    # macro F1 over the four codes expected or fired: NO_DISCLOSURE 2/3, AMBIGUOUS 0,
    # UK_NON_AD_LABEL 1, UNSUBSTANTIATED_CLAIM 0
    assert report.scored_codes == sorted(report.scored_codes, key=list(RULES).index)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0 + 1 + 0) / 4)
    assert report.min_recall == 0.0
    assert report.confusion["compliant"]["needs_review"] == 1
    assert report.confusion["non_compliant"]["non_compliant"] == 2
    assert report.per_language["de"].accuracy == 0.0
    assert report.per_language["en"].accuracy == 1.0
    assert report.per_jurisdiction["UK"].correct == 2
    assert [f["id"] for f in report.failures] == ["r2", "r3"]


def test_changing_a_label_changes_the_numbers() -> None:
    rows = load_eval(runner.SETS[2].path)  # the dev set
    before = evaluate_rows(rows)
    changed = copy.deepcopy(rows)
    target = next(r for r in changed if r["expected_reasons"] == ["NO_DISCLOSURE"])
    target["expected_reasons"] = []
    target["expected_verdict"] = "compliant"
    after = evaluate_rows(changed)
    assert after.verdict_correct == before.verdict_correct - 1
    assert after.per_code["NO_DISCLOSURE"].fp == before.per_code["NO_DISCLOSURE"].fp + 1
    assert after.macro_f1 < before.macro_f1


def test_naive_floor_reads_hashtag_ad_only() -> None:
    assert naive_hashtag_ad({**ROW, "caption": "#ad new shoes"})[0] == "compliant"
    assert naive_hashtag_ad({**ROW, "caption": "#adidas new shoes"})[1] == ("NO_DISCLOSURE",)
    none = {**ROW, "material_connection": {"type": "none", "brand": None}}
    assert naive_hashtag_ad(none)[0] == "compliant"


def test_targets_compare_measured_values_with_the_issue() -> None:
    rows = load_eval(runner.SETS[2].path)
    report = evaluate_rows(rows)
    met = runner.targets({"independent": report}, p99_ms=25.0)
    assert met["independent_verdict_accuracy"]["measured"] == round(report.accuracy, 4)
    assert met["p99_ms_long_post"]["met"] is False


def test_one_command_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.md"
    assert runner.main(["--skip-models", "--write", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    summary = json.loads(capsys.readouterr().out)
    for s in runner.SETS:
        assert f"## {s.name}: {s.role}" in text
        assert s.name in summary["sets"]
    for code in RULES:
        assert f"| {code} |" in text
    assert "Confusion of verdicts" in text and "per jurisdiction" in text
    # the numbers written are the numbers computed from the data
    dev = evaluate_rows(load_eval(runner.SETS[2].path))
    row = re.search(r"\| dev \(`[^`]+`\) \| tuned on \| (\d+) \| ([\d.]+) \| ([\d.]+) \|", text)
    assert row is not None
    assert (int(row[1]), row[2], row[3]) == (dev.n, f"{dev.accuracy:.3f}", f"{dev.macro_f1:.3f}")
    assert summary["sets"]["dev"]["reason_macro_f1"] == round(dev.macro_f1, 4)
    # the held-out set's failing posts are not written out
    held = evaluate_rows(load_eval(runner.SETS[0].path))
    assert all(f"| {f['id']} |" not in text for f in held.failures)
