"""A compliance fix with sending on: written to the outbox as queued, then sent once by the
next run over a real SMTP server on 127.0.0.1, with the unsubscribe headers; deferred, it is
retried later; an opt-out in between stops it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from compliance import Post
from compliance_reviews.service import ReviewService
from core.settings import Settings
from models import ComplianceCheck, Creator
from outreach.mailer import SmtpMailer
from outreach.service import OutreachService
from storage.database import Database
from storage.repositories.outreach import OutreachRepository
from tests.outreach.conftest import World
from tests.outreach.smtp import Inbox, smtp_server

T0 = datetime(2027, 1, 11, 9, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


def queue_fix(database: Database, service: OutreachService, world: World) -> int:
    with database.session() as session:
        (stored,) = ReviewService().check_and_store(
            session,
            world.org,
            [
                Post.from_dict(
                    {
                        "caption": "Obsessed with Verdant SPF! Code ANA10 #skincare",
                        "platform": "instagram",
                        "media": "image",
                        "material_connection": {"type": "paid", "brand": "Verdant"},
                        "jurisdiction": "US",
                    }
                )
            ],
            actor="user:rob@acme.example",
        )
        check = session.get(ComplianceCheck, stored.check.id)
        creator = session.get(Creator, world.creators["ana.glow"])
        assert check is not None and creator is not None
        message = service.send_compliance_fix(session, world.org, check, creator, now=T0)
        assert message.status == "queued"
        return message.id


def statuses(database: Database, world: World) -> list[tuple[str, int]]:
    with database.session() as session:
        rows = OutreachRepository(session).messages(world.org, kind="compliance_fix")
        return [(m.status, m.attempts) for m in rows]


def live(settings: Settings, port: int) -> OutreachService:
    sending = settings.model_copy(update={"outreach_dry_run": False})
    return OutreachService(sending, mailer=SmtpMailer("127.0.0.1", port, security="none"))


def test_the_next_run_sends_it_once_with_the_unsubscribe_headers(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = live(settings, port)
    queue_fix(database, service, world)
    assert inbox.messages == []  # writing the outbox sends nothing
    summary = service.run_due(database, now=T0)
    assert (summary.sent, summary.errors) == (1, [])
    (message,) = inbox.to(world.emails["ana.glow"])
    assert str(message["Subject"]).startswith("Please update the ad disclosure")
    assert "/u/" in str(message["List-Unsubscribe"])
    text = message.get_body(("plain",))
    assert text is not None and "#ad" in text.get_content()
    assert service.run_due(database, now=T0 + timedelta(minutes=10)).sent == 0
    assert len(inbox.messages) == 1
    assert statuses(database, world) == [("sent", 1)]


def test_a_deferred_fix_is_retried_later(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.defer_once.add(world.emails["ana.glow"])
    service = live(settings, port)
    queue_fix(database, service, world)
    assert service.run_due(database, now=T0).retry_later == 1
    assert service.run_due(database, now=T0 + timedelta(minutes=1)).sent == 0  # not yet
    assert service.run_due(database, now=T0 + timedelta(minutes=6)).sent == 1
    assert statuses(database, world) == [("sent", 2)]


def test_an_opt_out_before_the_run_stops_it(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = live(settings, port)
    queue_fix(database, service, world)
    with database.session() as session:
        service.opt_out(session, world.org, world.creators["ana.glow"], source="reply")
    service.run_due(database, now=T0)
    assert inbox.messages == []
    assert statuses(database, world) == [("failed", 0)]


def test_a_bounce_of_a_fix_marks_it_and_stops_nothing_else(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = live(settings, port)
    queue_fix(database, service, world)
    service.run_due(database, now=T0)
    message_id = str(inbox.messages[0]["Message-ID"])
    with database.session() as session:
        service.record_bounce(session, world.org, message_id, reason="550 no such user")
    assert statuses(database, world) == [("bounced", 1)]
