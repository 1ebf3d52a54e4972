"""Every wired source emits its event in its own transaction: outreach replies and opt-outs,
and every new ambassador-program notice (import and compliance checks: tests/api)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.settings import Settings
from models import ProgramNotice, WebhookDelivery, WebhookEvent
from outreach.service import OutreachService
from programs.service import ProgramService
from storage.database import Database
from tests.outreach.conftest import World, make_world
from tests.programs.conftest import make_program_world
from tests.webhooks.conftest import subscribe
from tests.webhooks.receiver import Receiver
from webhooks.service import WebhookService

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
GOOD = "#ad My morning routine with the new Verdant SPF @verdant"
BAD = "Loving my morning routine with this SPF #skincare @verdant"


def events(database: Database, org: int, type_: str | None = None) -> list[WebhookEvent]:
    with database.session() as session:
        stmt = select(WebhookEvent).where(WebhookEvent.organization_id == org)
        if type_ is not None:
            stmt = stmt.where(WebhookEvent.type == type_)
        return list(session.scalars(stmt.order_by(WebhookEvent.id)))


class TestOutreach:
    @pytest.fixture
    def world(self, database: Database, settings: Settings) -> World:
        return make_world(database, settings)

    def entry(self, database: Database, settings: Settings, world: World, handle: str) -> int:
        with database.session() as session:
            (entry,) = OutreachService(settings).add_to_pipeline(
                session, world.org, world.campaign, {world.creators[handle]: []}
            )
            return entry.id

    def test_a_reply_emits_outreach_replied_once_and_it_is_delivered(
        self,
        database: Database,
        settings: Settings,
        world: World,
        service: WebhookService,
        receiver: Receiver,
    ) -> None:
        hooked = subscribe(database, service, world.org, receiver.url, ["outreach.replied"])
        entry_id = self.entry(database, settings, world, "ana.glow")
        outreach = OutreachService(settings)
        with database.session() as session:
            outreach.set_stage(session, world.org, entry_id, "replied", note="via HubSpot", now=NOW)
        with database.session() as session:  # recorded again by the CRM: no second event
            outreach.set_stage(session, world.org, entry_id, "replied", now=NOW)
        (event,) = events(database, world.org)
        assert event.type == "outreach.replied"
        assert event.payload == {
            "entry_id": entry_id,
            "campaign_id": world.campaign,
            "creator_id": world.creators["ana.glow"],
            "replied_at": "2026-11-23T09:30:00Z",
        }
        assert service.deliver_due(database, now=NOW).succeeded == 1
        (request,) = receiver.requests
        body = json.loads(request.body)
        assert (body["id"], body["type"]) == (event.event_id, "outreach.replied")
        assert hooked.org == world.org

    def test_other_stages_emit_nothing(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        entry_id = self.entry(database, settings, world, "ana.glow")
        with database.session() as session:
            OutreachService(settings).set_stage(session, world.org, entry_id, "negotiating")
        assert events(database, world.org) == []

    def test_an_opt_out_emits_outreach_opted_out_once(
        self, database: Database, settings: Settings, world: World, service: WebhookService
    ) -> None:
        subscribe(database, service, world.org, "https://crm.example/hook", ["outreach.opted_out"])
        entry_id = self.entry(database, settings, world, "ben.skin")
        creator = world.creators["ben.skin"]
        outreach = OutreachService(settings)
        with database.session() as session:
            outreach.opt_out(session, world.org, creator, source="unsubscribe_link", now=NOW)
        with database.session() as session:  # a second click on the link
            outreach.opt_out(session, world.org, creator, source="unsubscribe_link", now=NOW)
        with database.session() as session:  # and the stage set by hand
            outreach.set_stage(session, world.org, entry_id, "opted_out", now=NOW)
        (event,) = events(database, world.org)
        assert event.type == "outreach.opted_out"
        assert event.payload == {
            "creator_id": creator,
            "source": "unsubscribe_link",
            "entry_ids": [entry_id],
            "campaign_ids": [world.campaign],
        }
        with database.session() as session:
            (delivery,) = session.scalars(select(WebhookDelivery))
            assert (delivery.status, delivery.next_attempt_at) == ("pending", NOW)

    def test_setting_the_stage_opted_out_emits_the_opt_out(
        self, database: Database, settings: Settings, world: World
    ) -> None:
        entry_id = self.entry(database, settings, world, "cleo.clean")
        with database.session() as session:
            OutreachService(settings).set_stage(session, world.org, entry_id, "opted_out")
        (event,) = events(database, world.org)
        assert (event.type, event.payload["source"]) == ("outreach.opted_out", "api")


class TestPrograms:
    def make_program(self, database: Database, settings: Settings) -> tuple[int, int]:
        world = make_program_world(database, settings)
        with database.session() as session:
            program = ProgramService(settings).create(
                session,
                world.org,
                {
                    "creator_id": world.creator,
                    "brand_id": world.brand,
                    "name": "Verdant ambassadors",
                    "starts_on": date(2027, 1, 1),
                    "months": 2,
                    "timezone": "UTC",
                    "cadence": [
                        {"platform": "instagram", "kind": "feed post", "count": 1, "per": "month"}
                    ],
                    "reminder_days": 3,
                },
                now=NOW,
            )
            return world.org, program.id

    def test_every_new_notice_is_an_event_of_its_type(
        self, database: Database, settings: Settings
    ) -> None:
        org, program_id = self.make_program(database, settings)
        service = ProgramService(settings)
        with database.session() as session:
            first, second = service.deliverables(session, org, program_id)
            first_id = first.id
        with database.session() as session:
            service.submit(
                session,
                org,
                first_id,
                {"post_url": "https://instagram.example/p/1", "caption": BAD},
                now=datetime(2027, 1, 10, tzinfo=UTC),
            )
        # Daily ticks through the program and a month past it: reminders, the overdue
        # second deliverable, the renewal notice, both reports, re-checks of the bad post.
        day = datetime(2026, 12, 1, 12, tzinfo=UTC)
        while day < datetime(2027, 4, 1, tzinfo=UTC):
            assert service.tick(database, now=day).errors == []
            assert service.tick(database, now=day).total == 0  # a repeated tick emits nothing
            day += timedelta(days=1)
        with database.session() as session:
            notices = list(session.scalars(select(ProgramNotice).order_by(ProgramNotice.id)))
        emitted = events(database, org)

        def key(type_: str, payload: dict[str, Any]) -> tuple[str, Any, Any]:
            return (type_, payload["program_id"], payload.get("deliverable_id"))

        assert Counter(
            key(n.event, n.payload | {"deliverable_id": n.deliverable_id}) for n in notices
        ) == Counter(key(e.type, e.payload) for e in emitted)
        types = Counter(e.type for e in emitted)
        assert types["program.deliverable_submitted"] == 1
        assert types["compliance.violation"] == 1  # re-checks of the same caption: once
        assert types["program.deliverable_due"] == 1
        assert types["program.deliverable_overdue"] == 1
        assert types["program.renewal_due"] == 1
        assert types["program.report"] == 2
        (violation,) = [e for e in emitted if e.type == "compliance.violation"]
        assert violation.payload["deliverable_id"] == first_id
        assert violation.payload["program_id"] == program_id
        assert "NO_DISCLOSURE" in str(violation.payload["reasons"])
        # The first deliverable was submitted before its reminder; the second never was.
        (reminder,) = [e for e in emitted if e.type == "program.deliverable_due"]
        (overdue,) = [e for e in emitted if e.type == "program.deliverable_overdue"]
        assert reminder.payload["deliverable_id"] == overdue.payload["deliverable_id"] == second.id
        # Each event carries the notice's time, the tick's frozen clock.
        for notice in notices:
            assert any(e.created_at == notice.created_at for e in emitted)
