"""``POST /v1/campaigns/{id}/plan`` on a real roster and index: within budget, by tier, with
reasons; stored plans in JSON, CSV and HTML; organisation tier mixes."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any

import pytest

from demo.roster import generate_roster
from matcher.service import MatchService
from storage.database import Database
from tests.api.test_matching import build, import_roster
from tests.factories import ApiClient


@pytest.fixture
def campaign(acme: ApiClient, database: Database, matcher: MatchService) -> dict[str, Any]:
    import_roster(acme, generate_roster(120, seed=21))
    build(database, matcher, acme.org_id)
    created = acme.post(
        "/v1/campaigns",
        json={
            "name": "Spring skincare",
            "brief": "skincare and beauty routines, honest reviews, women 18-34 in the US",
            "objective": "conversions",
            "budget": "20000",
        },
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_a_plan_is_within_budget_by_tier_with_reasons(
    acme: ApiClient, campaign: dict[str, Any]
) -> None:
    response = acme.post(f"/v1/campaigns/{campaign['id']}/plan", json={"candidates": 80})
    assert response.status_code == 201, response.text
    body = response.json()
    plan = body["plan"]
    assert plan["solver"]["status"] == "optimal"
    assert (plan["mix"]["micro"], plan["mix"]["mid"], plan["mix"]["mega"]) == (0.7, 0.2, 0.1)
    chosen = plan["chosen"]
    assert chosen, "the roster affords somebody"
    spent = sum(c["cost"] for c in chosen)
    assert spent <= 20000 + 1e-6
    for tier in plan["tiers"]:
        assert tier["cost"]["expected"] <= tier["budget"] + 1e-6
    assert all(c["reason"] for c in chosen)
    assert plan["estimates"]["source"] == "benchmarks"
    assert "benchmark" in plan["estimates"]["reason"]
    totals = plan["totals"]
    assert (
        totals["conversions"]["low"]
        <= totals["conversions"]["expected"]
        <= totals["conversions"]["high"]
    )
    listed = acme.get(f"/v1/campaigns/{campaign['id']}/plans").json()
    assert [p["id"] for p in listed] == [body["id"]]


def test_stored_plans_export_as_csv_and_html(acme: ApiClient, campaign: dict[str, Any]) -> None:
    plan_id = acme.post(f"/v1/campaigns/{campaign['id']}/plan", json={"candidates": 60}).json()[
        "id"
    ]
    rows = list(
        csv.DictReader(io.StringIO(acme.get(f"/v1/plans/{plan_id}", params={"format": "csv"}).text))
    )
    assert rows and {r["status"] for r in rows} <= {"chosen", "not_chosen"} | {
        r["status"] for r in rows
    }
    page = acme.get(f"/v1/plans/{plan_id}", params={"format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "Spring skincare" in page.text
    HTMLParser().feed(page.text)


def test_organisation_mixes_override_the_defaults(
    acme: ApiClient, globex: ApiClient, campaign: dict[str, Any]
) -> None:
    bad = acme.client.put(
        "/v1/planner/mixes/conversions",
        json={"mix": {"micro": 0.5, "giga": 0.5}},
        headers=acme.headers,
    )
    assert bad.status_code == 422 and "giga" in bad.text
    good = acme.client.put(
        "/v1/planner/mixes/conversions", json={"mix": {"micro": 1.0}}, headers=acme.headers
    )
    assert good.status_code == 200, good.text
    assert acme.get("/v1/planner/mixes").json()["conversions"]["micro"] == 1.0
    assert globex.get("/v1/planner/mixes").json()["conversions"]["micro"] == 0.7
    plan = acme.post(f"/v1/campaigns/{campaign['id']}/plan", json={"candidates": 60}).json()["plan"]
    assert {c["tier"] for c in plan["chosen"]} <= {"micro"}
    assert acme.delete("/v1/planner/mixes/conversions").status_code == 204
    assert acme.get("/v1/planner/mixes").json()["conversions"]["micro"] == 0.7


def test_plans_are_private(acme: ApiClient, globex: ApiClient, campaign: dict[str, Any]) -> None:
    plan_id = acme.post(f"/v1/campaigns/{campaign['id']}/plan", json={"candidates": 40}).json()[
        "id"
    ]
    assert globex.get(f"/v1/plans/{plan_id}").status_code == 404
    assert globex.post(f"/v1/campaigns/{campaign['id']}/plan").status_code == 404
    assert acme.post(f"/v1/campaigns/{campaign['id']}/plan", json={"budget": -5}).status_code == 422
