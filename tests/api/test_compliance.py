from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from compliance_reviews.service import EXPORT_COLUMNS
from core.settings import Settings
from storage.database import Database
from tests.factories import ApiClient, creator_record, make_org_with_key
from tests.web_support import make_user

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
        # An empty period (until before since) is no error: the document cannot say
        # "until after since", so the server takes it and finds nothing.
        empty = reviewer.get(
            "/v1/compliance/export",
            params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        )
        assert empty.status_code == 200 and empty.text.count("\n") == 1


NEEDS_REVIEW = post(
    id="r1",
    caption="Use my code GLOW20 at glowlab.com for 20% off #skincare",
    material_connection={"type": "none", "brand": None},
)


def _seed(api: ApiClient, *posts: dict[str, Any]) -> list[int]:
    response = api.post("/v1/compliance/check/batch", json={"posts": list(posts)})
    assert response.status_code == 200, response.text
    return [r["check_id"] for r in response.json()["results"]]


def _check(api: ApiClient, check_id: int) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/v1/compliance/checks/{check_id}").json()
    return body


class TestDecisionNames:
    def test_confirm_clear_and_override_do_what_they_say(self, reviewer: ApiClient) -> None:
        bad, review, other = _seed(reviewer, post(id="n1"), NEEDS_REVIEW, post(id="n2"))
        confirmed = reviewer.post(
            f"/v1/compliance/checks/{review}/decision",
            json={"decision": "confirm_violation", "reason": "The code is the brand's own."},
        ).json()
        assert (confirmed["review_status"], confirmed["decision"], confirmed["final_verdict"]) == (
            "confirmed",
            "confirm_violation",
            "non_compliant",
        )
        assert confirmed["audit"][-1]["changes"]["final_verdict"] == [
            "needs_review",
            "non_compliant",
        ]
        cleared = reviewer.post(
            f"/v1/compliance/checks/{bad}/decision",
            json={"decision": "clear", "reason": "Label burned into the image."},
        ).json()
        assert (cleared["review_status"], cleared["final_verdict"]) == ("cleared", "compliant")
        assert cleared["verdict"] == "non_compliant"  # the checker's word is kept
        assert cleared["audit"][-1]["action"] == "compliance.cleared"
        overridden = reviewer.post(
            f"/v1/compliance/checks/{other}/decision",
            json={"decision": "override", "verdict": "needs_review", "reason": "Ask legal."},
        )
        assert overridden.headers.get("Deprecation") is None
        assert overridden.json()["decision"] == "override"

    @pytest.mark.parametrize(
        ("decision", "field"),
        [
            ({"decision": "clear"}, "reason"),
            ({"decision": "clear", "reason": " "}, "reason"),
            ({"decision": "clear", "reason": "x", "verdict": "compliant"}, "verdict"),
            ({"decision": "confirm_violation", "verdict": "non_compliant"}, "verdict"),
        ],
    )
    def test_a_changed_verdict_needs_a_reason(
        self, reviewer: ApiClient, decision: dict[str, Any], field: str
    ) -> None:
        (check_id,) = _seed(reviewer, post())
        response = reviewer.post(f"/v1/compliance/checks/{check_id}/decision", json=decision)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
        assert _check(reviewer, check_id)["review_status"] == "pending"

    def test_confirming_what_needed_review_changes_the_verdict_so_it_needs_a_reason(
        self, reviewer: ApiClient
    ) -> None:
        (check_id,) = _seed(reviewer, NEEDS_REVIEW)
        url = f"/v1/compliance/checks/{check_id}/decision"
        refused = reviewer.post(url, json={"decision": "confirm_violation"})
        # The request is well formed; the check's verdict is what asks for a reason.
        assert refused.status_code == 409
        assert refused.json()["code"] == "check_state_conflict"
        assert refused.json()["errors"][0]["field"] == "reason"
        assert _check(reviewer, check_id)["review_status"] == "pending"
        confirmed = reviewer.post(
            url, json={"decision": "confirm_violation", "reason": "The code is the brand's own"}
        )
        assert confirmed.status_code == 200
        assert confirmed.json()["final_verdict"] == "non_compliant"

    def test_nothing_to_confirm_on_a_compliant_post(self, reviewer: ApiClient) -> None:
        (check_id,) = _seed(reviewer, DISCLOSED)
        response = reviewer.post(
            f"/v1/compliance/checks/{check_id}/decision", json={"decision": "confirm_violation"}
        )
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "decision"

    @pytest.mark.parametrize(("old", "status"), [("approve", "approved"), ("reject", "rejected")])
    def test_the_old_decisions_still_work_and_say_they_are_deprecated(
        self, reviewer: ApiClient, old: str, status: str
    ) -> None:
        (check_id,) = _seed(reviewer, NEEDS_REVIEW)
        response = reviewer.post(
            f"/v1/compliance/checks/{check_id}/decision", json={"decision": old}
        )
        assert response.status_code == 200
        assert response.headers["Deprecation"] == "true"
        body = response.json()
        assert (body["review_status"], body["decision"], body["final_verdict"]) == (
            status,
            old,
            "needs_review",
        )


