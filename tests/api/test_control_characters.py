"""Control characters in any text input are a 422 naming the field, on both databases.

PostgreSQL cannot store NUL (U+0000) in text: before, a NUL in a brand name, a creator, a
compliance check or an import row reached the database and came back as a 500 (and one bad
row failed a whole import). Now NUL and the other C0 control characters are refused where the
text comes in: JSON bodies (pydantic, RequestModel), query and path parameters and page forms
(one app-wide dependency), import rows (the creator record) and posts to check
(compliance.types.Post). Multi-line text (bios, briefs, captions, notes) may hold tab, line
feed and carriage return; single-line text (names, handles, e-mails, ids) holds none.
"""

from __future__ import annotations

import json
import re
import typing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import select

from api import web
from api.deps import MULTILINE_FORM_FIELDS, clean_text_input
from api.problem import api_routes
from api.web import campaign_drafts as web_campaigns
from core.settings import Settings
from core.textmodel import CleanTextModel
from models import Creator, SenderProfile
from storage.database import Database
from tests.api.test_authorization import calls
from tests.factories import ApiClient, add_key, creator_record, jsonl
from tests.outreach.conftest import SENDER
from tests.web_support import csrf_of, make_user, sign_in

POST: dict[str, Any] = {
    "id": "post-1",
    "caption": "#ad Loving my new serum @glowlab",
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "GlowLab"},
    "jurisdiction": "US",
}


@pytest.fixture
def reviewer(acme: ApiClient, settings: Settings, database: Database) -> ApiClient:
    return replace(acme, key=add_key(settings, database, acme.org_id, ["compliance"]))


