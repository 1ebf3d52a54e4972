"""Delivery against a real HTTP server on 127.0.0.1: signatures, retries with backoff driven
by a frozen clock, the 24-hour limit, redelivery, claims, and tenant isolation."""

from __future__ import annotations

import itertools
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.settings import Settings
from models import WebhookDelivery, WebhookEvent
from storage.database import Database
from storage.repositories.webhooks import WebhookRepository
from tests.webhooks.conftest import Hooked, make_org, subscribe
from tests.webhooks.receiver import Receiver, closed_port_url, serve
from tests.webhooks.test_signing import doc_verifier
from webhooks.service import (
    BASE_DELAY_SECONDS,
    CLAIM_LEASE,
    MAX_DELAY_SECONDS,
    RETRY_WINDOW,
    WebhookService,
    emit,
)
from webhooks.signing import verify

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
DATA = {"entry_id": 12, "campaign_id": 7, "creator_id": 42, "replied_at": NOW}


def emit_one(
    database: Database, org: int, type_: str = "outreach.replied", now: datetime = NOW
) -> str:
    with database.session() as session:
        return emit(session, org, type_, DATA, now=now).event_id


def the_delivery(database: Database, org: int) -> WebhookDelivery:
    with database.session() as session:
        (row,) = session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.organization_id == org)
        )
        return row


def header(received: Any, name: str) -> str:
    return {k.lower(): v for k, v in received.headers.items()}[name.lower()]


