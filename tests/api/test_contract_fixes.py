"""What the property-based run (test_schemathesis.py) found, pinned down one request each, so
that each fix stays put even where the run's random examples would not look again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.middleware import RateLimiter
from api.schemas.common import MAX_ID
from core.patterns import LINE, LINE_NOT_BLANK, LINES, LINES_NOT_BLANK
from core.settings import Settings
from matcher.service import MatchService
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


def schemas_in(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON Schema object in a part of the document (a rough walk: every dict)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from schemas_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from schemas_in(item)


class TestTheDocumentAsksOnlyWhatTheServerTakes:
    """``positive_data_acceptance``: a request the document allows is not refused as
    invalid. Each test pins down one thing the run found."""

    @pytest.fixture
    def document(self, full: ApiClient) -> dict[str, Any]:
        spec: dict[str, Any] = full.client.get("/openapi.json").json()
        return spec

    def test_integer_bounds_are_exact(self, document: dict[str, Any]) -> None:
        """FastAPI turned ``maximum: 2**63 - 1`` into 2**63 (a float), which the server
        refuses: a generated client would send it."""
        bounds = [
            (key, schema[key])
            for schema in schemas_in(document)
            if schema.get("type") == "integer"
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
            if key in schema
        ]
        assert ("maximum", MAX_ID) in bounds
        assert [b for b in bounds if not isinstance(b[1], int) or b[1] > MAX_ID] == []

    @staticmethod
    def parameter(document: dict[str, Any], path: str, method: str, name: str) -> Any:
        operation = document["paths"][path][method]
        return next(p for p in operation["parameters"] if p["name"] == name)["schema"]

    def test_path_names_from_a_list_are_enums(
        self, full: ApiClient, document: dict[str, Any]
    ) -> None:
        template = self.parameter(document, "/v1/outreach/templates/{name}", "put", "name")
        assert "email_intro.txt.j2" in template["enum"]
        objective = self.parameter(document, "/v1/planner/mixes/{objective}", "delete", "objective")
        assert "conversions" in objective["enum"]
        for method, path, field in (
            ("delete", "/v1/planner/mixes/0", "objective"),
            ("delete", "/v1/outreach/templates/0", "name"),
        ):
            response = getattr(full, method)(path)
            assert response.status_code == 422, path
            assert response.json()["errors"][0]["field"] == field

    def test_mix_shares_are_scaled_to_sum_to_1(self, full: ApiClient) -> None:
        """A sum is no JSON Schema rule: shares that do not sum to 1 are scaled."""
        response = full.client.put(
            "/v1/planner/mixes/conversions",
            json={"mix": {"micro": 0.6, "mid": 0.3}},
            headers=full.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["micro"] == pytest.approx(2 / 3)
        assert response.json()["mid"] == pytest.approx(1 / 3)
        nothing = full.client.put(
            "/v1/planner/mixes/conversions", json={"mix": {"micro": 0}}, headers=full.headers
        )
        assert nothing.status_code == 422

    def test_one_of_two_fields_is_an_any_of(self, document: dict[str, Any]) -> None:
        schemas = document["components"]["schemas"]
        for name, fields in (
            ("MatchRequest", ["brief", "campaign_id"]),
            ("ConversionIn", ["discount_code", "utm_tag"]),
        ):
            assert [branch["required"] for branch in schemas[name]["anyOf"]] == [
                [field] for field in fields
            ]
        decision = schemas["DecisionCreate"]["anyOf"]
        override = next(
            b for b in decision if b["properties"]["decision"].get("const") == "override"
        )
        assert override["required"] == ["verdict", "reason"]

    def test_min_followers_above_max_is_no_error(self, full: ApiClient) -> None:
        body = {"brief": "vegan skincare", "filters": {"min_followers": 10, "max_followers": 5}}
        assert full.post("/v1/match", json=body).status_code != 422

    def test_an_empty_period_exports_the_header(self, full: ApiClient) -> None:
        response = full.get(
            "/v1/compliance/export",
            params={"since": "2027-01-02T00:00:00Z", "until": "2027-01-01T00:00:00Z"},
        )
        assert response.status_code == 200, response.text
        assert response.text.count("\n") == 1

    def test_follow_up_delays_are_bounded_in_the_document(
        self, full: ApiClient, document: dict[str, Any]
    ) -> None:
        days = document["components"]["schemas"]["SequenceIn"]["properties"]["followup_days"]
        assert days["items"] == {"type": "integer", "minimum": 1, "maximum": 90}
        campaign = full.post("/v1/campaigns", json={"name": "Launch"}).json()
        response = full.client.put(
            f"/v1/campaigns/{campaign['id']}/sequence",
            json={"followup_days": [0, 7]},
            headers=full.headers,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "followup_days.0"

    def test_a_name_may_be_left_out_of_an_update_but_not_be_null(
        self, full: ApiClient, document: dict[str, Any]
    ) -> None:
        schemas = document["components"]["schemas"]
        assert schemas["BrandUpdate"]["properties"]["name"]["type"] == "string"
        for field in ("name", "brief", "objective", "currency"):
            assert "anyOf" not in schemas["CampaignUpdate"]["properties"][field], field
        brand = full.post("/v1/brands", json={"name": "Verdant"}).json()
        response = full.patch(f"/v1/brands/{brand['id']}", json={"name": None})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "name"
        assert full.patch(f"/v1/brands/{brand['id']}", json={"website": None}).status_code == 200


class TestStateConflictsAre409:
    """A request the document allows that the stored state refuses is a 409 (or a 404 for
    an object that does not exist), never a 422: the client cannot know the state."""

    def test_a_plan_for_a_campaign_without_a_budget(self, full: ApiClient) -> None:
        campaign = full.post("/v1/campaigns", json={"name": "Launch", "brief": "skincare"})
        response = full.post(f"/v1/campaigns/{campaign.json()['id']}/plan")
        assert response.status_code == 409, response.text
        assert "has no budget" in response.json()["detail"]

    def test_a_stored_override_that_fails_for_a_real_draft(self, full: ApiClient) -> None:
        from outreach.sample_data import sample_contract
        from tests.outreach.conftest import SENDER

        sample = sample_contract("ambassador").template_vars()["creator_handle"]
        # Renders the sample (so it is stored), divides by zero for anyone else.
        source = f'{{% if creator_handle != "{sample}" %}}{{{{ 1 // 0 }}}}{{% endif %}}# A\n'
        name = "contract_ambassador.md.j2"
        stored = full.client.put(
            f"/v1/outreach/templates/{name}", json={"source": source}, headers=full.headers
        )
        assert stored.status_code == 200, stored.text
        assert full.client.put("/v1/outreach/sender", json=SENDER, headers=full.headers)
        creator = full.post("/v1/creators", json=creator_record(handle="maya")).json()
        campaign = full.post("/v1/campaigns", json={"name": "Launch"}).json()
        body = {
            "campaign_id": campaign["id"],
            "creator_id": creator["id"],
            "kind": "contract_ambassador",
            "reasons": [],
        }
        response = full.post("/v1/outreach/drafts", json=body)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "template_override_broken"
        assert response.json()["errors"][0]["field"] == name


class TestValuesAreWhatTheDocumentSays:
    """Each type of value means the same to the document and to the server."""

    @pytest.fixture
    def document(self, full: ApiClient) -> dict[str, Any]:
        spec: dict[str, Any] = full.client.get("/openapi.json").json()
        return spec

    def test_no_pydantic_keyword_leaks_into_the_document(self, document: dict[str, Any]) -> None:
        """A constraint written after a validator came out as ``{"ge": 0}``, no JSON
        Schema keyword: the generator ignored it and sent negative counts."""
        leaked = [s for s in schemas_in(document) if {"ge", "le", "gt", "lt"} & set(s)]
        assert leaked == []

    def test_money_is_a_decimal_string_or_a_whole_number(
        self, full: ApiClient, document: dict[str, Any]
    ) -> None:
        revenue = document["components"]["schemas"]["ConversionIn"]["properties"]["revenue"]
        assert [option["type"] for option in revenue["anyOf"]] == ["string", "integer"]
        campaign = {"name": "Launch"}
        for budget in ("20000.00", 20000, 20000.0):
            made = full.post("/v1/campaigns", json={**campaign, "budget": budget})
            assert made.status_code == 201, (budget, made.text)
        for budget in (0.1, "1e3", "12.345", "", "007"):
            refused = full.post("/v1/campaigns", json={**campaign, "budget": budget})
            assert refused.status_code == 422, budget
            assert refused.json()["errors"][0]["field"] == "budget"

    def test_a_number_is_no_text(self, full: ApiClient) -> None:
        for path, body, field in (
            ("/v1/match", {"brief": "skincare", "k": "5"}, "k"),
            ("/v1/campaigns", {"name": "x", "excluded_creator_ids": ["5"]}, "excluded_creator_ids"),
            ("/v1/campaigns/1/plan", {"max_overlap": False}, "max_overlap"),
        ):
            response = full.post(path, json=body)
            assert response.status_code == 422, (path, response.text)
            assert response.json()["errors"][0]["field"] == field

    def test_a_count_is_a_whole_number(self, full: ApiClient, document: dict[str, Any]) -> None:
        metrics = document["components"]["schemas"]["MetricsIn"]["properties"]["metrics"]
        assert metrics["additionalProperties"] == {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_ID,
        }

    def test_a_cursor_with_a_final_newline_is_refused(self, full: ApiClient) -> None:
        """Python's ``$`` matches before a final newline; the document's does not."""
        from api.schemas.common import QUEUE

        cursor = QUEUE.encode({"priority": 0, "after": 5}) + "\n"  # 16 digits: it decoded
        response = full.get("/v1/compliance/queue", params={"cursor": cursor})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "cursor"

    def test_a_null_cursor_in_a_body_is_the_first_page(self, document: dict[str, Any]) -> None:
        cursor = document["components"]["schemas"]["MatchRequest"]["properties"]["cursor"]
        assert {"type": "null"} in cursor["anyOf"]

    def test_every_pattern_reads_the_same_to_every_engine(self, document: dict[str, Any]) -> None:
        """``\\s``, ``\\w``, ``\\d`` mean other characters to Python, to Rust (pydantic) and
        to the generator: an address with a NEL (U+0085) was valid to schemathesis and
        refused by the server. Patterns use explicit classes (core/patterns.py)."""
        patterns = {s["pattern"] for s in schemas_in(document) if isinstance(s.get("pattern"), str)}
        assert [p for p in patterns if re.search(r"\\[swdbSWDB]", p)] == []

    def test_a_target_audience_is_a_typed_object(
        self, full: ApiClient, document: dict[str, Any]
    ) -> None:
        target = document["components"]["schemas"]["TargetIn"]
        assert set(target["properties"]) == {"age", "genders", "countries", "interests"}
        assert target["additionalProperties"] is False
        response = full.post("/v1/campaigns", json={"name": "x", "target_audience": {"ages": []}})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "target_audience.ages"
        weights = document["components"]["schemas"]["MatchRequest"]["properties"]["weights"]
        assert "niche_fit" in weights["anyOf"][0]["properties"]

    def test_a_post_is_a_typed_object(self, document: dict[str, Any]) -> None:
        post = document["components"]["schemas"]["PostIn"]
        assert "instagram" in post["properties"]["platform"]["enum"]
        connection = document["components"]["schemas"]["MaterialConnectionIn"]
        assert connection["required"] == ["type"] and connection["additionalProperties"] is False
        batch = document["components"]["schemas"]["BatchCheckRequest"]["properties"]["posts"]
        assert batch["items"] == {"$ref": "#/components/schemas/PostIn"}

    def test_a_drafts_extra_is_a_typed_object(self, full: ApiClient) -> None:
        """``gift_value: "abc"`` was a 500 (decimal.InvalidOperation), ``dos: 5`` too."""
        body = {"campaign_id": 1, "creator_id": 1, "kind": "brief"}
        for extra, field in (
            ({"gift_value": "abc"}, "extra.gift_value"),
            ({"dos": 5}, "extra.dos"),
            ({"dos": []}, "extra.dos"),
            ({"niche": "two\nlines"}, "extra.niche"),
            ({"niche": "a\ttab"}, "extra.niche"),
            ({"niche": "   "}, "extra.niche"),
            ({"creator_party": {"address": "Main St 1\r10115"}}, "extra.creator_party.address"),
        ):
            response = full.post("/v1/outreach/drafts", json={**body, "extra": extra})
            assert response.status_code == 422, (extra, response.text)
            assert response.json()["errors"][0]["field"] == field

    def test_an_address_has_lines(self, full: ApiClient) -> None:
        """The document let an address have line breaks, the server refused them (it took
        the address for one line)."""
        from tests.outreach.conftest import SENDER

        assert full.client.put("/v1/outreach/sender", json=SENDER, headers=full.headers)
        creator = full.post("/v1/creators", json=creator_record(handle="maya")).json()
        campaign = full.post("/v1/campaigns", json={"name": "Spring launch"}).json()
        body = {
            "campaign_id": campaign["id"],
            "creator_id": creator["id"],
            "kind": "contract_sponsored_post",
            "reasons": [],
            "extra": {"creator_party": {"address": "Main St 1\r\n\t10115 Berlin"}},
        }
        response = full.post("/v1/outreach/drafts", json=body)
        assert response.status_code == 201, response.text

    def test_dates_are_of_the_years_1900_to_2999(
        self, full: ApiClient, document: dict[str, Any]
    ) -> None:
        """A program starting in 9999 ran past Python's last year (a 500)."""
        starts = document["components"]["schemas"]["ProgramCreate"]["properties"]["starts_on"]
        assert starts["pattern"] == "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"
        creator = full.post("/v1/creators", json=creator_record(handle="maya")).json()
        program = {
            "name": "Ambassadors",
            "creator_id": creator["id"],
            "starts_on": "9999-12-01",
            "months": 60,
            "cadence": [{"platform": "instagram", "kind": "post", "count": 1, "per": "month"}],
        }
        response = full.post("/v1/programs", json=program)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "starts_on"

    def test_time_zones_are_an_enum(self, full: ApiClient, document: dict[str, Any]) -> None:
        zone = document["components"]["schemas"]["ProgramCreate"]["properties"]["timezone"]
        assert "Europe/Berlin" in zone["enum"] and "localtime" not in zone["enum"]

    def test_a_creator_record_says_what_the_record_takes(
        self, full: ApiClient, document: dict[str, Any]
    ) -> None:
        create = document["components"]["schemas"]["CreatorCreate"]["properties"]
        handle = re.compile(create["handle"]["pattern"])
        assert handle.fullmatch("@Café_au.lait-1") and not handle.fullmatch("maya!")
        assert "US" in create["country"]["anyOf"][0]["enum"]
        update = document["components"]["schemas"]["CreatorUpdate"]
        assert update["additionalProperties"] is False
        assert set(update["properties"]) == set(create)
        made = full.post("/v1/creators", json=creator_record(handle="maya")).json()
        for body, field in (
            ({"is_virtual": 1}, "is_virtual"),
            ({"rates": {"post": True}}, "rates.post"),
            ({"handle": "maya!"}, "handle"),
            ({"folowers": 5}, "folowers"),
        ):
            response = full.patch(f"/v1/creators/{made['id']}", json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["errors"][0]["field"] == field
        cleared = full.patch(f"/v1/creators/{made['id']}", json={"categories": None})
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["categories"] == []


class TestMoreStateConflicts:
    def test_a_campaign_date_against_the_stored_other_is_a_409(self, full: ApiClient) -> None:
        campaign = full.post(
            "/v1/campaigns", json={"name": "Launch", "starts_on": "2027-03-01"}
        ).json()
        response = full.patch(f"/v1/campaigns/{campaign['id']}", json={"ends_on": "2027-02-01"})
        assert response.status_code == 409, response.text
        both = full.patch(
            f"/v1/campaigns/{campaign['id']}",
            json={"starts_on": "2027-03-01", "ends_on": "2027-02-01"},
        )
        assert both.status_code == 422

    def test_stored_text_that_cannot_go_into_a_draft_is_a_409(self, full: ApiClient) -> None:
        """A campaign name may hold a DEL (U+007F: core/text.py leaves it alone), a document
        may not (outreach.contexts): the draft's request is valid, the stored name is not."""
        from tests.outreach.conftest import SENDER

        assert full.client.put("/v1/outreach/sender", json=SENDER, headers=full.headers)
        creator = full.post("/v1/creators", json=creator_record(handle="maya")).json()
        campaign = full.post("/v1/campaigns", json={"name": "Spring\x7flaunch"}).json()
        body = {
            "campaign_id": campaign["id"],
            "creator_id": creator["id"],
            "kind": "email_intro",
            "reasons": [],
        }
        response = full.post("/v1/outreach/drafts", json=body)
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "draft_data_invalid"
        assert response.json()["errors"][0]["field"] == "campaign_name"

    def test_a_plan_in_a_currency_without_a_rate_is_a_409(
        self, full: ApiClient, database: Database, matcher: MatchService
    ) -> None:
        full.post("/v1/creators", json=creator_record(handle="maya", followers=40_000))
        with database.session() as session:
            matcher.build_index(session, full.org_id)
        campaign = full.post(
            "/v1/campaigns", json={"name": "Launch", "brief": "skincare", "currency": "JPY"}
        ).json()
        response = full.post(f"/v1/campaigns/{campaign['id']}/plan", json={"budget": 5000})
        assert response.status_code == 409, response.text
        assert "JPY" in response.json()["detail"]

    def test_lookalikes_of_a_creator_not_yet_indexed_are_a_503(
        self, full: ApiClient, database: Database, matcher: MatchService
    ) -> None:
        full.post("/v1/creators", json=creator_record(handle="maya"))
        with database.session() as session:
            matcher.build_index(session, full.org_id)
        later = full.post("/v1/creators", json=creator_record(handle="lena")).json()
        response = full.post(f"/v1/creators/{later['id']}/similar")
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "creator_not_indexed"


def _excludes(pattern: str, forbidden: set[int]) -> bool:
    """Whether ``pattern`` is anchored at both ends and no part of it can match a character
    of ``forbidden``: read from Python's own parse of it, so it is a proof, not a sample."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser as sre  # type: ignore[attr-defined]

    def in_set(items: list[Any], char: int) -> bool:
        hit = False
        for op, av in items:
            if op is c.NEGATE:
                continue
            if (op is c.LITERAL and av == char) or (op is c.RANGE and av[0] <= char <= av[1]):
                hit = True
            elif op not in (c.LITERAL, c.RANGE):
                return True  # a category (\s, \w): assume the worst
        negated = bool(items) and items[0][0] is c.NEGATE
        return hit != negated

    def safe(items: Any) -> bool:
        for op, av in items:
            if op is c.LITERAL:
                ok = av not in forbidden
            elif op is c.IN:
                ok = not any(in_set(av, char) for char in forbidden)
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                ok = safe(av[2])
            elif op is c.SUBPATTERN:
                ok = safe(av[3])
            elif op is c.BRANCH:
                ok = all(safe(branch) for branch in av[1])
            elif op is c.AT:
                ok = True
            else:  # ANY, NOT_LITERAL, references: they may match anything
                ok = False
            if not ok:
                return False
        return True

    parsed = list(sre.parse(pattern))
    anchored = parsed[:1] == [(c.AT, c.AT_BEGINNING)] and parsed[-1:] == [(c.AT, c.AT_END)]
    return anchored and safe(parsed)


def _parsed(schema: dict[str, Any]) -> bool:
    """A format whose parser refuses every control character (and whose validators do)."""
    return schema.get("format") in ("date-time", "date", "binary")


def _texts(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every text a JSON request body or a path or query parameter of
    the document may hold: each string schema but the enums, and each object's keys."""
    components = document["components"]["schemas"]
    seen: set[str] = set()

    def walk(where: str, node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, list):
            for item in node:
                yield from walk(where, item)
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield from walk(name, components[name])
            return
        if {"enum", "const"} & set(node):
            return  # one of a list: no control character unless the list has one
        if node.get("type") == "string" and not _parsed(node):
            yield where, node
        if node.get("additionalProperties", False) is not False:  # (extra="ignore": none)
            yield f"{where} (keys)", node.get("propertyNames", {})
        for key, value in node.items():
            if key in ("properties", "patternProperties"):
                for name, schema in value.items():
                    yield from walk(f"{where}.{name}", schema)
            elif key in ("anyOf", "oneOf", "allOf") and "properties" in node:
                continue  # a model's "one of these fields": its properties hold as well
            elif key not in ("examples", "example", "default", "description", "title"):
                yield from walk(where, value)

    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query"):
                    yield from walk(f"{method} {path} {parameter['name']}", parameter["schema"])
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                yield from walk(f"{method} {path}", body["schema"])


DOCUMENT = create_app(
    Settings(
        environment="test",
        data_dir=Path("/nonexistent"),
        database_url="sqlite://",
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
    )
).openapi()


class TestTextKeepsTheControlCharacterRule:
    """core/text.py refuses control characters in every text that comes in (a 422): the
    document says so, in a pattern on each text, so a client generated from it never sends
    one (schemathesis sent a category with U+0012 that the document allowed)."""

    def test_the_checker_tells_a_pattern_that_keeps_the_rule(self) -> None:
        rule = set(range(0x20))
        assert _excludes(LINE, rule) and _excludes(LINE_NOT_BLANK, rule)
        for loose in (r"^.*$", r"[^ ]", r"^[^ ]*$", r"^\S+$", r"^[^\x01-\x1f]*$", "^a|b$"):
            assert not _excludes(loose, rule), loose

    def test_every_text_of_a_request_has_a_pattern_that_keeps_it(self) -> None:
        multiline = {ord(ch) for ch in "\t\n\r"}
        forbidden = set(range(0x20)) - multiline
        texts = list(_texts(DOCUMENT))
        assert len(texts) > 100  # the walk found them
        wrong = [
            (where, schema.get("pattern"))
            for where, schema in texts
            if "enum" not in schema and not _excludes(schema.get("pattern", ""), forbidden)
        ]
        assert wrong == []

    def test_single_line_text_refuses_tabs_in_the_document_too(self) -> None:
        campaign = DOCUMENT["components"]["schemas"]["CampaignCreate"]["properties"]
        assert campaign["name"]["pattern"] == LINE
        assert campaign["brief"]["pattern"] == LINES
        post = DOCUMENT["components"]["schemas"]["PostIn"]
        assert post["propertyNames"] == {"pattern": LINE}
        assert post["additionalProperties"] == {"$ref": "#/components/schemas/PassThroughValue"}

    def test_what_the_pattern_refuses_the_server_refuses(self, full: ApiClient) -> None:
        for path, body, field in (
            ("/v1/campaigns", {"name": "Spring\tlaunch"}, "name"),
            ("/v1/brands", {"name": "Verdant", "categories": ["skin\x12care"]}, "categories.0"),
        ):
            response = full.post(path, json=body)
            assert response.status_code == 422, (path, response.text)
            assert response.json()["errors"][0]["field"] == field
        query = full.get("/v1/outreach/outbox", params={"status": "sent\x00"})
        assert query.status_code == 422
        assert query.json()["errors"][0]["field"] == "status"

    def test_a_blank_brief_is_refused_as_the_document_says(self, full: ApiClient) -> None:
        request = DOCUMENT["components"]["schemas"]["MatchRequest"]
        assert request["anyOf"][0]["properties"]["brief"]["pattern"] == LINES_NOT_BLANK
        response = full.post("/v1/match", json={"brief": " \n "})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "brief"


class TestTheReviewersRulesAreInTheDocument:
    """The reviewer's filters and bulk changes (merged after the document was made exact)
    say what the server checks; what the checks' state refuses is a 404 or 409."""

    def test_filters_name_the_codes_platforms_and_ways_to_write_an_assignee(self) -> None:
        parameters = {
            p["name"]: p["schema"]
            for p in DOCUMENT["paths"]["/v1/compliance/queue"]["get"]["parameters"]
        }
        assert {"", "NO_DISCLOSURE"} <= set(parameters["code"]["enum"])
        assert {"", "instagram"} <= set(parameters["platform"]["enum"])
        pattern = re.compile(parameters["assignee"]["pattern"])
        for written in ("", "me", "none", " me ", "user:rob@acme.example", "api-key:5c509cea3f"):
            assert pattern.fullmatch(written), written
        for wrong in ("rob", "user:", "api-key:", "me\n"):
            assert not pattern.fullmatch(wrong), wrong

    def test_a_filter_for_no_one_is_a_documented_404(self, full: ApiClient) -> None:
        for path in ("/v1/compliance/queue", "/v1/compliance/checks"):
            assert "404" in DOCUMENT["paths"][path]["get"]["responses"], path
            response = full.get(path, params={"assignee": "user:nobody@acme.example"})
            assert response.status_code == 404, response.text
            assert response.json()["errors"][0]["field"] == "assignee"

    def test_a_bulk_change_names_its_checks_one_way(self) -> None:
        bulk = DOCUMENT["components"]["schemas"]["BulkDecisionCreate"]
        decision, selection = bulk["allOf"]
        assert [b["required"] for b in selection["anyOf"]] == [["check_ids"], ["filter"]]
        assert len(decision["anyOf"]) == 3

    def test_a_period_that_ends_before_it_starts_is_empty(self, full: ApiClient) -> None:
        full.post("/v1/compliance/check", json={**_POST})
        response = full.get(
            "/v1/compliance/checks",
            params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []

    def test_a_compliance_result_links_to_its_stored_check(self) -> None:
        links = DOCUMENT["paths"]["/v1/compliance/check"]["post"]["responses"]["200"]["links"]
        assert links["compliance_get_check"]["parameters"] == {
            "check_id": "$response.body#/check_id"
        }


_POST = {
    "id": "post-1",
    "caption": "Loving my new serum from @glowlab! #skincare",
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "GlowLab"},
    "jurisdiction": "US",
}
