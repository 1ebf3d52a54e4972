"""What the property-based run (test_schemathesis.py) found, pinned down one request each, so
that each fix stays put even where the run's random examples would not look again."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from api.middleware import RateLimiter
from core.settings import Settings
from storage.database import Database
from tests.factories import ApiClient, add_key, creator_record

TOO_BIG = 2**63


@pytest.fixture
def full(acme: ApiClient, settings: Settings, database: Database) -> ApiClient:
    return replace(acme, key=add_key(settings, database, acme.org_id, ["admin"]))


class TestMethodNotAllowed:
    def test_allow_names_every_method_of_the_path(self, full: ApiClient) -> None:
        response = full.client.request("PUT", "/v1/brands", headers=full.headers)
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST"
        assert response.headers["content-type"] == "application/problem+json"


class TestMalformedBodies:
    def test_bad_json_names_the_body(self, full: ApiClient) -> None:
        response = full.post(
            "/v1/brands", content=b'{"name": ', headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        (error,) = response.json()["errors"]
        assert error["field"] == "body" and error["message"].startswith("not valid JSON")

    def test_bytes_that_are_no_text_are_422_not_400(self, full: ApiClient) -> None:
        response = full.post(
            "/v1/brands", content=b"\xff\xfe\x00{", headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "body"


class TestUnknownQueryParameters:
    def test_a_typo_is_422_naming_it(self, full: ApiClient) -> None:
        response = full.get("/v1/creators", params={"limt": 5})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "limt"
        assert "limit" in response.json()["detail"]

    def test_authentication_comes_first(self, client: TestClient) -> None:
        assert client.get("/v1/creators", params={"limt": 5}).status_code == 401


class TestIdsAre64Bits:
    @pytest.mark.parametrize(
        "path",
        [
            f"/v1/brands/{TOO_BIG}",
            f"/v1/campaigns/{TOO_BIG}/pipeline",
            f"/v1/programs/{TOO_BIG}/notices",
            f"/v1/outreach/drafts?campaign_id={TOO_BIG}",
        ],
    )
    def test_a_larger_id_is_422_not_500(self, full: ApiClient, path: str) -> None:
        assert full.get(path).status_code == 422

    def test_so_is_one_in_a_body(self, full: ApiClient) -> None:
        body = {"campaign_id": TOO_BIG, "creator_id": 1, "kind": "brief"}
        response = full.post("/v1/outreach/drafts", json=body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "campaign_id"


class TestNoLaxCoercions:
    @pytest.mark.parametrize(
        ("path", "body", "field"),
        [
            ("/v1/campaigns", {"name": "x", "starts_on": 0}, "starts_on"),
            ("/v1/campaigns", {"name": "x", "budget": True}, "budget"),
            ("/v1/match", {"brief": "x", "filters": {"max_cost_usd": False}}, "filters"),
            (
                "/v1/match",
                {"brief": "x", "filters": {"exclude_competitor_mentions": 0}},
                "filters",
            ),
            ("/v1/outreach/drafts", {"campaign_id": True, "creator_id": 1, "kind": "brief"}, None),
        ],
    )
    def test_numbers_are_no_dates_or_booleans_and_back(
        self, full: ApiClient, path: str, body: dict[str, object], field: str | None
    ) -> None:
        response = full.post(path, json=body)
        assert response.status_code == 422, response.text
        if field:
            assert response.json()["errors"][0]["field"].startswith(field)

    def test_a_number_is_no_timestamp(self, full: ApiClient) -> None:
        for value in ("0.5", "1700000000"):
            response = full.get("/v1/compliance/checks", params={"since": value})
            assert response.status_code == 422
        ok = full.get("/v1/compliance/checks", params={"since": "2026-11-01T00:00:00Z"})
        assert ok.status_code == 200


class TestProgramsReferenceOnlyTheirOwnOrganisation:
    def test_a_missing_or_foreign_brand_is_404_not_500(
        self, full: ApiClient, globex: ApiClient
    ) -> None:
        creator = full.post("/v1/creators", json=creator_record()).json()
        theirs = globex.post("/v1/brands", json={"name": "Globex"}).json()
        base = {
            "name": "Ambassadors",
            "creator_id": creator["id"],
            "starts_on": "2027-01-01",
            "cadence": [{"platform": "instagram", "kind": "post", "count": 1, "per": "month"}],
        }
        for field, value in (
            ("brand_id", 999_999),
            ("brand_id", theirs["id"]),
            ("campaign_id", 999_999),
            ("contract_draft_id", 999_999),
        ):
            response = full.post("/v1/programs", json={**base, field: value})
            assert response.status_code == 404, (field, response.text)
        assert full.get("/v1/programs").json()["items"] == []


class TestIdempotencyStoresOnlyWhatRan:
    def test_an_unknown_key_leaves_no_record_and_stays_401(self, client: TestClient) -> None:
        headers = {"Authorization": "Bearer cm_nobody", "Idempotency-Key": "k-1"}
        first = client.post("/v1/brands", json={"name": "A"}, headers=headers)
        second = client.post("/v1/brands", json={"name": "B"}, headers=headers)
        assert (first.status_code, second.status_code) == (401, 401)
        assert "idempotent-replayed" not in second.headers

    def test_a_throttled_request_runs_when_retried(
        self, client: TestClient, full: ApiClient
    ) -> None:
        now = [0.0]
        client.app.state.rate_limiter = RateLimiter(clock=lambda: now[0])  # type: ignore[attr-defined]
        slow = full.post("/v1/keys", json={"scopes": ["write", "read"], "rate_limit_per_minute": 1})
        api = replace(full, key=slow.json()["secret"])
        assert api.get("/v1/brands").status_code == 200
        headers = {"Idempotency-Key": "brand-1"}
        assert api.post("/v1/brands", json={"name": "A"}, headers=headers).status_code == 429
        now[0] += 61
        retried = api.post("/v1/brands", json={"name": "A"}, headers=headers)
        assert retried.status_code == 201
        assert "idempotent-replayed" not in retried.headers