class TestBulkDecisions:
    def test_ids_decide_together_each_audited(self, reviewer: ApiClient) -> None:
        ids = _seed(reviewer, post(id="a"), post(id="b"), post(id="c"))
        response = reviewer.post(
            "/v1/compliance/checks/decisions",
            json={"decision": "clear", "reason": "Checked each video.", "check_ids": ids[:2]},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["count"] == 2
        assert [c["check_id"] for c in body["items"]] == ids[:2]
        assert {c["review_status"] for c in body["items"]} == {"cleared"}
        assert _check(reviewer, ids[2])["review_status"] == "pending"
        log = reviewer.get("/v1/compliance/audit").json()["items"]
        cleared = [e for e in log if e["action"] == "compliance.cleared"]
        assert sorted(e["subject_id"] for e in cleared) == ids[:2]
        assert {e["reason"] for e in cleared} == {"Checked each video."}

    def test_a_filter_decides_every_match(self, reviewer: ApiClient) -> None:
        uk = post(id="uk", caption="Sponsored by GlowLab: my serum routine", jurisdiction="UK")
        ids = _seed(
            reviewer,
            post(id="us"),
            uk,
            post(id="uk2", caption="#sponsored " + uk["caption"], jurisdiction="UK"),
        )
        response = reviewer.post(
            "/v1/compliance/checks/decisions",
            json={
                "decision": "confirm_violation",
                "reason": "UK wants Ad",
                "filter": {"jurisdiction": "UK"},
            },
        )
        assert response.status_code == 200, response.text
        assert sorted(c["check_id"] for c in response.json()["items"]) == ids[1:]
        assert _check(reviewer, ids[0])["review_status"] == "pending"

    def test_all_or_nothing(self, reviewer: ApiClient) -> None:
        bad, fine = _seed(reviewer, post(), DISCLOSED)
        response = reviewer.post(
            "/v1/compliance/checks/decisions",
            json={"decision": "confirm_violation", "check_ids": [bad, fine]},
        )
        assert response.status_code == 409
        assert str(fine) in response.json()["errors"][0]["message"]
        assert _check(reviewer, bad)["review_status"] == "pending"
        actions = {e["action"] for e in reviewer.get("/v1/compliance/audit").json()["items"]}
        assert actions == {"compliance.checked"}

    def test_another_organisations_checks_are_404_and_never_touched(
        self, reviewer: ApiClient, client: TestClient, settings: Settings, database: Database
    ) -> None:
        (ours,) = _seed(reviewer, post())
        other = make_org_with_key(client, settings, database, "globex", ["compliance"])
        (theirs,) = _seed(other, post())
        response = reviewer.post(
            "/v1/compliance/checks/decisions",
            json={"decision": "confirm_violation", "check_ids": [ours, theirs]},
        )
        assert response.status_code == 404
        assert _check(reviewer, ours)["review_status"] == "pending"
        assert _check(other, theirs)["review_status"] == "pending"
        # A filter never reaches another organisation's checks.
        everything = reviewer.post(
            "/v1/compliance/checks/decisions",
            json={"decision": "confirm_violation", "filter": {}},
        ).json()
        assert [c["check_id"] for c in everything["items"]] == [ours]
        assert _check(other, theirs)["review_status"] == "pending"
        assigned = reviewer.post(
            "/v1/compliance/checks/assignments", json={"assignee": "me", "check_ids": [theirs]}
        )
        assert assigned.status_code == 404
        assert _check(other, theirs)["assignee"] is None

    @pytest.mark.parametrize("bulk", ["decisions", "assignments"])
    def test_the_bulk_paths_are_not_taken_for_a_check_id(
        self, reviewer: ApiClient, bulk: str
    ) -> None:
        response = reviewer.client.get(f"/v1/compliance/checks/{bulk}", headers=reviewer.headers)
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"decision": "clear", "reason": "x"}, "check_ids"),
            ({"decision": "clear", "reason": "x", "check_ids": [1], "filter": {}}, "check_ids"),
            ({"decision": "clear", "reason": "x", "check_ids": []}, "check_ids"),
            ({"decision": "clear", "reason": "x", "check_ids": list(range(1, 502))}, "check_ids"),
            ({"decision": "clear", "reason": "x", "filter": {"code": "NOPE"}}, "filter.code"),
            (
                {"decision": "clear", "reason": "x", "filter": {"assignee": "bob"}},
                "filter.assignee",
            ),
            ({"decision": "clear", "filter": {}}, "reason"),
        ],
    )
    def test_a_bad_bulk_request_names_the_field(
        self, reviewer: ApiClient, body: dict[str, Any], field: str
    ) -> None:
        _seed(reviewer, post())
        response = reviewer.post("/v1/compliance/checks/decisions", json=body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


class TestAssignee:
    def test_assign_to_me_and_filter_the_queue(
        self, reviewer: ApiClient, database: Database
    ) -> None:
        make_user(database, "acme", "rob@acme.example", "reviewer")
        first, second, third = _seed(reviewer, post(id="a"), post(id="b"), NEEDS_REVIEW)
        mine = reviewer.put(f"/v1/compliance/checks/{first}/assignee", json={"assignee": "me"})
        assert mine.status_code == 200, mine.text
        actor = mine.json()["assignee"]
        assert actor.startswith("api-key:") and mine.json()["assigned_at"]
        assert mine.json()["audit"][-1]["action"] == "compliance.assigned"
        rob = reviewer.put(
            f"/v1/compliance/checks/{second}/assignee",
            json={"assignee": "user:rob@acme.example"},
        )
        assert rob.json()["assignee"] == "user:rob@acme.example"

        def queue(**params: str) -> list[int]:
            page = reviewer.get("/v1/compliance/queue", params=params)
            assert page.status_code == 200, page.text
            return [c["check_id"] for c in page.json()["items"]]

        assert queue(assignee="me") == [first]
        assert queue(assignee="user:rob@acme.example") == [second]
        assert queue(assignee="none") == [third]
        assert queue() == [first, second, third]
        assert queue(verdict="needs_review") == [third]
        assert queue(code="NO_DISCLOSURE") == [first, second]
        listed = reviewer.get("/v1/compliance/checks", params={"assignee": "me"}).json()
        assert [c["check_id"] for c in listed["items"]] == [first]
        unassigned = reviewer.put(
            f"/v1/compliance/checks/{first}/assignee", json={"assignee": None}
        ).json()
        assert unassigned["assignee"] is None
        assert queue(assignee="me") == []

    def test_bulk_assignment_by_filter(self, reviewer: ApiClient) -> None:
        ids = _seed(reviewer, post(id="a"), post(id="b"), NEEDS_REVIEW)
        response = reviewer.post(
            "/v1/compliance/checks/assignments",
            json={"assignee": "me", "filter": {"verdict": "non_compliant"}},
        )
        assert response.status_code == 200, response.text
        assert response.json()["count"] == 2
        assert [_check(reviewer, i)["assignee"] is not None for i in ids] == [True, True, False]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"assignee": "nobody"}, "assignee"),
            ({"code": "NOT_A_CODE"}, "code"),
            ({"platform": "myspace"}, "platform"),
            ({"jurisdiction": "MARS"}, "jurisdiction"),
        ],
    )
    def test_a_bad_queue_filter_is_422_naming_it(
        self, reviewer: ApiClient, params: dict[str, str], field: str
    ) -> None:
        response = reviewer.get("/v1/compliance/queue", params=params)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field

    def test_another_organisations_people_are_no_filter_here(
        self, reviewer: ApiClient, client: TestClient, settings: Settings, database: Database
    ) -> None:
        globex = make_org_with_key(client, settings, database, "globex", ["compliance"])
        make_user(database, "globex", "gil@globex.example", "reviewer")
        prefix = globex.key.split("_")[1]  # cm_<prefix>_<secret>
        for value in ("user:gil@globex.example", f"api-key:{prefix}", "user:nobody@acme.example"):
            response = reviewer.get("/v1/compliance/queue", params={"assignee": value})
            assert response.status_code == 404, value
            assert response.json()["errors"][0]["field"] == "assignee"

    def test_a_recruiter_cannot_be_assigned(self, reviewer: ApiClient, database: Database) -> None:
        make_user(database, "acme", "rita@acme.example", "recruiter")
        (check_id,) = _seed(reviewer, post())
        response = reviewer.put(
            f"/v1/compliance/checks/{check_id}/assignee",
            json={"assignee": "user:rita@acme.example"},
        )
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "assignee"