def refused(response: Any, field: str, *, line: int | None = None, why: bool = True) -> None:
    """A 422 naming ``field`` (and ``line``); ``why``: saying it is a control character (a
    field's own rule, such as the handle's, may speak first)."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] in ("invalid_input", "import_rejected"), body
    wanted = {"field": field, "line": line}
    assert wanted in [{"field": e["field"], "line": e["line"]} for e in body["errors"]], body
    if why:
        assert "control character" in json.dumps(body["errors"]), body


class TestJsonBodies:
    def test_a_nul_in_a_brand_name_is_422_not_500(self, acme: ApiClient) -> None:
        refused(acme.post("/v1/brands", json={"name": "a\u0000b"}), "name")
        assert acme.get("/v1/brands").json()["items"] == []

    @pytest.mark.parametrize("character", ["\n", "\t", "\r", "\u0007", "\u001f"])
    def test_a_single_line_field_allows_no_control_character(
        self, acme: ApiClient, character: str
    ) -> None:
        refused(acme.post("/v1/brands", json={"name": f"Verdant{character}SPF"}), "name")

    def test_creators_name_the_field_nested_ones_too(self, acme: ApiClient) -> None:
        refused(
            acme.post("/v1/creators", json=creator_record(display_name="a\u0000b")), "display_name"
        )
        refused(
            acme.post("/v1/creators", json=creator_record(handle="a\u0000b")), "handle", why=False
        )
        posts = [{"text": "ok", "url": "https://x.example/\u0000"}]
        refused(
            acme.post("/v1/creators", json=creator_record(recent_posts=posts)), "recent_posts.0.url"
        )
        refused(
            acme.post("/v1/creators", json=creator_record(categories=["ve\u0000gan"])),
            "categories.0",
        )
        assert acme.get("/v1/creators").json()["items"] == []

    def test_multi_line_text_keeps_its_line_breaks_but_not_other_controls(
        self, acme: ApiClient
    ) -> None:
        made = acme.post("/v1/creators", json=creator_record(bio="Line one\n\tLine two\r\n"))
        assert made.status_code == 201, made.text
        assert made.json()["bio"] == "Line one\n\tLine two"
        creator_id = made.json()["id"]
        refused(acme.patch(f"/v1/creators/{creator_id}", json={"bio": "x\u0000y"}), "bio")
        refused(acme.patch(f"/v1/creators/{creator_id}", json={"bio": "x\u000by"}), "bio")
        refused(
            acme.patch(f"/v1/creators/{creator_id}", json={"display_name": "a\nb"}), "display_name"
        )
        assert acme.get(f"/v1/creators/{creator_id}").json()["bio"] == "Line one\n\tLine two"

    def test_campaigns_brief_and_keys_of_objects(self, acme: ApiClient) -> None:
        made = acme.post("/v1/campaigns", json={"name": "x", "brief": "one\ntwo"})
        assert made.status_code == 201, made.text
        refused(acme.post("/v1/campaigns", json={"name": "x", "brief": "a\u0000"}), "brief")
        refused(
            acme.post("/v1/campaigns", json={"name": "x", "target_audience": {"a\u0000": ["b"]}}),
            "target_audience",  # the key itself is at fault
        )
        assert len(acme.get("/v1/campaigns").json()["items"]) == 1


class TestStoredData:
    def test_text_stored_before_the_check_still_reads(
        self, acme: ApiClient, database: Database, settings: Settings
    ) -> None:
        """A creator and a sender profile stored with a tab in a one-line field (allowed
        before) are still read, listed and exported; only new input is checked."""
        made = acme.post("/v1/creators", json=creator_record(display_name="Lena")).json()
        put = acme.client.put("/v1/outreach/sender", json=SENDER, headers=acme.headers)
        assert put.status_code == 200, put.text
        with database.session() as session:
            creator = session.get(Creator, made["id"])
            assert creator is not None
            creator.display_name = "Lena\tGreen"
            profile = session.scalars(select(SenderProfile)).one()
            profile.company = "Verdant\tLabs"
        assert acme.get(f"/v1/creators/{made['id']}").json()["display_name"] == "Lena\tGreen"
        assert acme.get("/v1/creators").json()["items"][0]["display_name"] == "Lena\tGreen"
        exported = acme.get("/v1/creators/export", params={"format": "jsonl"})
        assert exported.status_code == 200 and "Lena\\tGreen" in exported.text
        assert acme.get("/v1/outreach/sender").json()["company"] == "Verdant\tLabs"
        # A change is new input: the whole record is checked, the old tab named.
        refused(acme.patch(f"/v1/creators/{made['id']}", json={"followers": 1}), "display_name")


class TestParameters:
    def test_a_nul_in_a_query_parameter_is_422_naming_it(self, acme: ApiClient) -> None:
        refused(acme.get("/v1/creators", params={"category": "a\u0000b"}), "category")
        refused(acme.get("/v1/creators", params={"country": "\u0000"}), "country")

    def test_a_nul_in_a_path_parameter_is_422_naming_it(self, acme: ApiClient) -> None:
        refused(acme.delete("/v1/outreach/templates/email_intro%00"), "name")
        refused(acme.delete("/v1/planner/mixes/awareness%00"), "objective")


class TestCompliance:
    def test_a_check_names_the_field(self, reviewer: ApiClient) -> None:
        refused(
            reviewer.post("/v1/compliance/check", json={**POST, "caption": "#ad\u0000"}), "caption"
        )
        refused(reviewer.post("/v1/compliance/check", json={**POST, "id": "p\u0000"}), "id")
        refused(
            reviewer.post(
                "/v1/compliance/check",
                json={**POST, "material_connection": {"type": "paid", "brand": "Glow\nLab"}},
            ),
            "material_connection.brand",
        )
        refused(reviewer.post("/v1/compliance/check", json={**POST, "note": "a\u0000"}), "note")
        assert reviewer.get("/v1/compliance/checks").json()["items"] == []
        ok = reviewer.post("/v1/compliance/check", json={**POST, "caption": "#ad\nserum\ttime"})
        assert ok.status_code == 200, ok.text

    def test_a_batch_names_the_post(self, reviewer: ApiClient) -> None:
        posts = [POST, {**POST, "transcript": "spoken\u0000"}]
        refused(
            reviewer.post("/v1/compliance/check/batch", json={"posts": posts}), "posts.1.transcript"
        )
        assert reviewer.get("/v1/compliance/checks").json()["items"] == []


def _import(api: ApiClient, data: bytes, content_type: str, **params: str) -> Any:
    return api.post(
        "/v1/creators/import", content=data, headers={"Content-Type": content_type}, params=params
    )


class TestImports:
    def test_one_bad_jsonl_row_is_reported_on_its_line(self, acme: ApiClient) -> None:
        rows = [
            creator_record(handle="one"),
            creator_record(handle="two", display_name="Two\u0000"),
            creator_record(handle="three", bio="ok\nok"),
        ]
        refused(_import(acme, jsonl(rows), "application/x-ndjson"), "display_name", line=2)
        assert acme.get("/v1/creators").json()["items"] == []  # all or nothing
        kept = _import(acme, jsonl(rows), "application/x-ndjson", skip_invalid="true")
        assert kept.status_code == 200, kept.text
        assert kept.json()["created"] == 2
        assert [(e["line"], e["field"]) for e in kept.json()["errors"]] == [(2, "display_name")]
        handles = {c["handle"] for c in acme.get("/v1/creators").json()["items"]}
        assert handles == {"one", "three"}

    def test_one_bad_csv_row_is_reported_on_its_line(self, acme: ApiClient) -> None:
        data = b"platform,handle,display_name\ninstagram,one,One\ninstagram,two,T\x00wo\n"
        refused(_import(acme, data, "text/csv"), "display_name", line=3)
        assert acme.get("/v1/creators").json()["items"] == []

    def test_a_preset_import_names_the_crm_column(self, acme: ApiClient) -> None:
        data = b"Instagram Handle,First Name\none,One\ntwo,T\x01wo\n"
        refused(_import(acme, data, "text/csv", preset="hubspot"), "First Name", line=3)
        assert acme.get("/v1/creators").json()["items"] == []


class TestPages:
    def test_a_form_field_with_a_nul_is_422_naming_it_and_stores_nothing(
        self, client: TestClient, database: Database
    ) -> None:
        sign_in(client, make_user(database, "acme", "rita@acme.example", "admin"))
        csrf = csrf_of(client.get("/campaigns").text)
        form = {
            "csrf_token": csrf,
            "name": "Autumn\u0000",
            "brief": "one\ntwo",
            "objective": "awareness",
        }
        response = client.post("/campaigns", data=form)
        assert response.status_code == 422
        assert "name" in response.text and "control character" in response.text
        assert "Autumn" not in client.get("/campaigns").text
        response = client.post("/campaigns", data={**form, "name": "Autumn", "brief": "a\u0000"})
        assert response.status_code == 422 and "brief" in response.text

    def test_a_query_parameter_of_a_page_too(self, client: TestClient, database: Database) -> None:
        sign_in(client, make_user(database, "acme", "rita@acme.example", "admin"))
        response = client.get("/compliance/queue", params={"platform": "insta\u0000gram"})
        assert response.status_code == 422
        assert "platform" in response.text and "control character" in response.text

    def test_the_login_form(self, client: TestClient, database: Database) -> None:
        csrf = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"email": "a\u0000@x.example", "password": "x", "csrf_token": csrf}
        )
        assert response.status_code == 422
        assert "email" in response.text


def _models_in(annotation: Any, seen: set[type]) -> list[type]:
    """The pydantic models in an annotation, and in their fields' annotations (once each)."""
    found: list[type] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return found
        seen.add(annotation)
        found.append(annotation)
        for field in annotation.model_fields.values():
            found += _models_in(field.annotation, seen)
        return found
    for arg in typing.get_args(annotation):
        found += _models_in(arg, seen)
    return found


