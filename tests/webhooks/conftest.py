"""A receiving HTTP server, an organisation with a subscription to it, the service with
seeded jitter, and a fake DNS.

The receiver listens on 127.0.0.1, which the egress policy refuses by default: the service
here allows exactly that address (``allowing_the_receiver``), as an operator allows an
on-premises CRM; tests/webhooks/test_ssrf.py tests the default."""

from __future__ import annotations

import ipaddress
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from accounts.service import AccountService
from core.settings import Settings
from models import EVENT_TYPES
from storage.database import Database
from tests.webhooks.receiver import Receiver, serve
from webhooks.service import WebhookService


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve() as running:
        yield running


@dataclass
class FakeDNS:
    """A resolver for :class:`WebhookService` and :class:`GuardedTransport`: ``answers``
    maps a name to its addresses; any other name does not resolve. ``calls`` records each
    lookup."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self.answers[host])


def allowing_the_receiver(settings: Settings) -> Settings:
    """``settings`` with CREATORMATCH_WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32."""
    return settings.model_copy(
        update={"webhook_allowed_cidrs": [ipaddress.ip_network("127.0.0.1/32")]}
    )


@pytest.fixture
def dns() -> FakeDNS:
    return FakeDNS({"crm.example.com": ["93.184.215.14"]})


@pytest.fixture
def service(settings: Settings, dns: FakeDNS) -> WebhookService:
    return WebhookService(allowing_the_receiver(settings), resolver=dns, rng=random.Random(1234))


@dataclass
class Hooked:
    org: int
    subscription: int
    secret: str


def make_org(database: Database, settings: Settings, name: str) -> int:
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    with database.session() as session:
        return accounts.create_organization(session, name).id


def subscribe(
    database: Database,
    service: WebhookService,
    org: int,
    url: str,
    events: list[str] | None = None,
) -> Hooked:
    with database.session() as session:
        row = service.create(session, org, url=url, events=events or list(EVENT_TYPES))
        return Hooked(org=org, subscription=row.id, secret=row.secret)


@pytest.fixture
def hooked(
    database: Database, settings: Settings, service: WebhookService, receiver: Receiver
) -> Hooked:
    """Organisation "acme" subscribed to every event at ``receiver``/hook."""
    return subscribe(
        database, service, make_org(database, settings, "acme"), receiver.url + "/hook"
    )
