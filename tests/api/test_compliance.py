from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from storage.database import Database
from tests.factories import ApiClient, make_org_with_key

UNDISCLOSED = {
    "id": "p-1",
    "caption": "Obsessed with my new serum from @glowlab, use code GLOW20 for 20% off!",
    "transcript": None,
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "GlowLab"},
    "platform_label": False,
    "jurisdiction": "US",
}
DISCLOSED = {
    **UNDISCLOSED,
    "id": "p-2",
    "caption": "#ad Obsessed with my new serum from @glowlab, use code GLOW20 for 20% off!",
}


def post(**overrides: Any) -> dict[str, Any]:
    return {**UNDISCLOSED, **overrides}


@pytest.fixture
def reviewer(client: TestClient, settings: Settings, database: Database) -> ApiClient:
    return make_org_with_key(client, settings, database, "acme", ["compliance"])


class TestCheck:
    def test_needs_the_compliance_scope(self, acme: ApiClient) -> None:
        response = acme.post("/v1/compliance/check", json=UNDISCLOSED)
        assert response.status_code == 403
        assert "compliance" in response.json()["detail"]

    def test_undisclosed_paid_post_is_non_compliant_with_evidence(
        self, reviewer: ApiClient
    ) -> None:
        response = reviewer.post("/v1/compliance/check", json=UNDISCLOSED)
        assert response.status_code == 200, response.text
        body = response.json()
        result = body["result"]
        assert result["id"] == "p-1"
        assert result["verdict"] == "non_compliant"
        assert "NO_DISCLOSURE" in result["reasons"]
        assert body["review_status"] == "pending"
        assert result["suggested_fix"]
        for finding in result["findings"]:
            assert finding["source"] and finding["message"]

    def test_disclosed_post_is_compliant_and_needs_no_review(self, reviewer: ApiClient) -> None:
        body = reviewer.post("/v1/compliance/check", json=DISCLOSED).json()
        assert body["result"]["verdict"] == "compliant"
        assert body["review_status"] == "not_required"

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"jurisdiction": "MARS"}, "jurisdiction"),
            ({"material_connection": {"type": "bribe"}}, "material_connection.type"),
            ({"platform_label": "yes"}, "platform_label"),
        ],
    )
    def test_malformed_post_names_the_field(
        self, reviewer: ApiClient, change: dict[str, Any], field: str
    ) -> None:
        response = reviewer.post("/v1/compliance/check", json=post(**change))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field

    def test_missing_field_is_422(self, reviewer: ApiClient) -> None:
        data = post()
        del data["media"]
        response = reviewer.post("/v1/compliance/check", json=data)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "media"

    def test_batch_keeps_input_order(self, reviewer: ApiClient) -> None:
        posts = [post(id=f"b{i}") if i % 2 else {**DISCLOSED, "id": f"b{i}"} for i in range(6)]
        response = reviewer.post("/v1/compliance/check/batch", json={"posts": posts})
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["result"]["id"] for r in results] == [f"b{i}" for i in range(6)]
        assert [r["result"]["verdict"] for r in results] == ["compliant", "non_compliant"] * 3

    def test_batch_with_one_bad_post_names_it_and_stores_nothing(self, reviewer: ApiClient) -> None:
        posts = [post(), post(jurisdiction="XX")]
        response = reviewer.post("/v1/compliance/check/batch", json={"posts": posts})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "posts.1.jurisdiction"
        assert reviewer.get("/v1/compliance/checks").json()["items"] == []

    def test_a_post_id_longer_than_the_column_is_422_naming_it(self, reviewer: ApiClient) -> None:
        one = reviewer.post("/v1/compliance/check", json=post(id="p" * 201))
        assert one.status_code == 422 and one.json()["errors"][0]["field"] == "id"
        batch = reviewer.post(
            "/v1/compliance/check/batch", json={"posts": [post(id="ok"), post(id="p" * 201)]}
        )
        assert batch.status_code == 422 and batch.json()["errors"][0]["field"] == "posts.1.id"
        assert reviewer.post("/v1/compliance/check", json=post(id="p" * 200)).status_code == 200

    def test_batch_is_limited_to_1000(self, reviewer: ApiClient) -> None:
        response = reviewer.post("/v1/compliance/check/batch", json={"posts": [post()] * 1001})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "posts"


