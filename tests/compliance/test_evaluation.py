"""The labelled evaluation set runs, covers the spec and stays above the measured floor."""

from __future__ import annotations

from collections import Counter

import pytest

from compliance.evaluate import EvalReport, evaluate, load_eval, render_markdown
from compliance.rules import RULES

# Measured: 199 of 203 (98.0%); the 4 misses are the documented known limitations k01-k04.
ACCURACY_FLOOR = 0.97


@pytest.fixture(scope="module")
def report() -> EvalReport:
    return evaluate(with_classifier=False)


def test_accuracy_above_floor(report: EvalReport) -> None:
    assert report.n >= 150
    assert report.accuracy >= ACCURACY_FLOOR, report.failures


def test_only_known_limitations_fail(report: EvalReport) -> None:
    assert {f["id"] for f in report.failures} <= {"k01", "k02", "k03", "k04"}


def test_every_code_is_expected_at_least_three_times() -> None:
    counts: Counter[str] = Counter()
    for row in load_eval():
        counts.update(row["expected_reasons"])
    assert {code: counts[code] for code in RULES if counts[code] < 3} == {}


def test_set_covers_jurisdictions_languages_and_compliant_posts() -> None:
    rows = load_eval()
    assert {r["jurisdiction"] for r in rows} == {"US", "UK", "CA", "EU"}
    verdicts = Counter(r["expected_verdict"] for r in rows)
    assert verdicts["compliant"] >= 50
    text = " ".join(r["caption"] for r in rows)
    for word in ("Publicidad", "Publicité", "Werbung", "#ad"):
        assert word in text


def test_markdown_report_lists_every_code(report: EvalReport) -> None:
    text = render_markdown(report)
    for code in RULES:
        assert f"| {code} |" in text