class TestSigning:
    def test_a_delivery_is_signed_with_the_subscription_secret(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        event_id = emit_one(database, hooked.org)
        summary = service.deliver_due(database, now=NOW)
        assert (summary.succeeded, summary.retrying, summary.failed) == (1, 0, 0)
        (request,) = receiver.requests
        assert request.path == "/hook"
        assert header(request, "Content-Type") == "application/json"
        assert header(request, "Creatormatch-Event-Id") == event_id
        assert header(request, "Creatormatch-Event-Type") == "outreach.replied"
        signature = header(request, "Creatormatch-Signature")
        assert signature.startswith(f"t={int(NOW.timestamp())},v1=")
        assert verify(hooked.secret, request.body, signature, now=NOW.timestamp())
        assert not verify("whsec_wrong", request.body, signature, now=NOW.timestamp())
        assert json.loads(request.body) == {
            "id": event_id,
            "type": "outreach.replied",
            "created_at": "2026-11-23T09:30:00Z",
            "organization_id": hooked.org,
            "data": {**DATA, "replied_at": "2026-11-23T09:30:00Z"},
        }
        delivery = the_delivery(database, hooked.org)
        assert delivery.status == "succeeded"
        assert (delivery.attempts, delivery.last_status_code) == (1, 200)
        assert delivery.last_response == "ok"
        assert delivery.delivered_at == NOW
        assert delivery.next_attempt_at is None

    def test_the_documented_snippet_verifies_a_real_delivery(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        emit_one(database, hooked.org, now=datetime.now(UTC))
        service.deliver_due(database)  # the real clock, as in production
        (request,) = receiver.requests
        signature = header(request, "Creatormatch-Signature")
        check = doc_verifier()
        assert check(hooked.secret, request.body, signature) is True
        assert check(hooked.secret, request.body + b"\n", signature) is False
        assert check("whsec_other", request.body, signature) is False
        later = datetime.now(UTC).timestamp() + 301
        assert check(hooked.secret, request.body, signature, now=later) is False
        assert verify(hooked.secret, request.body, signature, now=later) is False


class TestRetries:
    def test_a_500_is_retried_with_backoff_then_succeeds(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        receiver.statuses = [500]
        receiver.body = b"boom"
        emit_one(database, hooked.org)
        assert service.deliver_due(database, now=NOW).retrying == 1
        delivery = the_delivery(database, hooked.org)
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
        assert delivery.last_response == "boom"
        assert delivery.next_attempt_at is not None
        wait = (delivery.next_attempt_at - NOW).total_seconds()
        assert BASE_DELAY_SECONDS * 0.8 <= wait <= BASE_DELAY_SECONDS * 1.2
        # Not due yet: nothing is sent.
        early = service.deliver_due(database, now=NOW + timedelta(seconds=20))
        assert (early.succeeded, early.retrying, early.skipped) == (0, 0, 0)
        assert len(receiver.requests) == 1
        done = service.deliver_due(database, now=delivery.next_attempt_at)
        assert done.succeeded == 1
        first, second = receiver.requests
        # The same event, byte for byte; only the signature's timestamp moved on.
        assert first.body == second.body
        assert header(first, "Creatormatch-Event-Id") == header(second, "Creatormatch-Event-Id")
        assert header(first, "Creatormatch-Signature") != header(second, "Creatormatch-Signature")
        assert verify(
            hooked.secret,
            second.body,
            header(second, "Creatormatch-Signature"),
            now=delivery.next_attempt_at.timestamp(),
        )
        final = the_delivery(database, hooked.org)
        assert (final.status, final.attempts, final.last_status_code) == ("succeeded", 2, 200)
        assert final.last_error is None

    def test_after_24_hours_of_failures_the_delivery_fails(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        receiver.default = 503
        event_id = emit_one(database, hooked.org)
        now = NOW
        attempts_at = []
        for _ in range(40):
            summary = service.deliver_due(database, now=now)
            attempts_at.append(now)
            delivery = the_delivery(database, hooked.org)
            if delivery.status == "failed":
                assert summary.failed == 1
                break
            assert summary.retrying == 1
            assert delivery.next_attempt_at is not None
            now = delivery.next_attempt_at
        else:
            pytest.fail("the delivery never gave up")
        assert delivery.next_attempt_at is None
        assert (delivery.last_status_code, delivery.last_error) == (503, "HTTP 503")
        assert 12 <= delivery.attempts <= 14
        assert delivery.attempts == len(receiver.requests) == len(attempts_at)
        assert attempts_at[-1] <= NOW + RETRY_WINDOW
        assert attempts_at[-1] >= NOW + timedelta(hours=18)  # it kept trying to the end
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(attempts_at)]
        for n, gap in enumerate(gaps, start=1):
            nominal = min(BASE_DELAY_SECONDS * 2 ** (n - 1), MAX_DELAY_SECONDS)
            assert nominal * 0.8 <= gap <= nominal * 1.2, (n, gap)
        # Every attempt carried the same event id.
        assert {header(r, "Creatormatch-Event-Id") for r in receiver.requests} == {event_id}
        # Failed deliveries are no longer due.
        later = service.deliver_due(database, now=NOW + timedelta(days=3))
        assert (later.succeeded, later.retrying, later.failed) == (0, 0, 0)

    def test_network_errors_are_retried(
        self, database: Database, settings: Settings, service: WebhookService
    ) -> None:
        org = make_org(database, settings, "acme")
        subscribe(database, service, org, closed_port_url())
        emit_one(database, org)
        assert service.deliver_due(database, now=NOW).retrying == 1
        delivery = the_delivery(database, org)
        assert delivery.status == "pending"
        assert delivery.last_status_code is None
        assert delivery.last_error is not None and "Connect" in delivery.last_error

    def test_only_the_first_kilobyte_of_the_answer_is_kept(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        receiver.body = b"x" * 5000
        emit_one(database, hooked.org)
        service.deliver_due(database, now=NOW)
        assert the_delivery(database, hooked.org).last_response == "x" * 1024

    @pytest.mark.parametrize(
        ("attempt", "nominal"),
        [(1, 30), (2, 60), (3, 120), (6, 960), (10, 15360), (11, 21600), (40, 21600)],
    )
    def test_backoff_doubles_from_30_seconds_up_to_6_hours(
        self, settings: Settings, attempt: int, nominal: float
    ) -> None:
        service = WebhookService(settings, rng=random.Random(attempt))
        waits = [service.backoff_seconds(attempt) for _ in range(200)]
        assert all(nominal * 0.8 <= w <= nominal * 1.2 for w in waits)
        assert max(waits) - min(waits) > nominal * 0.2  # jittered, not fixed

    def test_a_seeded_rng_gives_the_same_schedule(self, settings: Settings) -> None:
        first = WebhookService(settings, rng=random.Random(7))
        second = WebhookService(settings, rng=random.Random(7))
        assert [first.backoff_seconds(n) for n in range(1, 12)] == [
            second.backoff_seconds(n) for n in range(1, 12)
        ]


class TestRedelivery:
    def test_a_redelivery_sends_the_same_event_again(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        event_id = emit_one(database, hooked.org)
        service.deliver_due(database, now=NOW)
        delivery_id = the_delivery(database, hooked.org).id
        later = NOW + timedelta(hours=2)
        with database.session() as session:
            delivery, _event = service.redeliver(session, hooked.org, delivery_id, now=later)
            assert (delivery.status, delivery.next_attempt_at) == ("pending", later)
        assert service.deliver_due(database, now=later).succeeded == 1
        assert [header(r, "Creatormatch-Event-Id") for r in receiver.requests] == [event_id] * 2
        assert receiver.requests[0].body == receiver.requests[1].body
        again = the_delivery(database, hooked.org)
        assert (again.status, again.attempts, again.delivered_at) == ("succeeded", 2, later)

    def test_a_failed_delivery_redelivered_after_24_hours_is_tried_once(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        receiver.default = 500
        emit_one(database, hooked.org)
        service.deliver_due(database, now=NOW)
        delivery_id = the_delivery(database, hooked.org).id
        two_days = NOW + timedelta(days=2)
        with database.session() as session:
            service.redeliver(session, hooked.org, delivery_id, now=two_days)
        assert service.deliver_due(database, now=two_days).failed == 1
        assert the_delivery(database, hooked.org).status == "failed"
        receiver.default = 200
        with database.session() as session:
            service.redeliver(session, hooked.org, delivery_id, now=two_days)
        assert service.deliver_due(database, now=two_days).succeeded == 1

    def test_another_organisation_cannot_redeliver(
        self, database: Database, settings: Settings, service: WebhookService, hooked: Hooked
    ) -> None:
        from storage.repositories.webhooks import WebhookDeliveryNotFoundError

        emit_one(database, hooked.org)
        delivery_id = the_delivery(database, hooked.org).id
        other = make_org(database, settings, "globex")
        with database.session() as session, pytest.raises(WebhookDeliveryNotFoundError):
            service.redeliver(session, other, delivery_id)


class TestEmission:
    def test_another_organisations_subscriptions_never_receive_an_event(
        self, database: Database, settings: Settings, service: WebhookService, hooked: Hooked
    ) -> None:
        with serve() as theirs:
            other = make_org(database, settings, "globex")
            subscribe(database, service, other, theirs.url + "/globex")
            emit_one(database, hooked.org)
            assert service.deliver_due(database, now=NOW).succeeded == 1
            assert theirs.requests == []
        with database.session() as session:
            count = session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.organization_id == other)
            )
        assert count == 0

    def test_only_active_subscriptions_to_the_type_get_a_delivery(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        replies = subscribe(
            database, service, hooked.org, receiver.url + "/replies", ["outreach.replied"]
        )
        subscribe(database, service, hooked.org, receiver.url + "/other", ["creator.imported"])
        paused = subscribe(database, service, hooked.org, receiver.url + "/paused")
        with database.session() as session:
            service.update(session, hooked.org, paused.subscription, {"active": False})
        emit_one(database, hooked.org)
        service.deliver_due(database, now=NOW)
        assert sorted(r.path for r in receiver.requests) == ["/hook", "/replies"]
        assert replies.subscription != hooked.subscription

    def test_an_event_exists_only_if_its_transaction_commits(
        self, database: Database, hooked: Hooked
    ) -> None:
        def failing_change() -> None:
            with database.session() as session:
                emit(session, hooked.org, "outreach.replied", DATA, now=NOW)
                raise RuntimeError("the change failed")

        with pytest.raises(RuntimeError):
            failing_change()
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0
            assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0

    def test_an_unknown_type_is_refused(self, database: Database, hooked: Hooked) -> None:
        from webhooks.service import UnknownEventTypeError

        with database.session() as session, pytest.raises(UnknownEventTypeError):
            emit(session, hooked.org, "creator.exploded", {})

    def test_events_without_subscribers_are_still_recorded(
        self, database: Database, settings: Settings
    ) -> None:
        org = make_org(database, settings, "acme")
        emit_one(database, org)
        with database.session() as session:
            (event,) = WebhookRepository(session).events(org)
            assert event.type == "outreach.replied"
            assert WebhookRepository(session).deliveries_of_event(event.id) == []


class TestClaims:
    def test_a_claimed_delivery_is_not_attempted_twice_and_comes_back_after_the_lease(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        emit_one(database, hooked.org)
        delivery_id = the_delivery(database, hooked.org).id
        with database.session() as session:
            # Another worker took it, then died mid-attempt.
            assert WebhookRepository(session).claim(delivery_id, NOW, NOW + CLAIM_LEASE)
        with database.session() as session:
            assert not WebhookRepository(session).claim(delivery_id, NOW, NOW + CLAIM_LEASE)
        assert service.deliver_due(database, now=NOW).succeeded == 0
        assert receiver.requests == []
        assert service.deliver_due(database, now=NOW + CLAIM_LEASE).succeeded == 1
        assert the_delivery(database, hooked.org).attempts == 2

    def test_a_deactivated_subscription_fails_its_pending_deliveries(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        emit_one(database, hooked.org)
        with database.session() as session:
            service.update(session, hooked.org, hooked.subscription, {"active": False})
        assert service.deliver_due(database, now=NOW).failed == 1
        assert receiver.requests == []
        assert the_delivery(database, hooked.org).last_error == "the webhook is inactive"

    def test_deleting_a_subscription_drops_its_deliveries(
        self, database: Database, service: WebhookService, receiver: Receiver, hooked: Hooked
    ) -> None:
        emit_one(database, hooked.org)
        with database.session() as session:
            service.delete(session, hooked.org, hooked.subscription)
        assert service.deliver_due(database, now=NOW).succeeded == 0
        assert receiver.requests == []
