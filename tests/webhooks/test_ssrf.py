"""Webhooks cannot reach inside the network: URLs are checked when saved, and each delivery
resolves the name, checks every address and connects to the one it checked, so a name
re-pointed after the save (DNS rebinding) is refused without a byte sent or a response
kept. The operator's settings let an on-premises receiver through."""

from __future__ import annotations

import ipaddress
import random
from datetime import UTC, datetime

import pytest

from core.errors import InvalidInputError
from core.settings import Settings
from models import WebhookSubscription
from storage.database import Database
from storage.repositories.webhooks import WebhookRepository
from tests.webhooks.conftest import FakeDNS, make_org, subscribe
from tests.webhooks.receiver import Receiver, serve
from tests.webhooks.test_delivery import the_delivery
from webhooks.service import WebhookService, emit

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
PUBLIC = "93.184.215.14"
LOOPBACK_REFUSED = (
    "refused: crm.test resolves to 127.0.0.1, a loopback address (set "
    "CREATORMATCH_WEBHOOK_ALLOW_PRIVATE=1 or list it in CREATORMATCH_WEBHOOK_ALLOWED_CIDRS "
    "to allow it)"
)


def guarded(settings: Settings, dns: FakeDNS, **changes: object) -> WebhookService:
    """The service with its real (guarded) client, ``settings`` changed as given."""
    return WebhookService(settings.model_copy(update=changes), resolver=dns, rng=random.Random(3))


def port_of(receiver: Receiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1])


def emit_one(database: Database, org: int) -> None:
    with database.session() as session:
        emit(session, org, "outreach.replied", {"entry_id": 1}, now=NOW)


def saved_before_the_policy(database: Database, org: int, url: str) -> int:
    """A subscription stored unchecked, as rows saved by an earlier version are."""
    with database.session() as session:
        row = WebhookSubscription(
            organization_id=org,
            url=url,
            events=["outreach.replied", "webhook.test"],
            secret="whsec_old",
            description="",
            active=True,
            created_at=NOW,
        )
        WebhookRepository(session).add(row)
        return row.id


class TestAtSave:
    @pytest.fixture
    def settings(self) -> Settings:
        """No database: saving checks the URL before any row is written."""
        return Settings(environment="test", _env_file=None)  # type: ignore[call-arg]

    @pytest.mark.parametrize(
        ("url", "answers", "says"),
        [
            ("http://127.0.0.1:8799/internal-admin", {}, "127.0.0.1 is a loopback address"),
            ("http://0x7f000001/", {}, "127.0.0.1 is a loopback address"),
            ("http://[::ffff:127.0.0.1]/", {}, "loopback address"),
            ("http://169.254.169.254/latest/", {}, "cloud metadata address"),
            ("http://metadata.google.internal/", {}, "cloud metadata name"),
            ("http://crm.test/h", {"crm.test": ["127.0.0.1"]}, "crm.test resolves to 127.0.0.1"),
            ("http://crm.test/h", {"crm.test": [PUBLIC, "fd00::5"]}, "resolves to fd00::5"),
            ("https://u:p@crm.test/h", {"crm.test": [PUBLIC]}, "must not carry credentials"),
        ],
    )
    def test_a_url_pointing_inside_is_refused_naming_the_field(
        self, settings: Settings, url: str, answers: dict[str, list[str]], says: str
    ) -> None:
        with pytest.raises(InvalidInputError) as info:
            guarded(settings, FakeDNS(answers)).check_url(url)
        assert [e.field for e in info.value.errors] == ["url"]
        assert says in info.value.errors[0].message
        assert info.value.errors[0].message.startswith("refused: ")

    def test_a_public_name_is_accepted_and_was_resolved(self, settings: Settings) -> None:
        dns = FakeDNS({"crm.test": [PUBLIC]})
        assert guarded(settings, dns).check_url(" https://crm.test/h ") == "https://crm.test/h"
        assert dns.calls == [("crm.test", 443)]

    def test_a_name_that_does_not_resolve_yet_is_accepted(self, settings: Settings) -> None:
        assert guarded(settings, FakeDNS()).check_url("https://crm.test/h") == (
            "https://crm.test/h"
        )