class TestReviewWorkflow:
    def _check(self, api: ApiClient, data: dict[str, Any]) -> int:
        check_id: int = api.post("/v1/compliance/check", json=data).json()["check_id"]
        return check_id

    def test_queue_lists_non_compliant_first_then_oldest(self, reviewer: ApiClient) -> None:
        review_only = post(
            id="r1",
            caption="Love this @glowlab serum #skincare",
            material_connection={"type": "none", "brand": None},
        )
        review_only["caption"] = "Use my code GLOW20 at glowlab.com for 20% off #skincare"
        first_review = self._check(reviewer, review_only)
        first_bad = self._check(reviewer, post(id="n1"))
        self._check(reviewer, DISCLOSED)  # compliant: not queued
        second_bad = self._check(reviewer, post(id="n2"))
        checks = reviewer.get("/v1/compliance/checks").json()["items"]
        verdicts = {c["check_id"]: c["result"]["verdict"] for c in checks}
        assert verdicts[first_review] == "needs_review", verdicts
        queue = reviewer.get("/v1/compliance/queue?limit=2").json()
        page2 = reviewer.get(f"/v1/compliance/queue?limit=2&cursor={queue['next_cursor']}").json()
        ids = [c["check_id"] for c in queue["items"] + page2["items"]]
        assert ids == [first_bad, second_bad, first_review]
        assert page2["next_cursor"] is None

    def test_decisions_leave_the_queue_and_an_audit_trail(self, reviewer: ApiClient) -> None:
        check_id = self._check(reviewer, post())
        response = reviewer.post(
            f"/v1/compliance/checks/{check_id}/decision",
            json={
                "decision": "override",
                "verdict": "compliant",
                "reason": "Label is burned into the image.",
            },
        )
        assert response.status_code == 200
        body = response.json()
        assert body["review_status"] == "overridden"
        assert body["final_verdict"] == "compliant"
        assert body["result"]["verdict"] == "non_compliant"  # the checker's word is kept
        assert body["decided_by"].startswith("api-key:")
        actions = [e["action"] for e in body["audit"]]
        assert actions == ["compliance.checked", "compliance.overridden"]
        assert body["audit"][1]["changes"]["final_verdict"] == ["non_compliant", "compliant"]
        assert body["audit"][1]["reason"] == "Label is burned into the image."
        assert reviewer.get("/v1/compliance/queue").json()["items"] == []
        # A later decision replaces it; the trail keeps both.
        again = reviewer.post(
            f"/v1/compliance/checks/{check_id}/decision", json={"decision": "reject"}
        ).json()
        assert again["final_verdict"] == "non_compliant"
        assert [e["action"] for e in again["audit"]][-1] == "compliance.rejected"
        log = reviewer.get("/v1/compliance/audit").json()["items"]
        assert [e["action"] for e in log] == [
            "compliance.checked",
            "compliance.overridden",
            "compliance.rejected",
        ]

    @pytest.mark.parametrize(
        ("decision", "field"),
        [
            ({"decision": "override", "reason": "x"}, "verdict"),
            ({"decision": "override", "verdict": "compliant"}, "reason"),
            ({"decision": "override", "verdict": "compliant", "reason": "   "}, "reason"),
            ({"decision": "approve", "verdict": "compliant"}, "verdict"),
            ({"decision": "shrug"}, "decision"),
        ],
    )
    def test_bad_decisions_name_the_field(
        self, reviewer: ApiClient, decision: dict[str, Any], field: str
    ) -> None:
        check_id = self._check(reviewer, post())
        response = reviewer.post(f"/v1/compliance/checks/{check_id}/decision", json=decision)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
        assert (
            reviewer.get(f"/v1/compliance/checks/{check_id}").json()["review_status"] == "pending"
        )

    def test_other_organisations_checks_are_invisible(
        self, reviewer: ApiClient, client: TestClient, settings: Settings, database: Database
    ) -> None:
        check_id = self._check(reviewer, post())
        other = make_org_with_key(client, settings, database, "globex", ["compliance"])
        assert other.get(f"/v1/compliance/checks/{check_id}").status_code == 404
        decision = other.post(
            f"/v1/compliance/checks/{check_id}/decision", json={"decision": "approve"}
        )
        assert decision.status_code == 404
        assert other.get("/v1/compliance/queue").json()["items"] == []
        assert other.get("/v1/compliance/audit").json()["items"] == []
        assert other.get("/v1/compliance/export").text.count("\n") == 1

    def test_export_csv_has_checks_and_decisions_of_the_period(self, reviewer: ApiClient) -> None:
        first = self._check(reviewer, post(id="e1"))
        self._check(reviewer, DISCLOSED)
        reviewer.post(
            f"/v1/compliance/checks/{first}/decision",
            json={"decision": "reject", "reason": "no label"},
        )
        response = reviewer.get("/v1/compliance/export")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["post_id"] for r in rows] == ["e1", "p-2"]
        assert rows[0]["review_status"] == "rejected"
        assert rows[0]["decision_reason"] == "no label"
        assert "NO_DISCLOSURE" in rows[0]["reasons"]
        assert rows[1]["verdict"] == "compliant"
        checked_at = rows[1]["checked_at"]
        later = reviewer.get("/v1/compliance/export", params={"since": "2999-01-01T00:00:00Z"})
        assert later.text.count("\n") == 1 and checked_at
        bad = reviewer.get(
            "/v1/compliance/export",
            params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "until"