class TestExportColumns:
    def test_the_export_carries_the_review(self, reviewer: ApiClient) -> None:
        bad, _fine = _seed(reviewer, post(id="e1"), DISCLOSED)
        reviewer.put(f"/v1/compliance/checks/{bad}/assignee", json={"assignee": "me"})
        decided = reviewer.post(
            f"/v1/compliance/checks/{bad}/decision",
            json={"decision": "confirm_violation", "reason": "no label"},
        ).json()
        rows = list(csv.DictReader(io.StringIO(reviewer.get("/v1/compliance/export").text)))
        first, second = rows
        assert list(first) == list(EXPORT_COLUMNS)
        assert first["brand"] == "GlowLab" and first["connection_type"] == "paid"
        assert first["platform"] == "instagram" and first["verdict"] == "non_compliant"
        assert first["reasons"] == " ".join(decided["reasons"])
        assert first["suggested_fix"] == decided["suggested_fix"] and first["suggested_fix"]
        assert (first["decision"], first["review_status"]) == ("confirm_violation", "confirmed")
        assert first["decided_by"] == decided["decided_by"] == first["assignee"]
        assert (second["decision"], second["suggested_fix"], second["assignee"]) == ("", "", "")
        # The API's check carries the same facts.
        assert (decided["brand"], decided["connection_type"], decided["post_id"]) == (
            "GlowLab",
            "paid",
            "e1",
        )

    def test_other_peoples_text_cannot_run_as_a_formula(self, reviewer: ApiClient) -> None:
        (check_id,) = _seed(
            reviewer,
            post(
                id="@SUM(1+1)",
                caption='=HYPERLINK("http://evil.example","open") loving this serum',
                material_connection={"type": "paid", "brand": "+GlowLab"},
            ),
        )
        reviewer.post(
            f"/v1/compliance/checks/{check_id}/decision",
            json={"decision": "clear", "reason": "-1 label is burned into the image"},
        )
        text = reviewer.get("/v1/compliance/export").text
        (row,) = list(csv.DictReader(io.StringIO(text)))
        assert row["post_id"] == "'@SUM(1+1)"
        assert row["caption"].startswith("'=HYPERLINK(")
        assert row["brand"] == "'+GlowLab"
        assert row["decision_reason"] == "'-1 label is burned into the image"
        for name, cell in row.items():
            assert not cell or cell[0] not in "=+-@\t\r", (name, cell)