class TestAtDelivery:
    def test_a_name_rebound_to_loopback_after_the_save_is_refused_unsent(
        self, database: Database, settings: Settings, receiver: Receiver
    ) -> None:
        dns = FakeDNS({"crm.test": [PUBLIC]})
        service = guarded(settings, dns)
        org = make_org(database, settings, "acme")
        subscribe(database, service, org, f"http://crm.test:{port_of(receiver)}/hook")
        emit_one(database, org)
        dns.answers["crm.test"] = ["127.0.0.1"]  # the attacker re-points the name
        summary = service.deliver_due(database, now=NOW)
        assert (summary.succeeded, summary.retrying, summary.failed) == (0, 0, 1)
        assert receiver.requests == []
        delivery = the_delivery(database, org)
        assert delivery.status == "failed"
        assert delivery.last_error == LOOPBACK_REFUSED
        assert (delivery.last_status_code, delivery.last_response) == (None, None)
        assert delivery.next_attempt_at is None

    def test_a_stored_loopback_url_is_refused_without_a_response_kept(
        self, database: Database, settings: Settings, receiver: Receiver
    ) -> None:
        receiver.body = b"internal admin: secrets"
        org = make_org(database, settings, "acme")
        saved_before_the_policy(database, org, receiver.url + "/internal-admin")
        emit_one(database, org)
        assert guarded(settings, FakeDNS()).deliver_due(database, now=NOW).failed == 1
        assert receiver.requests == []
        delivery = the_delivery(database, org)
        assert delivery.last_error is not None
        assert delivery.last_error.startswith("refused: 127.0.0.1 is a loopback address")
        assert delivery.last_response is None

    def test_the_allow_settings_let_the_on_premises_receiver_through(
        self, database: Database, settings: Settings, receiver: Receiver
    ) -> None:
        dns = FakeDNS({"crm.internal": ["127.0.0.1"]})
        org = make_org(database, settings, "acme")
        saved_before_the_policy(database, org, f"http://crm.internal:{port_of(receiver)}/hook")
        cidrs = [ipaddress.ip_network("127.0.0.1/32")]
        outcomes = []
        for changes in (
            {},
            {"webhook_allowed_cidrs": [ipaddress.ip_network("10.0.0.0/8")]},
            {"webhook_allow_private": True},
            {"webhook_allowed_cidrs": cidrs},
        ):
            emit_one(database, org)
            summary = guarded(settings, dns, **changes).deliver_due(database, now=NOW)
            outcomes.append((summary.succeeded, summary.failed))
        assert outcomes == [(0, 1), (0, 1), (1, 0), (1, 0)]
        assert [r.path for r in receiver.requests] == ["/hook", "/hook"]

    def test_redirects_are_not_followed(
        self, database: Database, settings: Settings, receiver: Receiver
    ) -> None:
        with serve() as inside:
            receiver.default = 302
            receiver.headers = {"Location": inside.url + "/internal-admin"}
            org = make_org(database, settings, "acme")
            service = guarded(settings, FakeDNS(), webhook_allow_private=True)
            subscribe(database, service, org, receiver.url + "/hook")
            emit_one(database, org)
            assert service.deliver_due(database, now=NOW).retrying == 1
            assert inside.requests == []
        assert len(receiver.requests) == 1
        delivery = the_delivery(database, org)
        assert (delivery.last_status_code, delivery.last_error) == (302, "HTTP 302")

    def test_environment_proxies_are_not_used(
        self,
        database: Database,
        settings: Settings,
        receiver: Receiver,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # A proxy would resolve and connect on its own, past the check.
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, "http://127.0.0.1:9")
        service = guarded(settings, FakeDNS(), webhook_allow_private=True)
        org = make_org(database, settings, "acme")
        subscribe(database, service, org, receiver.url + "/hook")
        emit_one(database, org)
        assert service.deliver_due(database, now=NOW).succeeded == 1
        assert len(receiver.requests) == 1

    def test_a_name_that_stops_resolving_is_retried(
        self, database: Database, settings: Settings
    ) -> None:
        dns = FakeDNS({"crm.test": [PUBLIC]})
        service = guarded(settings, dns)
        org = make_org(database, settings, "acme")
        subscribe(database, service, org, "https://crm.test/hook")
        emit_one(database, org)
        del dns.answers["crm.test"]
        assert service.deliver_due(database, now=NOW).retrying == 1
        delivery = the_delivery(database, org)
        assert delivery.status == "pending"
        assert delivery.last_error is not None
        assert "crm.test does not resolve" in delivery.last_error
