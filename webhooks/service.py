"""Webhook subscriptions, emission and delivery.

Emission: :func:`emit` writes the event and one pending delivery per active subscription of
the organisation that asked for the event's type, in the caller's session. The caller's
transaction commits both with the change that caused them, or neither.

Delivery: :meth:`WebhookService.deliver_due` (the scheduler calls it every minute) takes
each due delivery in its own transactions: (1) claim it with a conditional UPDATE that
moves its next attempt a lease ahead (a crashed worker's delivery becomes due again when
the lease ends; two workers never attempt it at once), (2) POST the signed body outside
any transaction, (3) record the outcome. 2xx succeeds; any other status, a timeout or a
network error is retried after ``30 s x 2^(attempt-1)`` (capped at 6 h, +-20 % jitter)
while the next attempt still falls within 24 hours of the event; then the delivery fails.
A URL the egress policy refuses (:mod:`webhooks.egress`: loopback, private, metadata, ...
addresses, checked after resolving the name, and connected to as checked by
:mod:`webhooks.transport`) fails at once, with the reason and without a response.
The event id and the body never change across attempts, so a receiver de-duplicates by
the id (delivery is at least once: a lost response means the same event again).
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.orm import Session

from core.errors import ConflictError, InvalidInputError
from core.settings import Settings
from models import EVENT_TYPES, WebhookDelivery, WebhookEvent, WebhookSubscription, utcnow
from storage.database import Database
from storage.repositories.webhooks import WebhookRepository
from webhooks.egress import EgressPolicy, EgressRefusedError
from webhooks.signing import headers_for
from webhooks.transport import GuardedTransport, Resolver, resolve_checked, system_resolver

__all__ = [
    "BASE_DELAY_SECONDS",
    "DELIVERY_TIMEOUT_SECONDS",
    "MAX_DELAY_SECONDS",
    "RETRY_WINDOW",
    "DeliverySummary",
    "UnknownEventTypeError",
    "WebhookInactiveError",
    "WebhookService",
    "emit",
    "event_body",
]

_log = logging.getLogger("creatormatch.webhooks")

DELIVERY_TIMEOUT_SECONDS = 10.0
BASE_DELAY_SECONDS = 30.0
MAX_DELAY_SECONDS = 6 * 3600.0
JITTER = 0.2
RETRY_WINDOW = timedelta(hours=24)
# How long a claimed delivery stays out of the due list: longer than one attempt can take.
CLAIM_LEASE = timedelta(seconds=DELIVERY_TIMEOUT_SECONDS * 6)
RESPONSE_KEEP_BYTES = 1024
DUE_BATCH = 500
MAX_URL_LENGTH = 2000


class UnknownEventTypeError(InvalidInputError):
    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown webhook event type {event_type!r}")
        self.event_type = event_type


class WebhookInactiveError(ConflictError):
    def __init__(self, subscription_id: int) -> None:
        super().__init__(f"webhook {subscription_id} is inactive; activate it first")
        self.subscription_id = subscription_id


@dataclass
class DeliverySummary:
    """What one :meth:`WebhookService.deliver_due` pass did."""

    succeeded: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------- emission


def emit(
    session: Session,
    organization_id: int,
    type_: str,
    payload: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> WebhookEvent:
    """Record an event and a pending delivery for each active subscription of the
    organisation that asked for ``type_``, in the caller's transaction.

    Raises:
        UnknownEventTypeError: ``type_`` is not one of ``models.EVENT_TYPES``.
    """
    subscriptions = WebhookRepository(session).list(organization_id, active=True)
    targets = [s for s in subscriptions if type_ in s.events]
    return _record(session, organization_id, type_, payload, targets, now or utcnow())


def _record(
    session: Session,
    organization_id: int,
    type_: str,
    payload: Mapping[str, Any],
    targets: Iterable[WebhookSubscription],
    now: datetime,
) -> WebhookEvent:
    if type_ not in EVENT_TYPES:
        raise UnknownEventTypeError(type_)
    repo = WebhookRepository(session)
    event = WebhookEvent(
        organization_id=organization_id,
        event_id=str(uuid.uuid4()),
        type=type_,
        payload=_jsonable(dict(payload)),
        created_at=now,
    )
    repo.add(event)
    deliveries = [
        WebhookDelivery(
            organization_id=organization_id,
            webhook_event_id=event.id,
            subscription_id=subscription.id,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        for subscription in targets
        if subscription.organization_id == organization_id
    ]
    if deliveries:
        repo.add(*deliveries)
    return event


def event_body(event: WebhookEvent) -> bytes:
    """The JSON body every delivery of ``event`` carries, byte for byte the same each time."""
    document = {
        "id": event.event_id,
        "type": event.type,
        "created_at": _iso(event.created_at),
        "organization_id": event.organization_id,
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    """Payload values as JSON: dates to ISO 8601, decimals to strings, tuples to lists."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# ------------------------------------------------------------------------------- service


