"""Every CSV the product serves, over the API and from the pages, keeps formulas out.

Creators, compliance checks and decisions, a plan and a program report are seeded with text
a spreadsheet would run (``=HYPERLINK(...)``, ``-2+3``, ``@SUM``, ``+1``); in every CSV
download no cell may start with ``=``, ``+``, ``-``, ``@``, tab or CR, except a number we
wrote as a number (a negative ROI). The seeded text must show up, escaped, so that no test
passes because the value was missing. A last test makes sure the list of CSV endpoints here is
complete.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.problem import api_routes
from core.settings import Settings
from demo.roster import generate_roster
from matcher.service import MatchService
from storage.database import Database
from tests.api.test_matching import build, import_roster
from tests.factories import ApiClient, add_key, creator_record
from tests.web_support import make_user, sign_in

FORMULA = '=HYPERLINK("http://evil.example","x")'
STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell we wrote from a real number: -0.5628 is data, not a formula.
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")

# Every route that answers with CSV, as "METHOD path" (query for the CSV variant).
CSV_ENDPOINTS = {
    "GET /v1/creators/export",
    "GET /v1/compliance/export",
    "GET /v1/programs/{program_id}/reports",
    "GET /v1/plans/{plan_id}",
    "GET /compliance/export.csv",
    "GET /programs/{program_id}/reports.csv",
}


@dataclass(frozen=True)
class Seeded:
    api: ApiClient
    program_id: int
    plan_id: int


def cells_of(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def formula_cells(text: str) -> list[str]:
    return [c for c in cells_of(text) if c.startswith(STARTS) and not NUMBER.fullmatch(c)]


@pytest.fixture
def seeded(
    acme: ApiClient,
    client: TestClient,
    settings: Settings,
    database: Database,
    matcher: MatchService,
) -> Seeded:
    api = replace(
        acme, key=add_key(settings, database, acme.org_id, ["read", "write", "compliance"])
    )
    roster = list(generate_roster(120, seed=21))
    for number, record in enumerate(roster):
        record.update(
            handle=f"-{record['handle']}",
            display_name=FORMULA if number % 2 else f"+{number} {FORMULA}",
            bio="@SUM(1+1) " + (record.get("bio") or ""),
            email=f"=1+{number}@evil.example",
            source="-2+3+cmd|' /C calc'!A0",
        )
    import_roster(api, roster)
    build(database, matcher, api.org_id)
    campaign = api.post(
        "/v1/campaigns",
        json={
            "name": "=Spring",
            "brief": "skincare and beauty routines, honest reviews, women 18-34 in the US",
            "objective": "conversions",
            "budget": "20000",
        },
    ).json()
    plan = api.post(f"/v1/campaigns/{campaign['id']}/plan", json={"candidates": 80})
    assert plan.status_code == 201, plan.text

    check = api.post(
        "/v1/compliance/check",
        json={
            "id": "@post-1",
            "caption": "=1+1 Loving my new serum @glowlab",
            "platform": "instagram",
            "media": "image",
            "material_connection": {"type": "paid", "brand": "GlowLab"},
            "jurisdiction": "US",
        },
    ).json()
    decided = api.post(
        f"/v1/compliance/checks/{check['check_id']}/decision",
        json={"decision": "override", "verdict": "compliant", "reason": "-2+3 burned in"},
    )
    assert decided.status_code == 200, decided.text

    creator = api.post(
        "/v1/creators", json=creator_record(handle="ambassador", display_name=FORMULA)
    ).json()
    program = api.post(
        "/v1/programs",
        json={
            "name": "@ambassadors",
            "creator_id": creator["id"],
            "starts_on": "2027-01-01",
            "months": 12,
            "timezone": "Europe/Berlin",
            "cadence": [{"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"}],
            "monthly_retainer": "1000.00",
            "per_deliverable": "50",
            "commission_pct": "10",
            "discount_code": "LENA10",
        },
    ).json()
    api.post(
        "/v1/conversions",
        json={
            "discount_code": "LENA10",
            "order_id": "A-1",
            "revenue": "480.00",
            "occurred_at": "2027-01-20T10:00:00Z",
        },
    )
    service = client.app.state.programs  # type: ignore[attr-defined]
    assert service.tick(database, now=datetime(2027, 2, 1, 9, tzinfo=UTC)).reports == 1
    return Seeded(api, program["id"], plan.json()["id"])


def test_no_csv_download_holds_a_live_formula(
    seeded: Seeded, client: TestClient, database: Database
) -> None:
    api = seeded.api
    downloads: dict[str, tuple[str, str]] = {}
    for preset in ("none", "hubspot", "salesforce"):
        response = api.get("/v1/creators/export", params={"format": "csv", "preset": preset})
        downloads[f"creators ({preset})"] = (response.headers["content-type"], response.text)
    for name, url, params in (
        ("compliance", "/v1/compliance/export", {}),
        ("program reports", f"/v1/programs/{seeded.program_id}/reports", {"format": "csv"}),
        ("plan", f"/v1/plans/{seeded.plan_id}", {"format": "csv"}),
    ):
        response = api.get(url, params=params)
        downloads[name] = (response.headers["content-type"], response.text)
    sign_in(client, make_user(database, "acme", "ada@acme.example", "admin"))
    for name, url in (
        ("page: compliance", "/compliance/export.csv"),
        ("page: program reports", f"/programs/{seeded.program_id}/reports.csv"),
    ):
        response = client.get(url)
        downloads[name] = (response.headers["content-type"], response.text)

    assert {name: kind for name, (kind, _) in downloads.items() if "text/csv" not in kind} == {}
    live = {name: formula_cells(text) for name, (_, text) in downloads.items()}
    assert {name: cells for name, cells in live.items() if cells} == {}
    escaped = {name: set(cells_of(text)) for name, (_, text) in downloads.items()}
    for name in ("creators (none)", "creators (hubspot)", "creators (salesforce)", "plan"):
        assert f"'{FORMULA}" in escaped[name], name
    for name in ("creators (none)", "plan"):
        assert any(cell.startswith("'-") for cell in escaped[name]), name  # the handles
    for name in ("creators (none)", "creators (hubspot)", "creators (salesforce)"):
        assert any(cell.startswith("'=1+") for cell in escaped[name]), name  # the emails
    assert "'-2+3+cmd|' /C calc'!A0" in escaped["creators (none)"]
    for name in ("compliance", "page: compliance"):
        assert {"'@post-1", "'=1+1 Loving my new serum @glowlab", "'-2+3 burned in"} <= escaped[
            name
        ], name
    (report,) = api.get(f"/v1/programs/{seeded.program_id}/reports").json()
    roi = report["figures"]["roi"]
    assert roi.startswith("-")  # spent more than it earned
    for name in ("program reports", "page: program reports"):
        assert roi in escaped[name], name  # a negative ROI is a number: written as is


def test_the_list_of_csv_endpoints_is_complete(client: TestClient) -> None:
    """A new CSV route (an API route documenting text/csv, or a page ending in .csv) must be
    added to CSV_ENDPOINTS and to the test above."""
    found = set()
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        declared = any(
            "text/csv" in (response.get("content") or {}) for response in route.responses.values()
        )
        path = re.sub(r":\w+}", "}", route.path)
        if declared or path.endswith(".csv"):
            found |= {f"{method} {path}" for method in route.methods}
    assert found == CSV_ENDPOINTS
