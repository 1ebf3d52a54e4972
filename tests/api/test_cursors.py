"""Cursors on every list, on both databases: one that this API did not make is a 422 naming
``cursor`` (never a 500), whatever is wrong with it; one it could have made is a page.

The lists are found in the app's routes (every route whose response has a ``next_cursor``),
and each is its own test on each database, ``test_a_malformed_cursor_is_a_422_naming_cursor[GET
/v1/creators-sqlite]``: a new list is tested without a change here, and one that answers
pages without taking a cursor fails ``test_every_list_takes_a_cursor``.
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from api.app import create_app
from api.problem import api_routes
from api.schemas.common import AFTER, BEFORE, MAX_ID, OFFSET, QUEUE, Keyset
from core.errors import InvalidInputError
from core.settings import Settings
from matcher.service import MatchService
from storage.database import Database
from tests.factories import ApiClient, add_key, creator_record


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64json(text: str) -> str:
    return b64(text.encode())


# (what is wrong with it, the cursor)
MALFORMED = [
    # The one of the report: a JSON cursor whose number is past 64 bits (it was a 500).
    ("huge", "eyJhZnRlciI6IDEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDB9"),
    ("huge, 2**63", b64json('{"after": 9223372036854775808}')),
    ("not base64", "not a cursor!"),
    ("not base64 either", "%%%%%%%%%%%"),
    ("not JSON", b64json("not json at all")),
    ("a string", b64json('{"after": "1"}')),
    ("a boolean", b64json('{"after": true}')),
    ("a list", b64json("[1]")),
    ("another key", b64json('{"before": 1}')),
    ("an extra key", b64json('{"after": 1, "x": 2}')),
    ("SQL", b64json('{"after": "1 OR 1=1"}')),
    ("negative", b64json('{"after": -1}')),
    ("float", b64json('{"after": 1.5}')),
    ("empty", ""),
    ("negative, in the cursor format", b64(struct.pack(">q", -1))),
    ("padded", AFTER.encode({"after": 5}) + "="),
    ("truncated", AFTER.encode({"after": 5})[:-1]),
    ("one digit too many", AFTER.encode({"after": 5}) + "A"),
    ("padding bits set", AFTER.encode({"after": 5})[:-1] + "B"),
    ("the queue's format", QUEUE.encode({"priority": 0, "after": 5})),
    ("long", "A" * 10_000),
]
# For the compliance queue, whose cursor holds two numbers, "the queue's format" is right.
WRONG_FOR_THE_QUEUE = [
    ("an id-order cursor", AFTER.encode({"after": 5})),
    ("two 64-bit numbers", b64(struct.pack(">qq", 0, 5))),
    ("the priority negative", b64(struct.pack(">iq", -1, 5))),
    ("the id negative", b64(struct.pack(">iq", 0, -5))),
]


def _settings() -> Settings:
    return Settings(
        environment="test",
        data_dir=Path("/nonexistent"),
        database_url="sqlite://",
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
    )


def lists(app: Any) -> list[tuple[str, str, str]]:
    """(method, path, where the cursor goes) of every route that answers a page: its response
    model has a ``next_cursor``. The cursor is in the query, in the JSON body (``POST
    /v1/match``), or "nowhere" (a list that cannot be paged: a failure)."""
    found = []
    for route in api_routes(app.routes):
        model = route.response_model
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        if "next_cursor" not in model.model_fields:
            continue
        where = "nowhere"
        if any(param.name == "cursor" for param in route.dependant.query_params):
            where = "query"
        for param in route.dependant.body_params:
            body = param.field_info.annotation
            if isinstance(body, type) and issubclass(body, BaseModel):
                where = "body" if "cursor" in body.model_fields else where
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method.lower(), route.path_format, where))
    return found


LISTS = lists(create_app(_settings()))
EVERY_LIST = pytest.mark.parametrize(
    ("method", "template", "where"), LISTS, ids=[f"{m.upper()} {p}" for m, p, _w in LISTS]
)


@pytest.fixture
def admin(client: TestClient, acme: ApiClient, settings: Any, database: Any) -> ApiClient:
    return ApiClient(client, acme.org_id, add_key(settings, database, acme.org_id, ["admin"]))


@pytest.fixture
def ids(admin: ApiClient) -> dict[str, int]:
    """An object for each path parameter of a list (a page of an object that does not exist
    is a 404, which would test nothing)."""
    creator = admin.post("/v1/creators", json=creator_record(handle="maya"))
    campaign = admin.post("/v1/campaigns", json={"name": "Launch", "brief": "vegan skincare"})
    program = admin.post(
        "/v1/programs",
        json={
            "name": "Ambassadors",
            "creator_id": creator.json()["id"],
            "starts_on": "2027-01-01",
            "cadence": [{"platform": "instagram", "kind": "post", "count": 1, "per": "month"}],
        },
    )
    hook = admin.post(
        "/v1/webhooks",
        json={"url": "https://crm.example.com/hooks", "events": ["outreach.replied"]},
    )
    made = {"campaign_id": campaign, "program_id": program, "webhook_id": hook}
    for name, response in made.items():
        assert response.status_code == 201, (name, response.text)
    return {name: response.json()["id"] for name, response in made.items()}


def send(admin: ApiClient, method: str, path: str, where: str, cursor: str) -> Any:
    if where == "body":
        return admin.post(path, json={"brief": "vegan skincare", "cursor": cursor})
    return getattr(admin, method)(path, params={"cursor": cursor})


class TestEveryList:
    def test_every_list_takes_a_cursor(self) -> None:
        assert len(LISTS) >= 15, LISTS  # the routes were found
        assert [(m, p) for m, p, where in LISTS if where == "nowhere"] == []

    def test_the_document_gives_every_list_its_cursor(self, client: TestClient) -> None:
        document = client.get("/openapi.json").json()
        for method, path, where in LISTS:
            operation = document["paths"][path][method]
            if where == "query":
                schema = next(p for p in operation["parameters"] if p["name"] == "cursor")
                schema = schema["schema"]
            else:
                ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                body = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
                schema = body["properties"]["cursor"]["anyOf"][0]
            assert schema["pattern"] in {AFTER.pattern, QUEUE.pattern}, (method, path)

    @EVERY_LIST
    def test_a_malformed_cursor_is_a_422_naming_cursor(
        self, admin: ApiClient, ids: dict[str, int], method: str, template: str, where: str
    ) -> None:
        path = template.format(**ids)
        cases = MALFORMED
        if path == "/v1/compliance/queue":
            cases = [c for c in MALFORMED if c[0] != "the queue's format"]
            cases += WRONG_FOR_THE_QUEUE
        wrong = []
        for what, cursor in cases:
            response = send(admin, method, path, where, cursor)
            problem = response.json() if response.status_code == 422 else {}
            fields = [e["field"] for e in problem.get("errors", [])]
            if response.status_code != 422 or fields != ["cursor"]:
                wrong.append((what, response.status_code, fields))
        assert wrong == []

    @EVERY_LIST
    def test_a_cursor_past_the_end_is_a_page(
        self,
        admin: ApiClient,
        ids: dict[str, int],
        matcher: MatchService,
        database: Database,
        method: str,
        template: str,
        where: str,
    ) -> None:
        """The largest position a cursor can hold: an empty page in id order, everything
        before it for the newest-first webhook events; never a 500, on either database."""
        if where == "body":  # ranking needs a built index
            with database.session() as session:
                matcher.build_index(session, admin.org_id)
        last = {
            "/v1/compliance/queue": QUEUE.encode({"priority": 2**31 - 1, "after": MAX_ID}),
            "/v1/webhook-events": BEFORE.encode({"before": MAX_ID}),
            "/v1/match": OFFSET.encode({"offset": MAX_ID}),
        }
        path = template.format(**ids)
        cursor = last.get(path, AFTER.encode({"after": MAX_ID}))
        response = send(admin, method, path, where, cursor)
        assert response.status_code == 200, (path, response.text)
        page = response.json()
        items = page["results"] if where == "body" else page["items"]
        assert page["next_cursor"] is None
        if path != "/v1/webhook-events":
            assert items == [], path


class TestTheFormat:
    @pytest.mark.parametrize("keyset", [AFTER, QUEUE], ids=["one number", "two numbers"])
    @given(data=st.data())
    @settings(max_examples=200, deadline=None)
    def test_every_position_has_a_cursor_that_matches_the_pattern(
        self, keyset: Keyset, data: st.DataObject
    ) -> None:
        values = {name: data.draw(st.integers(0, keyset.max[name])) for name in keyset.names}
        cursor = keyset.encode(values)
        assert keyset.values(cursor) == values
        assert len(cursor) == keyset.length and keyset._regex.match(cursor)

    @pytest.mark.parametrize("keyset", [AFTER, QUEUE], ids=["one number", "two numbers"])
    @given(data=st.data())
    @settings(max_examples=200, deadline=None)
    def test_every_string_that_matches_the_pattern_is_a_cursor(
        self, keyset: Keyset, data: st.DataObject
    ) -> None:
        """What the document allows, the server takes: the pattern is exact."""
        cursor = data.draw(st.from_regex(keyset.pattern, fullmatch=True))
        values = keyset.values(cursor)
        assert all(0 <= values[name] <= keyset.max[name] for name in keyset.names)
        assert keyset.encode(values) == cursor

    def test_the_formats_are_fixed_width(self) -> None:
        assert (AFTER.length, BEFORE.length, OFFSET.length, QUEUE.length) == (11, 11, 11, 16)
        assert AFTER.pattern == "^[A-Za-f][0-9A-Z_a-z-]{9}[048AEIMQUYcgkosw]$"
        assert QUEUE.max == {"priority": 2**31 - 1, "after": MAX_ID}

    def test_a_position_outside_the_range_has_no_cursor(self) -> None:
        for values in ({"after": -1}, {"after": MAX_ID + 1}):
            with pytest.raises(ValueError, match=r"after is in 0\.\.9223372036854775807"):
                AFTER.encode(values)
        with pytest.raises(ValueError, match="a position of"):
            AFTER.encode({"before": 1})
        with pytest.raises(ValueError, match=r"priority is in 0\.\.2147483647"):
            QUEUE.encode({"priority": 2**31, "after": 1})

    def test_decoding_names_the_cursor(self) -> None:
        with pytest.raises(InvalidInputError) as caught:
            AFTER.decode(b64json(json.dumps({"after": 10**32})))
        assert [e.field for e in caught.value.errors] == ["cursor"]
        assert AFTER.decode(None) is None
