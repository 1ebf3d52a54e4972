"""``/v1/webhooks``, ``/v1/webhook-deliveries`` and ``/v1/webhook-events`` end to end: the
secret shown once, validation, the test ping delivered to a real server, the delivery log,
redelivery, the events of imports and compliance checks, and tenant isolation on every
route."""

from __future__ import annotations

import json
import random
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas.webhooks import EventType
from core.settings import Settings
from matcher.service import MatchService
from models import EVENT_TYPES
from storage.database import Database
from tests.api.test_compliance import DISCLOSED, UNDISCLOSED
from tests.factories import ApiClient, add_key, creator_record, jsonl
from tests.webhooks.conftest import FakeDNS, allowing_the_receiver
from tests.webhooks.receiver import Receiver, serve
from webhooks.service import WebhookService
from webhooks.signing import verify

HOOK = {
    "url": "https://crm.example.com/hooks/creatormatch",
    "events": ["outreach.replied", "compliance.violation"],
    "description": "HubSpot sync",
}


@pytest.fixture
def dns() -> FakeDNS:
    return FakeDNS({"crm.example.com": ["93.184.215.14"]})


@pytest.fixture
def client(
    settings: Settings, database: Database, matcher: MatchService, dns: FakeDNS
) -> Iterator[TestClient]:
    """The app with seeded retry jitter, a fake DNS, and webhooks allowed to reach the test
    receiver on 127.0.0.1 (only that address: TestWhereWebhooksMayPoint has the default)."""
    app = create_app(settings, database=database, matcher=matcher)
    app.state.webhooks = WebhookService(
        allowing_the_receiver(settings), resolver=dns, rng=random.Random(5)
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve() as running:
        yield running


def webhooks_of(client: TestClient) -> WebhookService:
    service: WebhookService = client.app.state.webhooks  # type: ignore[attr-defined]
    return service


def create(api: ApiClient, **overrides: Any) -> dict[str, Any]:
    response = api.post("/v1/webhooks", json={**HOOK, **overrides})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_the_event_type_schema_lists_every_event_type() -> None:
    assert typing.get_args(EventType) == EVENT_TYPES


class TestSubscriptions:
    def test_the_secret_is_shown_once(self, acme: ApiClient) -> None:
        created = create(acme)
        assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
        assert created["url"] == HOOK["url"] and created["active"] is True
        shown = acme.get(f"/v1/webhooks/{created['id']}").json()
        listed = acme.get("/v1/webhooks").json()["items"]
        assert "secret" not in shown and all("secret" not in item for item in listed)
        assert created["secret"] not in json.dumps([shown, listed])
        assert create(acme)["secret"] != created["secret"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"url": "ftp://crm.example.com/hook"}, "url"),
            ({"url": "javascript:alert(1)"}, "url"),
            ({"url": "https://"}, "url"),
            ({"url": "not a url"}, "url"),
            ({"url": "https://crm.example.com/a b"}, "url"),
            ({"events": []}, "events"),
            ({"events": ["creator.exploded"]}, "events"),
            ({"secret": "mine"}, "secret"),
        ],
    )
    def test_bad_subscriptions_name_the_field(
        self, acme: ApiClient, body: dict[str, Any], field: str
    ) -> None:
        response = acme.post("/v1/webhooks", json={**HOOK, **body})
        assert response.status_code == 422, response.text
        assert any(e["field"].startswith(field) for e in response.json()["errors"])

    def test_update_and_delete(self, acme: ApiClient) -> None:
        created = create(acme)
        changed = acme.patch(
            f"/v1/webhooks/{created['id']}",
            json={
                "events": ["outreach.opted_out"],
                "active": False,
                "url": "http://crm.example.com:8080/h",
            },
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["events"] == ["outreach.opted_out"]
        assert (changed.json()["active"], changed.json()["url"]) == (
            False,
            "http://crm.example.com:8080/h",
        )
        bad = acme.patch(f"/v1/webhooks/{created['id']}", json={"url": "gopher://x"})
        assert bad.status_code == 422
        assert acme.delete(f"/v1/webhooks/{created['id']}").status_code == 204
        assert acme.get(f"/v1/webhooks/{created['id']}").status_code == 404

    def test_a_read_only_key_cannot_subscribe(
        self, acme: ApiClient, client: TestClient, settings: Settings, database: Database
    ) -> None:
        reader = ApiClient(client, acme.org_id, add_key(settings, database, acme.org_id, ["read"]))
        assert reader.post("/v1/webhooks", json=HOOK).status_code == 403
        assert reader.get("/v1/webhooks").status_code == 200

    def test_subscriptions_come_in_pages(self, acme: ApiClient) -> None:
        ids = [create(acme)["id"] for _ in range(3)]
        first = acme.get("/v1/webhooks", params={"limit": 2}).json()
        rest = acme.get("/v1/webhooks", params={"limit": 2, "cursor": first["next_cursor"]})
        assert [w["id"] for w in first["items"] + rest.json()["items"]] == ids
        assert rest.json()["next_cursor"] is None


class TestWhereWebhooksMayPoint:
    """The default policy (the module's client allows the test receiver's address)."""

    @pytest.fixture
    def client(
        self, settings: Settings, database: Database, matcher: MatchService, dns: FakeDNS
    ) -> Iterator[TestClient]:
        app = create_app(settings, database=database, matcher=matcher)
        app.state.webhooks = WebhookService(settings, resolver=dns, rng=random.Random(5))
        with TestClient(app) as test_client:
            yield test_client

    @pytest.mark.parametrize(
        ("url", "says"),
        [
            ("http://127.0.0.1:8799/internal-admin", "127.0.0.1 is a loopback address"),
            ("http://localhost:8799/", "localhost is a loopback name"),
            ("http://[::1]:8799/", "::1 is a loopback address"),
            ("http://0x7f000001/", "127.0.0.1 is a loopback address"),
            ("http://2130706433/", "127.0.0.1 is a loopback address"),
            ("http://127.1/", "127.0.0.1 is a loopback address"),
            ("http://0177.0.0.1/", "not a valid URL"),
            ("http://[::ffff:127.0.0.1]/", "(127.0.0.1 written as IPv6) is a loopback"),
            ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
            ("http://[fd00:ec2::254]/", "cloud metadata address"),
            ("http://metadata.google.internal/", "cloud metadata name"),
            ("http://10.0.0.5/h", "10.0.0.5 is a private address"),
            ("http://172.16.3.4/h", "172.16.3.4 is a private address"),
            ("http://192.168.1.1/h", "192.168.1.1 is a private address"),
            ("http://100.64.0.1/h", "shared (CGNAT)"),
            ("http://0.0.0.0:8000/", "unspecified address"),
            ("http://crm.internal/h", "crm.internal resolves to 10.20.0.4, a private address"),
            ("https://user:pw@crm.example.com/h", "must not carry credentials"),
        ],
    )
    def test_creating_one_that_points_inside_is_a_422_naming_url(
        self, acme: ApiClient, dns: FakeDNS, url: str, says: str
    ) -> None:
        dns.answers["crm.internal"] = ["10.20.0.4"]
        response = acme.post("/v1/webhooks", json={**HOOK, "url": url})
        assert response.status_code == 422, response.text
        (error,) = response.json()["errors"]
        assert error["field"] == "url"
        assert says in error["message"]
        assert "pw" not in response.text
        assert acme.get("/v1/webhooks").json()["items"] == []

    def test_the_refusal_says_how_to_allow_it(self, acme: ApiClient) -> None:
        response = acme.post("/v1/webhooks", json={**HOOK, "url": "http://10.0.0.5/h"})
        assert response.json()["errors"][0]["message"] == (
            "refused: 10.0.0.5 is a private address (set CREATORMATCH_WEBHOOK_ALLOW_PRIVATE=1 "
            "or list it in CREATORMATCH_WEBHOOK_ALLOWED_CIDRS to allow it)"
        )

    @pytest.mark.parametrize(
        "url", ["http://127.0.0.1:8799/", "http://[::1]/", "http://169.254.169.254/"]
    )
    def test_changing_the_url_to_one_inside_is_a_422_naming_url(
        self, acme: ApiClient, url: str
    ) -> None:
        created = create(acme)
        response = acme.patch(f"/v1/webhooks/{created['id']}", json={"url": url})
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["url"]
        assert acme.get(f"/v1/webhooks/{created['id']}").json()["url"] == HOOK["url"]

    def test_a_test_ping_to_a_url_stored_before_is_refused_unsent(
        self, acme: ApiClient, client: TestClient, database: Database, receiver: Receiver
    ) -> None:
        created = create(acme)
        with database.session() as session:  # as a row saved before the policy existed
            row = webhooks_of(client).get(session, acme.org_id, created["id"])
            row.url = receiver.url + "/internal-admin"
        receiver.body = b"internal admin page"
        queued = acme.post(f"/v1/webhooks/{created['id']}/test")
        assert queued.status_code == 202, queued.text
        assert webhooks_of(client).deliver_due(database).failed == 1
        assert receiver.requests == []
        (logged,) = acme.get(f"/v1/webhooks/{created['id']}/deliveries").json()["items"]
        assert logged["status"] == "failed"
        assert logged["last_error"].startswith("refused: 127.0.0.1 is a loopback address")
        assert logged["last_response"] is None and logged["last_status_code"] is None


class TestDeliveries:
    def test_a_test_ping_is_delivered_signed(
        self, acme: ApiClient, client: TestClient, database: Database, receiver: Receiver
    ) -> None:
        created = create(acme, url=receiver.url + "/ping", events=["creator.imported"])
        response = acme.post(f"/v1/webhooks/{created['id']}/test")
        assert response.status_code == 202, response.text
        queued = response.json()
        assert (queued["event_type"], queued["status"], queued["attempts"]) == (
            "webhook.test",
            "pending",
            0,
        )
        summary = webhooks_of(client).deliver_due(database)
        assert summary.succeeded == 1
        (request,) = receiver.requests
        signature = request.headers["Creatormatch-Signature"]
        assert verify(created["secret"], request.body, signature)
        assert json.loads(request.body)["id"] == queued["event_id"]
        log = acme.get(f"/v1/webhooks/{created['id']}/deliveries").json()["items"]
        assert [(d["id"], d["status"], d["last_status_code"]) for d in log] == [
            (queued["id"], "succeeded", 200)
        ]
        assert log[0]["last_response"] == "ok" and log[0]["delivered_at"]

    def test_the_log_filters_by_status_and_pages(
        self, acme: ApiClient, client: TestClient, database: Database, receiver: Receiver
    ) -> None:
        created = create(acme, url=receiver.url)
        ids = [acme.post(f"/v1/webhooks/{created['id']}/test").json()["id"] for _ in range(3)]
        receiver.statuses = [500]
        webhooks_of(client).deliver_due(database)
        url = f"/v1/webhooks/{created['id']}/deliveries"
        pending = acme.get(url, params={"status": "pending"}).json()["items"]
        succeeded = acme.get(url, params={"status": "succeeded"}).json()["items"]
        assert [d["id"] for d in pending] == ids[:1]
        assert pending[0]["last_error"] == "HTTP 500" and pending[0]["next_attempt_at"]
        assert [d["id"] for d in succeeded] == ids[1:]
        page = acme.get(url, params={"limit": 2}).json()
        rest = acme.get(url, params={"limit": 2, "cursor": page["next_cursor"]}).json()
        assert [d["id"] for d in page["items"] + rest["items"]] == ids
        assert acme.get(url, params={"status": "lost"}).status_code == 422

    def test_redeliver(
        self, acme: ApiClient, client: TestClient, database: Database, receiver: Receiver
    ) -> None:
        created = create(acme, url=receiver.url)
        delivery = acme.post(f"/v1/webhooks/{created['id']}/test").json()
        webhooks_of(client).deliver_due(database)
        again = acme.post(f"/v1/webhook-deliveries/{delivery['id']}/redeliver")
        assert again.status_code == 202, again.text
        assert again.json()["status"] == "pending"
        webhooks_of(client).deliver_due(database)
        assert len(receiver.requests) == 2
        assert {r.headers["Creatormatch-Event-Id"] for r in receiver.requests} == {
            delivery["event_id"]
        }
        acme.patch(f"/v1/webhooks/{created['id']}", json={"active": False})
        refused = acme.post(f"/v1/webhook-deliveries/{delivery['id']}/redeliver")
        assert refused.status_code == 409
        assert acme.post(f"/v1/webhooks/{created['id']}/test").status_code == 409


class TestEvents:
    def test_an_import_emits_creator_imported(self, acme: ApiClient) -> None:
        create(acme, events=["creator.imported"])
        records = [creator_record(handle=f"maker{i}") for i in range(3)]
        response = acme.post(
            "/v1/creators/import",
            content=jsonl(records),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
        (event,) = acme.get("/v1/webhook-events").json()["items"]
        assert event["type"] == "creator.imported"
        assert event["data"] == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0}
        (webhook,) = acme.get("/v1/webhooks").json()["items"]
        (delivery,) = acme.get(f"/v1/webhooks/{webhook['id']}/deliveries").json()["items"]
        assert delivery["event_id"] == event["id"]

    def test_a_rejected_import_emits_nothing(self, acme: ApiClient) -> None:
        bad = creator_record(followers=-1)
        response = acme.post(
            "/v1/creators/import",
            content=jsonl([creator_record(), bad]),
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 422
        assert acme.get("/v1/webhook-events").json()["items"] == []

    def test_a_non_compliant_check_emits_compliance_violation(
        self, acme: ApiClient, client: TestClient, settings: Settings, database: Database
    ) -> None:
        key = add_key(settings, database, acme.org_id, ["compliance"])
        reviewer = ApiClient(client, acme.org_id, key)
        create(acme, events=["compliance.violation"])
        one = reviewer.post("/v1/compliance/check", json=UNDISCLOSED)
        batch = reviewer.post(
            "/v1/compliance/check/batch",
            json={"posts": [DISCLOSED, {**UNDISCLOSED, "id": "p-3"}]},
        )
        assert one.status_code == batch.status_code == 200, batch.text
        emitted = acme.get("/v1/webhook-events").json()["items"]
        assert [e["type"] for e in emitted] == ["compliance.violation"] * 2
        newest, oldest = emitted
        assert oldest["data"]["check_id"] == one.json()["check_id"]
        assert (oldest["data"]["post_id"], newest["data"]["post_id"]) == ("p-1", "p-3")
        assert "NO_DISCLOSURE" in oldest["data"]["reasons"]
        assert oldest["data"]["verdict"] == "non_compliant"

    def test_events_are_listed_newest_first_filtered_and_paged(self, acme: ApiClient) -> None:
        created = create(acme)
        for _ in range(3):
            acme.post(f"/v1/webhooks/{created['id']}/test")
        acme.post(
            "/v1/creators/import",
            content=jsonl([creator_record()]),
            headers={"Content-Type": "application/x-ndjson"},
        )
        everything = acme.get("/v1/webhook-events").json()["items"]
        assert [e["type"] for e in everything] == ["creator.imported"] + ["webhook.test"] * 3
        tests = acme.get("/v1/webhook-events", params={"type": "webhook.test"}).json()["items"]
        assert [e["id"] for e in tests] == [e["id"] for e in everything[1:]]
        page = acme.get("/v1/webhook-events", params={"limit": 3}).json()
        rest = acme.get("/v1/webhook-events", params={"limit": 3, "cursor": page["next_cursor"]})
        assert [e["id"] for e in page["items"] + rest.json()["items"]] == [
            e["id"] for e in everything
        ]
        assert acme.get("/v1/webhook-events", params={"type": "nope"}).status_code == 422
        bad_cursor = acme.get("/v1/webhook-events", params={"cursor": page["next_cursor"][:-2]})
        assert bad_cursor.status_code == 422


class TestTenantIsolation:
    @pytest.fixture
    def setup(self, acme: ApiClient) -> dict[str, int]:
        created = create(acme)
        delivery = acme.post(f"/v1/webhooks/{created['id']}/test").json()
        return {"webhook": created["id"], "delivery": delivery["id"]}

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("get", "/v1/webhooks/{webhook}", None),
            ("patch", "/v1/webhooks/{webhook}", {"active": False}),
            ("delete", "/v1/webhooks/{webhook}", None),
            ("post", "/v1/webhooks/{webhook}/test", None),
            ("get", "/v1/webhooks/{webhook}/deliveries", None),
            ("post", "/v1/webhook-deliveries/{delivery}/redeliver", None),
        ],
    )
    def test_globex_gets_404(
        self,
        acme: ApiClient,
        globex: ApiClient,
        setup: dict[str, int],
        method: str,
        path: str,
        body: dict[str, Any] | None,
    ) -> None:
        url = path.format(**setup)
        kwargs = {"json": body} if body is not None else {}
        response = getattr(globex, method)(url, **kwargs)
        assert response.status_code == 404, response.text
        # ...and acme's subscription is untouched.
        assert acme.get(f"/v1/webhooks/{setup['webhook']}").json()["active"] is True

    def test_globex_lists_nothing_of_acme(
        self, acme: ApiClient, globex: ApiClient, setup: dict[str, int]
    ) -> None:
        assert acme.get("/v1/webhook-events").json()["items"]
        assert globex.get("/v1/webhooks").json()["items"] == []
        assert globex.get("/v1/webhook-events").json()["items"] == []

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "/v1/webhooks"),
            ("post", "/v1/webhooks"),
            ("get", "/v1/webhooks/1"),
            ("get", "/v1/webhook-events"),
            ("post", "/v1/webhook-deliveries/1/redeliver"),
        ],
    )
    def test_every_route_needs_a_key(self, client: TestClient, method: str, path: str) -> None:
        assert getattr(client, method)(path).status_code == 401


def test_every_webhook_schema_has_examples(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    names = [
        "WebhookCreate",
        "WebhookUpdate",
        "WebhookRead",
        "WebhookCreated",
        "WebhookDeliveryRead",
        "WebhookEventRead",
    ]
    for name in names:
        assert schemas[name].get("examples"), name
