"""Injection attempts are harmless: SQL in query parameters and text fields is stored and
compared as text (results and the schema stay the same); path traversal in path parameters
is a 404 or 422; template syntax in the data that outreach drafts are made of comes out
literally, never evaluated; oversized bodies are refused with 413."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select

from core.settings import Settings
from models import Creator
from storage.database import Database
from tests.api.test_matching import import_roster
from tests.factories import ApiClient, add_key, creator_record
from tests.outreach.conftest import SENDER

SQL = [
    "' OR 1=1 --",
    '"; DROP TABLE creators; --',
    "1; DELETE FROM creators WHERE 1=1",
    "x' UNION SELECT id, handle FROM creators --",
    "%' OR '%'='",
    "\\'; SELECT pg_sleep(5); --",
]
TRAVERSAL = [
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%252F..%252Fetc%252Fpasswd",
    "....%2F%2F....%2F%2Fetc%2Fpasswd",
    "%2Fetc%2Fpasswd",
    "..%5C..%5Cwindows%5Cwin.ini",
]
# Each is harmless text unless something evaluates it: then its tell-tale shows up.
TEMPLATES = {
    "{{ 191*7 }}": "1337",
    "{% for x in 'abc' %}Q{% endfor %}": "QQQ",
    "{{ ''.__class__.__mro__ }}": "<class",
    "{{ config.items() }}": "SECRET",
    "${7*191}": "1337",
}


def schema_of(database: Database) -> dict[str, list[str]]:
    inspector = inspect(database.engine)
    return {
        table: sorted(c["name"] for c in inspector.get_columns(table))
        for table in inspector.get_table_names()
    }


def count_creators(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Creator)) or 0)


@pytest.fixture
def full(acme: ApiClient, settings: Settings, database: Database) -> ApiClient:
    return replace(acme, key=add_key(settings, database, acme.org_id, ["admin"]))


@pytest.fixture
def roster(acme: ApiClient, globex: ApiClient) -> None:
    import_roster(acme, [creator_record(handle=f"acme{i}", categories=["food"]) for i in range(3)])
    import_roster(globex, [creator_record(handle="globex0", categories=["food"])])


class TestSqlInjection:
    @pytest.mark.parametrize("attack", SQL)
    def test_query_parameters_are_compared_as_text(
        self, full: ApiClient, database: Database, roster: None, attack: str
    ) -> None:
        before = (schema_of(database), count_creators(database))
        assert full.get("/v1/creators", params={"category": attack}).json()["items"] == []
        for path, name in (
            ("/v1/outreach/outbox", "status"),
            ("/v1/outreach/drafts", "campaign_id"),
            ("/v1/compliance/checks", "verdict"),
            ("/v1/creators", "cursor"),
            ("/v1/creators", "platform"),
            ("/v1/creators", "country"),
        ):
            response = full.get(path, params={name: attack})
            assert response.status_code in (200, 422), (path, name)
            if response.status_code == 200:
                assert response.json()["items"] == [], (path, name)
        everything = full.get("/v1/creators").json()["items"]
        assert sorted(c["handle"] for c in everything) == ["acme0", "acme1", "acme2"]
        assert (schema_of(database), count_creators(database)) == before

    @pytest.mark.parametrize("attack", SQL)
    def test_text_fields_are_stored_verbatim(
        self, full: ApiClient, database: Database, roster: None, attack: str
    ) -> None:
        before = schema_of(database)
        made = full.post(
            "/v1/creators",
            json=creator_record(handle="bobby.tables", display_name=attack, bio=attack),
        )
        assert made.status_code == 201, made.text
        creator = full.get(f"/v1/creators/{made.json()['id']}").json()
        assert (creator["display_name"], creator["bio"]) == (attack, attack)
        brand = full.post("/v1/brands", json={"name": attack, "categories": [attack]})
        assert brand.status_code == 201, brand.text
        assert full.get(f"/v1/brands/{brand.json()['id']}").json()["name"] == attack
        campaign = full.post("/v1/campaigns", json={"name": attack, "brief": attack})
        assert campaign.json()["name"] == attack
        # Matching on the text finds the creators the index holds, nothing else.
        handles = {c["handle"] for c in full.get("/v1/creators").json()["items"]}
        assert handles == {"acme0", "acme1", "acme2", "bobby.tables"}
        assert count_creators(database) == 5  # acme's four and globex's one
        assert schema_of(database) == before

    def test_a_cursor_cannot_smuggle_sql(self, full: ApiClient, roster: None) -> None:
        import base64

        for payload in ('{"after": "1 OR 1=1"}', '{"after": -1}', '{"after": 1, "x": 2}'):
            cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
            response = full.get("/v1/creators", params={"cursor": cursor})
            assert response.status_code == 422
            assert response.json()["errors"][0]["field"] == "cursor"


class TestPathTraversal:
    @pytest.mark.parametrize("attack", TRAVERSAL)
    def test_path_parameters_are_404_or_422(
        self, client: TestClient, full: ApiClient, attack: str
    ) -> None:
        for method, template in (
            ("GET", "/v1/creators/{}"),
            ("GET", "/v1/brands/{}"),
            ("GET", "/v1/outreach/drafts/{}/export"),
            ("PUT", "/v1/outreach/templates/{}"),
            ("DELETE", "/v1/outreach/templates/{}"),
            ("POST", "/v1/outreach/templates/{}/preview"),
            ("GET", "/u/{}"),
        ):
            body = {"source": "x"} if method in ("PUT", "POST") else None
            response = client.request(
                method, template.format(attack), headers=full.headers, json=body
            )
            assert response.status_code in (404, 422), (method, template, response.text)
            assert "root:" not in response.text and "[fonts]" not in response.text

    def test_an_export_format_is_one_of_the_list(self, full: ApiClient) -> None:
        response = full.get("/v1/outreach/drafts/1/export", params={"format": "../../etc/passwd"})
        assert response.status_code == 422


class TestTemplateSyntaxInData:
    @pytest.fixture
    def hostile(self, full: ApiClient) -> dict[str, Any]:
        text = " ".join(TEMPLATES)
        put = full.client.put(
            "/v1/outreach/sender",
            json={**SENDER, "sender_name": "Maya {{ 191*7 }}", "company": "Verdant {% raw %}"},
            headers=full.headers,
        )
        assert put.status_code == 200, put.text
        creator = full.post(
            "/v1/creators",
            json=creator_record(
                handle="jinja.fan", display_name="Jo {{ 191*7 }}", bio=text, email="jo@x.example"
            ),
        ).json()
        brand = full.post("/v1/brands", json={"name": "Brand ${7*191}"}).json()
        campaign = full.post(
            "/v1/campaigns",
            json={
                "name": "Launch {% for x in 'abc' %}Q{% endfor %}",
                "brand_id": brand["id"],
                "brief": text,
            },
        ).json()
        return {"creator": creator["id"], "campaign": campaign["id"], "text": text}

    @pytest.mark.parametrize("kind", ["email_intro", "brief", "contract_sponsored_post"])
    def test_drafts_show_it_literally(
        self, full: ApiClient, hostile: dict[str, Any], kind: str
    ) -> None:
        response = full.post(
            "/v1/outreach/drafts",
            json={
                "campaign_id": hostile["campaign"],
                "creator_id": hostile["creator"],
                "kind": kind,
                "reasons": [f"fits: {hostile['text']}"],
                "extra": {"key_messages": [hostile["text"]], "niche": hostile["text"]},
            },
        )
        assert response.status_code == 201, response.text
        draft = response.json()
        html = full.get(f"/v1/outreach/drafts/{draft['id']}/preview").text
        for document in (draft["markdown"], draft["subject"] or "", html):
            for evaluated in TEMPLATES.values():
                assert evaluated not in document, (kind, evaluated)
        # The text is there as written (Markdown may escape a character or two).
        unescaped = re.sub(r"\\(.)", r"\1", draft["markdown"])
        assert "{{ 191*7 }}" in unescaped
        assert "{% for x in 'abc' %}Q{% endfor %}" in unescaped
        assert "Maya {{ 191*7 }}" in unescaped or kind != "email_intro"
        assert "<script" not in html


class TestOversizedBodies:
    def test_a_json_body_over_the_limit_is_413(self, full: ApiClient, settings: Settings) -> None:
        body = {"name": "x" * (settings.max_request_bytes + 10)}
        response = full.post("/v1/brands", json=body)
        assert response.status_code == 413
        assert response.json()["code"] == "payload_too_large"
        assert full.get("/v1/brands").json()["items"] == []

    def test_a_chunked_body_over_the_limit_is_413(
        self, full: ApiClient, settings: Settings
    ) -> None:
        def chunks() -> Iterator[bytes]:
            yield b'{"name": "'
            for _ in range(settings.max_request_bytes // 65536 + 2):
                yield b"x" * 65536
            yield b'"}'

        response = full.post(
            "/v1/brands", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413
        assert full.get("/v1/brands").json()["items"] == []

    def test_an_import_over_the_upload_limit_is_413(
        self, full: ApiClient, settings: Settings
    ) -> None:
        line = b'{"platform": "instagram", "handle": "x"}\n'
        body = line * (settings.max_upload_bytes // len(line) + 10)
        response = full.post(
            "/v1/creators/import", content=body, headers={"Content-Type": "application/x-ndjson"}
        )
        assert response.status_code == 413
        assert full.get("/v1/creators").json()["items"] == []