class TestEveryInputIsChecked:
    def test_every_route_checks_its_parameters_and_forms(self, client: TestClient) -> None:
        unchecked = [
            route.path_format
            for route in api_routes(client.app.routes)  # type: ignore[attr-defined]
            if not calls(route.dependant, clean_text_input)
        ]
        assert unchecked == []

    def test_every_request_body_model_checks_its_text(self, client: TestClient) -> None:
        models: dict[str, list[type]] = {}
        for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
            for param in route.dependant.body_params:
                found = _models_in(param.field_info.annotation, set())
                if route.path_format.startswith("/v1/"):
                    assert found, f"{route.path_format}: a body that is not a model"
                models[route.path_format] = found
        assert sum(map(len, models.values())) > 30
        unchecked = {
            path: [m.__name__ for m in found if not issubclass(m, CleanTextModel)]
            for path, found in models.items()
        }
        assert {path: names for path, names in unchecked.items() if names} == {}


def test_the_multi_line_form_fields_are_the_pages_text_areas() -> None:
    """MULTILINE_FORM_FIELDS names every <textarea> of the pages and nothing else."""
    templates = Path(web.__file__).parent / "templates"
    static = {
        match
        for path in templates.rglob("*.html")
        for match in re.findall(r'ui\.textarea\("([\w.]+)"', path.read_text(encoding="utf-8"))
    }
    editor = {
        name
        for fields in (
            web_campaigns._EMAIL_FIELDS,
            web_campaigns._BRIEF_FIELDS,
            web_campaigns._CONTRACT_FIELDS,
            web_campaigns._GIFTING_FIELDS,
        )
        for name, _label, shape in fields
        if shape != "text"
    }
    assert static | editor == MULTILINE_FORM_FIELDS