SENDER = {
    "sender_name": "Maya Chen",
    "company": "GlowLab Inc.",
    "from_email": "partners@glowlab.example",
    "reply_to": "partners@glowlab.example",
    "postal_address": "GlowLab Inc.\n120 Hudson Street\nNew York, NY 10013\nUSA",
    "jurisdiction": "US",
}


class TestSendTheFix:
    @pytest.fixture
    def team(self, client: TestClient, settings: Settings, database: Database) -> ApiClient:
        """acme's key with every scope it needs here: creators, the sender, compliance."""
        api = make_org_with_key(client, settings, database, "acme", ["read", "write", "compliance"])
        assert api.put("/v1/outreach/sender", json=SENDER).status_code == 200
        made = api.post(
            "/v1/creators",
            json=creator_record(handle="maya.glow", email="maya@creators.example"),
        )
        assert made.status_code == 201, made.text
        return api

    def creator_id(self, api: ApiClient) -> int:
        value: int = api.get("/v1/creators").json()["items"][0]["id"]
        return value

    def test_a_dry_run_lands_in_the_outbox_and_the_audit_trail(self, team: ApiClient) -> None:
        (check_id,) = _seed(team, post())
        preview = team.post(
            f"/v1/compliance/checks/{check_id}/fix/preview",
            json={"creator_email": "Maya@creators.example"},
        )
        assert preview.status_code == 200, preview.text
        shown = preview.json()
        assert shown["dry_run"] is True and shown["gate"]["allowed"] is True
        assert shown["to_email"] == "maya@creators.example"
        check = _check(team, check_id)
        assert check["suggested_fix"] in shown["text"]
        assert "A material connection must be disclosed." in shown["text"]
        assert team.get("/v1/outreach/outbox").json()["items"] == []  # a preview stores nothing

        sent = team.post(
            f"/v1/compliance/checks/{check_id}/fix",
            json={"creator_id": self.creator_id(team)},
        )
        assert sent.status_code == 200, sent.text
        body = sent.json()
        assert body["dry_run"] is True
        assert (body["message"]["kind"], body["message"]["status"]) == ("compliance_fix", "dry_run")
        assert body["check"]["creator_id"] == self.creator_id(team)
        assert body["check"]["audit"][-1]["action"] == "compliance.fix_sent"
        outbox = team.get("/v1/outreach/outbox", params={"kind": "compliance_fix"}).json()
        assert [m["compliance_check_id"] for m in outbox["items"]] == [check_id]
        assert team.get("/v1/outreach/outbox", params={"kind": "sequence"}).json()["items"] == []
        # Linked now: the next fix needs no creator.
        again = team.post(f"/v1/compliance/checks/{check_id}/fix", json={})
        assert again.status_code == 200 and again.json()["message"]["to_email"] == (
            "maya@creators.example"
        )

    def test_an_opted_out_creator_is_refused(self, team: ApiClient) -> None:
        (check_id,) = _seed(team, post())
        creator = self.creator_id(team)
        assert team.post("/v1/outreach/opt-outs", json={"creator_id": creator}).status_code == 204
        response = team.post(f"/v1/compliance/checks/{check_id}/fix", json={"creator_id": creator})
        assert response.status_code == 409
        assert "opted out" in response.json()["detail"]
        assert team.get("/v1/outreach/outbox").json()["items"] == []
        assert _check(team, check_id)["creator_id"] is None

    def test_who_and_what(
        self, team: ApiClient, client: TestClient, settings: Settings, database: Database
    ) -> None:
        bad, fine = _seed(team, post(), DISCLOSED)
        unlinked = team.post(f"/v1/compliance/checks/{bad}/fix", json={})
        assert unlinked.status_code == 409
        assert unlinked.json()["errors"][0]["field"] == "creator_id"
        unknown = team.post(
            f"/v1/compliance/checks/{bad}/fix", json={"creator_email": "who@example.com"}
        )
        assert unknown.status_code == 404
        assert unknown.json()["errors"][0]["field"] == "creator_email"
        nothing = team.post(
            f"/v1/compliance/checks/{fine}/fix", json={"creator_id": self.creator_id(team)}
        )
        assert nothing.status_code == 409 and "no findings" in nothing.json()["detail"]
        other = make_org_with_key(client, settings, database, "globex", ["compliance"])
        theirs = other.post(
            f"/v1/compliance/checks/{bad}/fix", json={"creator_id": self.creator_id(team)}
        )
        assert theirs.status_code == 404
        assert team.get("/v1/outreach/outbox").json()["items"] == []
