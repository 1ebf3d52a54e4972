"""Cursors on every list, on both databases: one that this API did not make is a 422 naming
``cursor`` (never a 500), whatever is wrong with it; one it could have made is a page.

The lists are found in the OpenAPI document (every operation with a ``cursor``), so a new
list is tested without a change here.
"""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.schemas.common import AFTER, BEFORE, MAX_ID, OFFSET, QUEUE, Keyset
from core.errors import InvalidInputError
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


def lists(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(method, path, where) of every operation that takes a ``cursor``: in the query, or in
    the JSON body (``POST /v1/match``)."""
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if any(p["name"] == "cursor" for p in operation.get("parameters", [])):
                found.append((method, path, "query"))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                ref = body["schema"].get("$ref", "")
                schema = document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
                if "cursor" in schema.get("properties", {}):
                    found.append((method, path, "body"))
    return found


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
    def test_the_document_lists_every_list(self, client: TestClient) -> None:
        found = {(m, p) for m, p, _w in lists(client.get("/openapi.json").json())}
        assert len(found) == 15, sorted(found)
        assert {("get", "/v1/compliance/queue"), ("post", "/v1/match")} <= found

    def test_a_malformed_cursor_is_a_422_naming_cursor(
        self, client: TestClient, admin: ApiClient, ids: dict[str, int]
    ) -> None:
        wrong = []
        for method, template, where in lists(client.get("/openapi.json").json()):
            path = template.format(**ids)
            cases = MALFORMED
            if path == "/v1/compliance/queue":
                cases = [c for c in MALFORMED if c[0] != "the queue's format"]
                cases += WRONG_FOR_THE_QUEUE
            for what, cursor in cases:
                response = send(admin, method, path, where, cursor)
                problem = response.json() if response.status_code == 422 else {}
                fields = [e["field"] for e in problem.get("errors", [])]
                if response.status_code != 422 or fields != ["cursor"]:
                    wrong.append((method, path, what, response.status_code, fields))
        assert wrong == []

    def test_a_cursor_past_the_end_is_a_page(
        self, client: TestClient, admin: ApiClient, ids: dict[str, int]
    ) -> None:
        """The largest position a cursor can hold: an empty page in id order, everything
        before it for the newest-first webhook events; never a 500, on either database."""
        last = {
            "/v1/compliance/queue": QUEUE.encode({"priority": 2**31 - 1, "after": MAX_ID}),
            "/v1/webhook-events": BEFORE.encode({"before": MAX_ID}),
        }
        for method, template, where in lists(client.get("/openapi.json").json()):
            if where == "body":
                continue  # ranking needs a built index: tests/api/test_matching.py pages it
            path = template.format(**ids)
            cursor = last.get(path, AFTER.encode({"after": MAX_ID}))
            response = send(admin, method, path, where, cursor)
            assert response.status_code == 200, (path, response.text)
            if path != "/v1/webhook-events":
                assert response.json() == {"items": [], "next_cursor": None}, path


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