def _check_events(events: Sequence[str]) -> list[str]:
    if not events:
        raise InvalidInputError.for_field("events", "subscribe to at least one event type")
    for event_type in events:
        if event_type not in EVENT_TYPES:
            raise InvalidInputError.for_field(
                "events", f"each one of {', '.join(EVENT_TYPES)}", value=event_type
            )
    return list(dict.fromkeys(events))


class WebhookService:
    """Manage subscriptions and deliver what :func:`emit` recorded.

    Args:
        settings: the application settings.
        client_factory: makes the ``httpx.Client`` of one delivery pass (tests pass one
            with ``httpx.MockTransport``, which bypasses the egress guard); default: a
            client with a 10 s timeout on a :class:`~webhooks.transport.GuardedTransport`.
        resolver: resolves webhook hosts, at save and at each connection (tests pass a
            fake one); default: the system resolver.
        rng: the source of the retry jitter (seed it in tests).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client_factory: Callable[[], httpx.Client] | None = None,
        resolver: Resolver = system_resolver,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.policy = EgressPolicy.from_settings(settings)
        self.resolver = resolver
        self.client_factory = client_factory or self._guarded_client
        self.rng = rng or random.Random()  # jitter, not a secret

    def _guarded_client(self) -> httpx.Client:
        # Redirects are not followed: a 3xx is not a 2xx, the receiver must give its final
        # URL (and a redirect cannot lead the delivery somewhere the URL check did not see).
        return httpx.Client(
            transport=GuardedTransport(self.policy, resolver=self.resolver),
            timeout=DELIVERY_TIMEOUT_SECONDS,
            follow_redirects=False,
        )

    def check_url(self, url: str) -> str:
        """``url`` stripped, if webhooks may point there; its name is resolved now too (a
        name that does not resolve yet is accepted: each delivery resolves it again).

        Raises:
            InvalidInputError: field ``url``: not an http(s) URL, too long, or refused by
                the egress policy (:class:`~webhooks.egress.EgressRefusedError`).
        """
        url = url.strip()
        if len(url) > MAX_URL_LENGTH or any(c.isspace() for c in url):
            raise InvalidInputError.for_field(
                "url", f"at most {MAX_URL_LENGTH} characters, no spaces", value=url
            )
        target, address = self.policy.check_url(url)
        if address is None:
            # Not resolvable now is fine: each delivery resolves and checks it again.
            with contextlib.suppress(OSError):
                resolve_checked(self.policy, self.resolver, target.host, target.port)
        return url

    # ---------------------------------------------------------------- subscriptions

    def create(
        self,
        session: Session,
        organization_id: int,
        *,
        url: str,
        events: Sequence[str],
        description: str = "",
        active: bool = True,
    ) -> WebhookSubscription:
        """A new subscription with a fresh signing secret (the caller shows it once)."""
        subscription = WebhookSubscription(
            organization_id=organization_id,
            url=self.check_url(url),
            events=_check_events(events),
            secret="whsec_" + secrets.token_urlsafe(32),
            description=description,
            active=active,
            created_at=utcnow(),
        )
        WebhookRepository(session).add(subscription)
        return subscription

    def get(
        self, session: Session, organization_id: int, subscription_id: int
    ) -> WebhookSubscription:
        return WebhookRepository(session).get_or_raise(organization_id, subscription_id)

    def subscriptions(
        self, session: Session, organization_id: int, *, after_id: int | None, limit: int
    ) -> list[WebhookSubscription]:
        """The organisation's subscriptions, in id order."""
        return WebhookRepository(session).list(organization_id, after_id=after_id, limit=limit)

    def deliveries(
        self,
        session: Session,
        organization_id: int,
        subscription_id: int,
        *,
        status: str | None,
        after_id: int | None,
        limit: int,
    ) -> list[tuple[WebhookDelivery, WebhookEvent]]:
        """One subscription's deliveries with their events, in id order (404 when the
        subscription is not the organisation's)."""
        repo = WebhookRepository(session)
        repo.get_or_raise(organization_id, subscription_id)
        return repo.deliveries(
            organization_id, subscription_id, status=status, after_id=after_id, limit=limit
        )

    def events(
        self,
        session: Session,
        organization_id: int,
        *,
        type_: str | None,
        before_id: int | None,
        limit: int,
    ) -> list[WebhookEvent]:
        """The organisation's events, newest first."""
        return WebhookRepository(session).events(
            organization_id, type_=type_, before_id=before_id, limit=limit
        )

    def update(
        self,
        session: Session,
        organization_id: int,
        subscription_id: int,
        changes: Mapping[str, Any],
    ) -> WebhookSubscription:
        """Change the URL, events, description or active flag. Deliveries already pending
        go to the new URL; deactivating fails them at their next attempt."""
        subscription = self.get(session, organization_id, subscription_id)
        if "url" in changes:
            subscription.url = self.check_url(str(changes["url"]))
        if "events" in changes:
            subscription.events = _check_events(list(changes["events"]))
        if "description" in changes:
            subscription.description = str(changes["description"] or "")
        if "active" in changes:
            subscription.active = bool(changes["active"])
        session.flush()
        return subscription

    def delete(self, session: Session, organization_id: int, subscription_id: int) -> None:
        """Delete a subscription and its delivery log (the events stay)."""
        repo = WebhookRepository(session)
        repo.delete(repo.get_or_raise(organization_id, subscription_id))

    def send_test(
        self,
        session: Session,
        organization_id: int,
        subscription_id: int,
        *,
        now: datetime | None = None,
    ) -> tuple[WebhookDelivery, WebhookEvent]:
        """Emit a ``webhook.test`` event to this one subscription, whatever it subscribes to."""
        subscription = self.get(session, organization_id, subscription_id)
        if not subscription.active:
            raise WebhookInactiveError(subscription_id)
        event = _record(
            session,
            organization_id,
            "webhook.test",
            {"subscription_id": subscription.id, "message": "Hello from creatormatch."},
            [subscription],
            now or utcnow(),
        )
        (delivery,) = WebhookRepository(session).deliveries_of_event(event.id)
        return delivery, event

    def redeliver(
        self,
        session: Session,
        organization_id: int,
        delivery_id: int,
        *,
        now: datetime | None = None,
    ) -> tuple[WebhookDelivery, WebhookEvent]:
        """Put a delivery (of any status) back to pending, due now. Same event, same id.
        Within 24 hours of the event failures are retried as usual; later, once."""
        repo = WebhookRepository(session)
        delivery, event = repo.delivery_or_raise(organization_id, delivery_id)
        if not repo.get_or_raise(organization_id, delivery.subscription_id).active:
            raise WebhookInactiveError(delivery.subscription_id)
        delivery.status = "pending"
        delivery.next_attempt_at = now or utcnow()
        session.flush()
        return delivery, event

    # ---------------------------------------------------------------- delivery

    def backoff_seconds(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based): 30 s doubling each
        time, at most 6 h, then +-20 % jitter so that receivers recovering from an outage
        are not hit by every retry at once."""
        exponent = min(max(attempt, 1) - 1, 20)
        base = min(BASE_DELAY_SECONDS * 2**exponent, MAX_DELAY_SECONDS)
        return float(base * self.rng.uniform(1 - JITTER, 1 + JITTER))

    def deliver_due(
        self, database: Database, *, now: datetime | None = None, limit: int = DUE_BATCH
    ) -> DeliverySummary:
        """Attempt every due delivery once, each in its own transactions (see the module
        docstring)."""
        now = now or utcnow()
        summary = DeliverySummary()
        with database.session() as session:
            due = WebhookRepository(session).due(now, limit=limit)
        if not due:
            return summary
        with self.client_factory() as client:
            for delivery_id in due:
                try:
                    outcome = self._attempt(database, client, delivery_id, now)
                except Exception as exc:  # one bad delivery must not stop the others
                    _log.exception("webhook delivery %s failed", delivery_id)
                    summary.errors.append(f"delivery {delivery_id}: {exc}")
                    continue
                setattr(summary, outcome, getattr(summary, outcome) + 1)
        return summary

    def _attempt(
        self, database: Database, client: httpx.Client, delivery_id: int, now: datetime
    ) -> str:
        # Transaction 1: claim, then build the signed request.
        with database.session() as session:
            repo = WebhookRepository(session)
            if not repo.claim(delivery_id, now, now + CLAIM_LEASE):
                return "skipped"  # delivered, redelivered or claimed since the due list
            delivery = session.get(WebhookDelivery, delivery_id)
            assert delivery is not None  # just claimed in this transaction
            subscription = session.get(WebhookSubscription, delivery.subscription_id)
            event = session.get(WebhookEvent, delivery.webhook_event_id)
            assert subscription is not None  # the foreign keys cascade
            assert event is not None
            if not subscription.active:
                delivery.status = "failed"
                delivery.next_attempt_at = None
                delivery.last_error = "the webhook is inactive"
                return "failed"
            url = subscription.url
            body = event_body(event)
            headers = headers_for(
                subscription.secret,
                body,
                int(now.timestamp()),
                event_id=event.event_id,
                event_type=event.type,
            )
            deadline = event.created_at + RETRY_WINDOW
        # The POST, outside any transaction.
        status_code: int | None = None
        error: str | None = None
        response_head: str | None = None
        refused: EgressRefusedError | None = None
        try:
            with client.stream("POST", url, content=body, headers=headers) as response:
                status_code = response.status_code
                response_head = _head(response)
        except EgressRefusedError as exc:  # raised before connecting: nothing was sent
            refused = exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        # Transaction 2: record the outcome and schedule the retry.
        with database.session() as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            if delivery is None:
                return "skipped"  # the subscription was deleted meanwhile
            delivery.last_status_code = status_code
            delivery.last_response = response_head
            if refused is not None:
                # Not retried: the same URL would be refused again (redeliver after fixing
                # it, or after the operator allowed the address).
                _log.warning("webhook delivery %s %s", delivery_id, refused.message)
                delivery.status = "failed"
                delivery.next_attempt_at = None
                delivery.last_error = refused.message
                return "failed"
            if status_code is not None and 200 <= status_code < 300:
                delivery.status = "succeeded"
                delivery.delivered_at = now
                delivery.next_attempt_at = None
                delivery.last_error = None
                return "succeeded"
            delivery.last_error = error or f"HTTP {status_code}"
            retry_at = now + timedelta(seconds=self.backoff_seconds(delivery.attempts))
            if retry_at > deadline:
                delivery.status = "failed"
                delivery.next_attempt_at = None
                return "failed"
            delivery.status = "pending"
            delivery.next_attempt_at = retry_at
            return "retrying"


def _head(response: httpx.Response) -> str:
    """The first 1 KB of the response body, as text."""
    kept = b""
    for chunk in response.iter_bytes():
        kept += chunk
        if len(kept) >= RESPONSE_KEEP_BYTES:
            break
    return kept[:RESPONSE_KEEP_BYTES].decode("utf-8", errors="replace")
