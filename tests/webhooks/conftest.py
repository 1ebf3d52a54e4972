"""A receiving HTTP server, an organisation with a subscription to it, and the service with
seeded jitter."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

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


@pytest.fixture
def service(settings: Settings) -> WebhookService:
    return WebhookService(settings, rng=random.Random(1234))


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
