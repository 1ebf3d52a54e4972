"""Outreach sequences end to end against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.settings import Settings
from models import OutboxMessage, PipelineEntry
from outreach.mailer import SmtpMailer
from outreach.service import OutreachService
from storage.database import Database
from storage.repositories.outreach import OutreachRepository
from tests.outreach.conftest import SENDER, World
from tests.outreach.smtp import Inbox, smtp_server

T0 = datetime(2027, 1, 11, 9, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


def live(settings: Settings, port: int, **changes: object) -> OutreachService:
    sending = settings.model_copy(update={"outreach_dry_run": False, **changes})
    return OutreachService(sending, mailer=SmtpMailer("127.0.0.1", port, security="none"))


def enrol(database: Database, service: OutreachService, world: World) -> dict[str, int]:
    with database.session() as session:
        entries = service.add_to_pipeline(
            session,
            world.org,
            world.campaign,
            {cid: ["audience 64% women 25-34"] for cid in world.creators.values()},
        )
        service.configure_sequence(session, world.org, world.campaign, followup_days=[3, 7])
        service.start_sequence(session, world.org, world.campaign, now=T0)
        by_creator = {e.creator_id: e.id for e in entries}
    return {h: by_creator[cid] for h, cid in world.creators.items()}


def subjects(inbox: Inbox, address: str) -> list[str]:
    return [str(m["Subject"]) for m in inbox.to(address)]


def test_sequence_sends_intro_and_follow_ups_and_stops_on_reply_and_opt_out(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = live(settings, port)
    entries = enrol(database, service, world)
    ana, ben, cleo = (world.emails[h] for h in ("ana.glow", "ben.skin", "cleo.clean"))

    first = service.run_due(database, now=T0)
    assert (first.sent, first.errors) == (3, [])
    intro = inbox.to(ana)[0]
    body = intro.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "120 Hudson Street, Suite 4" in text  # CAN-SPAM: the postal address
    unsubscribe = str(intro["List-Unsubscribe"])
    assert unsubscribe.startswith("<http://127.0.0.1:8000/u/")
    assert str(intro["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:].split(">")[0] in text
    assert intro.get_body(("html",)) is not None

    # Nothing is due again at the same moment: a second run sends nothing.
    assert service.run_due(database, now=T0).sent == 0
    assert len(inbox.messages) == 3

    # Ana replies (recorded by the CRM); three days on, Ben and Cleo get follow-up 1.
    with database.session() as session:
        service.set_stage(session, world.org, entries["ana.glow"], "replied", now=T0)
    assert service.run_due(database, now=T0 + timedelta(days=2, hours=23)).sent == 0
    assert service.run_due(database, now=T0 + timedelta(days=3)).sent == 2
    # Cleo opts out through the one-click link's service call.
    with database.session() as session:
        service.opt_out(session, world.org, world.creators["cleo.clean"], source="unsubscribe_link")
    assert service.run_due(database, now=T0 + timedelta(days=10)).sent == 1
    assert service.run_due(database, now=T0 + timedelta(days=60)).sent == 0

    assert len(subjects(inbox, ana)) == 1
    assert len(subjects(inbox, ben)) == 3
    assert len(subjects(inbox, cleo)) == 2
    assert len(set(subjects(inbox, ben))) == 3  # intro, follow-up 1 and 2 differ
    with database.session() as session:
        repo = OutreachRepository(session)
        stages = {e.creator_id: (e.stage, e.stopped_reason) for e in repo.entries(world.org)}
    assert stages[world.creators["ana.glow"]] == ("replied", "replied")
    assert stages[world.creators["ben.skin"]] == ("contacted", "finished")
    assert stages[world.creators["cleo.clean"]] == ("opted_out", "opted_out")


def test_an_opt_out_holds_for_later_campaigns(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    from campaigns.service import CampaignService

    inbox, port = smtp
    service = live(settings, port)
    with database.session() as session:
        service.opt_out(session, world.org, world.creators["ana.glow"], source="api")
        later = CampaignService().create(session, world.org, {"name": "Autumn serum"}).id
        entries = service.add_to_pipeline(
            session, world.org, later, {world.creators["ana.glow"]: []}
        )
        assert entries[0].stage == "opted_out"
        assert service.start_sequence(session, world.org, later, now=T0) == []
    assert service.run_due(database, now=T0 + timedelta(days=30)).sent == 0
    assert inbox.messages == []


def test_dry_run_writes_the_outbox_and_sends_nothing(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = OutreachService(settings, mailer=SmtpMailer("127.0.0.1", port, security="none"))
    assert settings.outreach_dry_run  # the default
    enrol(database, service, world)
    assert service.run_due(database, now=T0).dry_run == 3
    assert inbox.messages == []
    with database.session() as session:
        rows = OutreachRepository(session).messages(world.org)
    assert {r.status for r in rows} == {"dry_run"}
    assert all(SENDER["postal_address"].splitlines()[1] in r.text_body for r in rows)


def test_rate_limit_per_organisation_defers_the_rest(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = live(settings, port, outreach_rate_per_minute=2)
    enrol(database, service, world)
    first = service.run_due(database, now=T0)
    assert (first.sent, first.deferred_rate_limit) == (2, 1)
    assert service.run_due(database, now=T0 + timedelta(seconds=30)).sent == 0
    assert service.run_due(database, now=T0 + timedelta(seconds=61)).sent == 1
    assert len(inbox.messages) == 3


def test_a_step_is_never_sent_twice(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    """A crash after the outbox row was written as "sending" (the SMTP call may or may not
    have happened) must not lead to a second copy on the next run."""
    inbox, port = smtp
    service = live(settings, port)
    entries = enrol(database, service, world)
    with database.session() as session:
        session.add(
            OutboxMessage(
                organization_id=world.org,
                entry_id=entries["ana.glow"],
                step=0,
                to_email=world.emails["ana.glow"],
                subject="(crashed mid-send)",
                text_body="",
                html_body="",
                message_id="<crashed@verdant.example>",
                status="sending",
                attempts=1,
                sent_at=T0,
            )
        )
    summary = service.run_due(database, now=T0)
    assert summary.sent == 2
    assert inbox.to(world.emails["ana.glow"]) == []
    with database.session() as session:
        entry = session.get(PipelineEntry, entries["ana.glow"])
        assert entry is not None and entry.next_step == 1  # the sequence goes on from there


def test_a_deferred_recipient_is_retried_once_accepted(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.defer_once.add(world.emails["ben.skin"])
    service = live(settings, port)
    enrol(database, service, world)
    first = service.run_due(database, now=T0)
    assert (first.sent, first.retry_later) == (2, 1)
    assert service.run_due(database, now=T0 + timedelta(minutes=6)).sent == 1
    assert len(inbox.to(world.emails["ben.skin"])) == 1
    with database.session() as session:
        rows = OutreachRepository(session).messages(world.org)
    ben = [r for r in rows if r.to_email == world.emails["ben.skin"]]
    assert [(r.status, r.attempts) for r in ben] == [("sent", 2)]


def test_an_override_without_the_unsubscribe_link_is_blocked_not_sent(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = live(settings, port)
    with database.session() as session:
        session.add(
            __import__("models").TemplateOverride(
                organization_id=world.org,
                name="email_intro.txt.j2",
                source="Subject: Hi {{ creator_display_name }}\n\nWant to work with us?\n",
            )
        )
    enrol(database, service, world)
    summary = service.run_due(database, now=T0)
    assert (summary.sent, summary.failed) == (0, 3)
    assert inbox.messages == []
    with database.session() as session:
        rows = OutreachRepository(session).messages(world.org)
        entries = OutreachRepository(session).entries(world.org)
    assert {r.status for r in rows} == {"failed"}
    assert "unsubscribe" in (rows[0].error or "")
    assert {e.stopped_reason for e in entries} == {"blocked_by_gate"}


def test_a_bounce_stops_the_sequence(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    service = live(settings, port)
    enrol(database, service, world)
    service.run_due(database, now=T0)
    message_id = str(inbox.to(world.emails["ben.skin"])[0]["Message-ID"])
    with database.session() as session:
        service.record_bounce(session, world.org, message_id, reason="550 no such user")
    assert service.run_due(database, now=T0 + timedelta(days=3)).sent == 2
    assert len(inbox.to(world.emails["ben.skin"])) == 1


def test_the_scheduler_job_sends_what_is_due(
    database: Database, settings: Settings, world: World, smtp: tuple[Inbox, int]
) -> None:
    import threading

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from jobs.scheduler import JOB_DEFAULTS, build_scheduler

    inbox, port = smtp
    service = live(settings, port)
    with database.session() as session:
        service.add_to_pipeline(
            session, world.org, world.campaign, {world.creators["ana.glow"]: []}
        )
        service.start_sequence(session, world.org, world.campaign)  # due now
    from programs.service import ProgramService

    scheduler = build_scheduler(service, ProgramService(settings), database, interval_seconds=1)
    ran = threading.Event()
    scheduler.add_listener(lambda event: ran.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        job = scheduler.get_job("outreach.run_due")
        assert job is not None
        assert (job.coalesce, job.max_instances) == (True, JOB_DEFAULTS["max_instances"])
        assert ran.wait(timeout=30)
    finally:
        scheduler.shutdown(wait=True)
    assert len(inbox.to(world.emails["ana.glow"])) == 1
