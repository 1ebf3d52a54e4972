"""A client generated from the OpenAPI document drives the API through a real flow: create
a brand and a campaign, import creators (a JSONL body), page through them, match them to the
campaign, read one. Every call goes through the document: operation ids, parameters,
request and response schemas (see tests/api/openapi_client.py)."""

from __future__ import annotations

import ast
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.service import MatchService
from storage.database import Database
from tests.api.openapi_client import (
    ApiError,
    SpecMismatchError,
    generate_client,
    generate_source,
)
from tests.api.world import ROSTER
from tests.factories import ApiClient, creator_record, jsonl


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


@pytest.fixture
def api(client: TestClient, spec: dict[str, Any], acme: ApiClient) -> Any:
    client_class = generate_client(spec)
    return client_class(spec, client.request, headers=acme.headers)


class TestTheGenerator:
    def test_the_source_is_python_with_a_method_per_operation(self, spec: dict[str, Any]) -> None:
        tree = ast.parse(generate_source(spec))
        (cls,) = tree.body
        assert isinstance(cls, ast.ClassDef)
        methods = {f.name for f in cls.body if isinstance(f, ast.FunctionDef)}
        operations = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
        assert methods == operations

    def test_undeclared_parameters_and_operations_do_not_exist(self, api: Any) -> None:
        with pytest.raises(TypeError):
            api.creators_list(limt=5)
        with pytest.raises(TypeError):
            api.creators_get()  # creator_id is required
        with pytest.raises(AttributeError):
            api.list_creators()

    def test_a_body_that_breaks_the_schema_is_not_sent(self, api: Any) -> None:
        with pytest.raises(SpecMismatchError, match="breaks the schema"):
            api.campaigns_create_brand(body={"name": ""})

    def test_a_response_the_document_does_not_promise_is_caught(
        self, client: TestClient, spec: dict[str, Any], acme: ApiClient
    ) -> None:
        wrong = {
            **spec,
            "components": {**spec["components"], "schemas": dict(spec["components"]["schemas"])},
        }
        brand = dict(wrong["components"]["schemas"]["BrandRead"])
        brand["required"] = [*brand["required"], "logo_url"]
        wrong["components"]["schemas"]["BrandRead"] = brand
        api = generate_client(wrong)(wrong, client.request, headers=acme.headers)
        with pytest.raises(SpecMismatchError, match="logo_url"):
            api.campaigns_create_brand(body={"name": "Verdant"})


class TestAFlow:
    def test_brand_campaign_import_pages_match_read(
        self, api: Any, acme: ApiClient, database: Database, matcher: MatchService
    ) -> None:
        brand = api.campaigns_create_brand(body={"name": "Verdant", "categories": ["skincare"]})
        campaign = api.campaigns_create_campaign(
            body={
                "name": "Verdant SPF launch",
                "brand_id": brand["id"],
                "brief": "vegan skincare launch in the US, women 25-34 who care about sustainability",
                "objective": "launch",
                "platforms": ["instagram"],
                "countries": ["US"],
            }
        )
        assert campaign["brand_id"] == brand["id"]
        roster = [*ROSTER, *(creator_record(handle=f"foodie{i}") for i in range(4))]
        imported = api.creators_import(
            body=jsonl(roster), content_type="application/x-ndjson", idempotency_key="import-1"
        )
        assert (imported["created"], imported["rejected"]) == (len(roster), 0)

        seen, cursor, pages = [], None, 0
        while True:
            page = api.creators_list(limit=2, cursor=cursor)
            seen += page["items"]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 4
        assert sorted(c["handle"] for c in seen) == sorted(r["handle"] for r in roster)
        assert len({c["id"] for c in seen}) == len(roster)

        with pytest.raises(ApiError) as not_ready:
            api.matching_match(body={"campaign_id": campaign["id"]})
        assert not_ready.value.status == 503
        with database.session() as session:
            matcher.build_index(session, acme.org_id)
        matched = api.matching_match(body={"campaign_id": campaign["id"], "k": 3})
        assert matched["results"][0]["handle"] == "plantglow.maya"
        assert {r["platform"] for r in matched["results"]} == {"instagram"}

        maya = api.creators_get(creator_id=matched["results"][0]["creator_id"])
        assert (maya["handle"], maya["country"]) == ("plantglow.maya", "US")
        with pytest.raises(ApiError) as missing:
            api.creators_get(creator_id=10**9)
        assert missing.value.status == 404
        assert missing.value.problem["code"] == "not_found"
