"""``/v1/programs`` end to end: create, deliverables, submissions through the compliance
check, conversions, reports in JSON and CSV, pause, renew, and tenant isolation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storage.database import Database
from tests.factories import ApiClient, creator_record

PROGRAM: dict[str, Any] = {
    "name": "Verdant ambassadors",
    "starts_on": "2027-01-01",
    "months": 12,
    "timezone": "Europe/Berlin",
    "cadence": [
        {"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"},
        {"platform": "youtube", "kind": "video", "count": 1, "per": "quarter"},
    ],
    "monthly_retainer": "1000.00",
    "per_deliverable": "50",
    "commission_pct": "10",
    "discount_code": "LENA10",
}


@pytest.fixture
def program(acme: ApiClient) -> dict[str, Any]:
    creator = acme.post("/v1/creators", json=creator_record(email="lena@x.example")).json()
    created = acme.post("/v1/programs", json={**PROGRAM, "creator_id": creator["id"]})
    assert created.status_code == 201, created.text
    return dict(created.json())


def test_create_generates_the_deliverables_in_the_time_zone(
    acme: ApiClient, program: dict[str, Any]
) -> None:
    rows = acme.get(f"/v1/programs/{program['id']}/deliverables").json()
    assert len(rows) == 12 * 2 + 4
    first = rows[0]
    assert (first["platform"], first["kind"], first["due_on"]) == (
        "instagram",
        "feed post",
        "2027-01-16",
    )
    # Due by the end of 16 January in Berlin: 23:00 UTC.
    assert first["due_at"].startswith("2027-01-16T23:00:00")
    assert program["ends_at"].startswith("2027-12-31T23:00:00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        (
            {"cadence": [{"platform": "instagram", "kind": "post", "count": 0, "per": "month"}]},
            "count",
        ),
        (
            {"cadence": [{"platform": "myspace", "kind": "post", "count": 1, "per": "month"}]},
            "platform",
        ),
        (
            {"cadence": [{"platform": "instagram", "kind": "post", "count": 1, "per": "year"}]},
            "per",
        ),
        ({"months": 0}, "months"),
        ({"commission_pct": "120"}, "commission_pct"),
    ],
)
def test_bad_programs_name_the_field(acme: ApiClient, change: dict[str, Any], field: str) -> None:
    creator = acme.post("/v1/creators", json=creator_record()).json()
    response = acme.post("/v1/programs", json={**PROGRAM, "creator_id": creator["id"], **change})
    assert response.status_code == 422, response.text
    assert field in response.text
    assert acme.get("/v1/programs").json()["items"] == []


def test_submissions_are_checked_and_violations_raise_a_notice(
    acme: ApiClient, program: dict[str, Any]
) -> None:
    rows = acme.get(f"/v1/programs/{program['id']}/deliverables").json()
    good = acme.post(
        f"/v1/deliverables/{rows[0]['id']}/submission",
        json={
            "post_url": "https://instagram.example/p/1",
            "caption": "#ad My morning routine with the new Verdant SPF @verdant",
            "metrics": {"likes": 300, "comments": 20},
        },
    )
    assert good.status_code == 200, good.text
    assert good.json()["compliance_verdict"] == "compliant"
    assert good.json()["status"] == "submitted"
    bad = acme.post(
        f"/v1/deliverables/{rows[1]['id']}/submission",
        json={"caption": "Love this serum #skincare @verdant"},
    ).json()
    assert bad["compliance_verdict"] == "non_compliant"
    notices = acme.get(f"/v1/programs/{program['id']}/notices").json()["items"]
    violations = [n for n in notices if n["event"] == "compliance.violation"]
    assert [n["deliverable_id"] for n in violations] == [rows[1]["id"]]
    wrong = acme.post(
        f"/v1/deliverables/{rows[2]['id']}/submission",
        json={"caption": "#ad", "platform": "tiktok"},
    )
    assert wrong.status_code == 409 and "is on instagram, not tiktok" in wrong.text
    metrics = acme.patch(
        f"/v1/deliverables/{rows[0]['id']}/metrics", json={"metrics": {"likes": 500, "saves": 9}}
    ).json()
    assert metrics["metrics"] == {"likes": 500, "comments": 20, "saves": 9}


def test_conversions_are_idempotent_per_order(acme: ApiClient, program: dict[str, Any]) -> None:
    body = {
        "discount_code": "LENA10",
        "order_id": "A-1",
        "revenue": "48.00",
        "occurred_at": "2027-01-20T10:00:00Z",
    }
    assert acme.post("/v1/conversions", json=body).status_code == 201
    assert acme.post("/v1/conversions", json=body).status_code == 200
    assert acme.post("/v1/conversions", json={**body, "revenue": "50"}).status_code == 409
    unknown = acme.post(
        "/v1/conversions", json={**body, "order_id": "A-2", "discount_code": "NOPE"}
    )
    assert unknown.status_code == 404 and "discount_code 'NOPE'" in unknown.text
    rows = acme.get(f"/v1/programs/{program['id']}/conversions").json()
    assert [(r["order_id"], r["revenue"]) for r in rows] == [("A-1", "48.00")]


def test_reports_in_json_and_csv_after_a_month(
    acme: ApiClient, client: TestClient, database: Database, program: dict[str, Any]
) -> None:
    rows = acme.get(f"/v1/programs/{program['id']}/deliverables").json()
    acme.post(
        f"/v1/deliverables/{rows[0]['id']}/submission",
        json={
            "caption": "#ad My morning routine with the new Verdant SPF @verdant",
            "metrics": {"likes": 300, "comments": 20},
            "submitted_at": "2027-01-15T10:00:00Z",
        },
    )
    acme.post(
        "/v1/conversions",
        json={
            "discount_code": "LENA10",
            "order_id": "A-1",
            "revenue": "480.00",
            "occurred_at": "2027-01-20T10:00:00Z",
        },
    )
    service = client.app.state.programs  # type: ignore[attr-defined]
    summary = service.tick(database, now=datetime(2027, 2, 1, 9, tzinfo=UTC))
    assert summary.reports == 1
    (report,) = acme.get(f"/v1/programs/{program['id']}/reports").json()
    f = report["figures"]
    assert (f["deliverables_due"], f["delivered"], f["delivered_on_time"], f["missing"]) == (
        2,
        1,
        1,
        1,
    )
    assert (f["cost"], f["revenue"], f["engagements"]) == ("1098.00", "480.00", 320)
    assert f["roi"] == "-0.5628"  # (480 - 1098) / 1098
    text = acme.get(f"/v1/programs/{program['id']}/reports", params={"format": "csv"}).text
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert (row["month"], row["cost"], row["roi"]) == ("1", "1098.00", "-0.5628")


def test_pause_and_renew(acme: ApiClient, program: dict[str, Any]) -> None:
    paused = acme.patch(f"/v1/programs/{program['id']}", json={"status": "paused"})
    assert paused.json()["status"] == "paused"
    renewed = acme.post(f"/v1/programs/{program['id']}/renew", json={"months": 6})
    assert renewed.status_code == 201, renewed.text
    successor = renewed.json()
    assert (successor["starts_on"], successor["months"], successor["discount_code"]) == (
        "2028-01-01",
        6,
        "LENA10",
    )
    old = acme.get(f"/v1/programs/{program['id']}").json()
    assert (old["status"], old["renewed_to_id"], old["discount_code"]) == (
        "renewed",
        successor["id"],
        None,
    )
    assert acme.post(f"/v1/programs/{program['id']}/renew").status_code == 409
    assert acme.patch(f"/v1/programs/{program['id']}", json={"status": "active"}).status_code == 409


def test_programs_are_private_to_the_organisation(
    acme: ApiClient, globex: ApiClient, program: dict[str, Any]
) -> None:
    pid = program["id"]
    deliverable = acme.get(f"/v1/programs/{pid}/deliverables").json()[0]["id"]
    assert globex.get(f"/v1/programs/{pid}").status_code == 404
    assert globex.get(f"/v1/programs/{pid}/deliverables").status_code == 404
    assert (
        globex.post(
            f"/v1/deliverables/{deliverable}/submission", json={"caption": "#ad"}
        ).status_code
        == 404
    )
    assert globex.get(f"/v1/programs/{pid}/reports").status_code == 404
    assert (
        globex.post(
            "/v1/conversions", json={"discount_code": "LENA10", "order_id": "x", "revenue": "1"}
        ).status_code
        == 404  # another organisation's code: no program of globex uses it
    )
    assert globex.get("/v1/programs").json()["items"] == []
    foreign = globex.post("/v1/programs", json={**PROGRAM, "creator_id": 1, "discount_code": None})
    assert foreign.status_code == 404
