"""The HTML, CSV and JSON renderings of a plan."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from planner.optimizer import Plan, SolverStatus, plan
from planner.projections import Candidate
from planner.report import (
    CSV_COLUMNS,
    ROI_FORMULA,
    plan_to_dict,
    render_csv,
    render_html,
    render_json,
)

EVIL = "<script>alert(1)</script>"
VOID = {
    "meta",
    "link",
    "br",
    "hr",
    "img",
    "input",
    "source",
    "wbr",
    "col",
    "area",
    "base",
    "embed",
    "track",
}
# Self-closing SVG children (<rect/>, <line/>) are legal in HTML5 foreign content.
SVG_VOID = {"rect", "line", "circle", "polyline", "path"}


class StrictParser(HTMLParser):
    """Checks that every element is closed in order and records tags, text and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        if tag not in SVG_VOID and tag not in VOID:
            self.errors.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(html)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    return parser


@pytest.fixture(scope="module")
def sample_plan() -> Plan:
    cs = [
        Candidate(
            1, "lena", "instagram", 48_200, engagement_rate=0.045, rate=450.0, match_score=0.71,
            display_name=EVIL, reasons=("vegan food & recipes", "audience 71% DE"),
        ),
        Candidate(2, EVIL, "tiktok", 22_000, match_score=0.5),
        Candidate(3, "=HYPERLINK(\"x\")", "youtube", 2_500_000, rate=30_000.0),
        Candidate(4, "mid", "youtube", 250_000, engagement_rate=0.03, rate=3_000.0),
    ]  # fmt: skip
    return plan(cs, budget=20_000, objective="conversions", value_per_conversion=40.0)


def test_html_is_a_well_formed_self_contained_document(sample_plan: Plan) -> None:
    html = render_html(
        sample_plan, campaign="Spring <launch>", generated_at=datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert html.startswith("<!DOCTYPE html>")
    parsed = parse(html)
    assert parsed.doctype == "DOCTYPE html"
    assert parsed.tags[:3] == ["html", "head", "meta"]
    assert {"title", "style", "main", "table", "svg"} <= set(parsed.tags)
    assert not {"script", "link", "img", "iframe", "object"} & set(parsed.tags)
    urls = [v for k, v in parsed.attrs if k in {"src", "href"}]
    assert urls == []
    assert "url(" not in html and "@import" not in html


def test_html_escapes_creator_text(sample_plan: Plan) -> None:
    html = render_html(sample_plan)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    parsed = parse(html)
    text = "".join(parsed.text)
    assert f"{EVIL} (@lena)" in text
    assert "vegan food & recipes" in text


def test_html_contains_the_charts_shortlist_and_totals(sample_plan: Plan) -> None:
    html = render_html(sample_plan)
    parsed = parse(html)
    assert parsed.tags.count("svg") == 3
    text = "".join(parsed.text)
    for title in (
        "Tier mix: budget and planned spend",
        "Budget vs expected conversions by tier",
        "Cost per conversion by tier",
    ):
        assert title in text
    for item in sample_plan.chosen:
        assert item.reason in text
    assert "USD 450" in text and "Totals" in text and "Chosen creators" in text
    assert "costs USD 30,000, more than the whole mega budget (USD 2,000)" in text
    assert ROI_FORMULA in text
    assert "earned media" not in text.lower()
    assert "did not prove" not in text


def test_html_adds_the_roi_chart_when_history_is_given(sample_plan: Plan) -> None:
    html = render_html(sample_plan, roi_history=[("Jan", -0.2), ("Feb", 0.3)])
    assert parse(html).tags.count("svg") == 4
    assert "ROI over time" in html


def test_html_warns_when_the_plan_is_not_proven_optimal(sample_plan: Plan) -> None:
    stopped = dataclasses.replace(
        sample_plan, solver=dataclasses.replace(sample_plan.solver, status=SolverStatus.TIME_LIMIT)
    )
    text = "".join(parse(render_html(stopped)).text)
    assert "did not prove this plan optimal (status: time_limit)" in text


def test_html_without_roi_has_no_formula() -> None:
    p = plan(
        [Candidate(1, "a", "instagram", 20_000, rate=100.0)], budget=1_000, objective="awareness"
    )
    assert ROI_FORMULA not in render_html(p)


def test_csv_has_one_row_per_candidate_and_defuses_formulas(sample_plan: Plan) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(sample_plan))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert len(rows) == 4
    assert [r["status"] for r in rows] == ["chosen"] * len(sample_plan.chosen) + [
        "not_chosen"
    ] * len(sample_plan.not_chosen)
    lena = next(r for r in rows if r["handle"] == "lena")
    assert float(lena["cost_expected"]) == 450.0
    assert float(lena["engagements_expected"]) == pytest.approx(2169.0)
    assert lena["display_name"] == EVIL
    formula = next(r for r in rows if r["id"] == "3")
    assert formula["handle"] == '\'=HYPERLINK("x")'
    assert formula["reason_code"] == "over_tier_budget"


def test_json_round_trips_the_plan(sample_plan: Plan) -> None:
    data = json.loads(render_json(sample_plan))
    assert data == json.loads(json.dumps(plan_to_dict(sample_plan)))
    assert data["objective"] == "conversions" and data["outcome"] == "conversions"
    assert data["solver"]["status"] == "optimal"
    assert data["mix"]["micro"] == 0.7
    assert [c["reason"] for c in data["chosen"]] == [p.reason for p in sample_plan.chosen]
    assert data["chosen"][0]["projection"]["cost"] == {
        "low": 450.0,
        "expected": 450.0,
        "high": 450.0,
    }
    assert {n["reason_code"] for n in data["not_chosen"]} == {
        n.code for n in sample_plan.not_chosen
    }
    assert data["totals"]["roi"]["expected"] == pytest.approx(sample_plan.totals.roi.expected)  # type: ignore[union-attr]
    assert data["roi_formula"] == ROI_FORMULA
