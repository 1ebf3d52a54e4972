"""Queries on webhooks: subscriptions, events and deliveries. Every method that serves a
caller takes the organisation; the scheduler's (``due``, ``claim``) span all of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.errors import NotFoundError
from models import WebhookDelivery, WebhookEvent, WebhookSubscription

__all__ = [
    "WebhookDeliveryNotFoundError",
    "WebhookRepository",
    "WebhookSubscriptionNotFoundError",
]


class WebhookSubscriptionNotFoundError(NotFoundError):
    def __init__(self, subscription_id: int) -> None:
        super().__init__(f"webhook {subscription_id} not found")
        self.subscription_id = subscription_id


class WebhookDeliveryNotFoundError(NotFoundError):
    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"webhook delivery {delivery_id} not found")
        self.delivery_id = delivery_id


class WebhookRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # subscriptions -------------------------------------------------------------------------

    def get(self, organization_id: int, subscription_id: int) -> WebhookSubscription | None:
        return self.session.scalar(
            select(WebhookSubscription).where(
                WebhookSubscription.organization_id == organization_id,
                WebhookSubscription.id == subscription_id,
            )
        )

    def get_or_raise(self, organization_id: int, subscription_id: int) -> WebhookSubscription:
        found = self.get(organization_id, subscription_id)
        if found is None:
            raise WebhookSubscriptionNotFoundError(subscription_id)
        return found

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def delete(self, row: object) -> None:
        self.session.delete(row)
        self.session.flush()

    # events -----------------------------------------------------------------------------

    def events(
        self,
        organization_id: int,
        *,
        type_: str | None = None,
        before_id: int | None = None,
        limit: int = 50,
    ) -> list[WebhookEvent]:
        """The organisation's events, newest first."""
        stmt = select(WebhookEvent).where(WebhookEvent.organization_id == organization_id)
        if type_ is not None:
            stmt = stmt.where(WebhookEvent.type == type_)
        if before_id is not None:
            stmt = stmt.where(WebhookEvent.id < before_id)
        return list(self.session.scalars(stmt.order_by(WebhookEvent.id.desc()).limit(limit)))

    # deliveries -------------------------------------------------------------------------

    def delivery(
        self, organization_id: int, delivery_id: int
    ) -> tuple[WebhookDelivery, WebhookEvent] | None:
        row = self.session.execute(
            select(WebhookDelivery, WebhookEvent)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.webhook_event_id)
            .where(
                WebhookDelivery.organization_id == organization_id,
                WebhookDelivery.id == delivery_id,
            )
        ).first()
        return None if row is None else (row[0], row[1])

    def delivery_or_raise(
        self, organization_id: int, delivery_id: int
    ) -> tuple[WebhookDelivery, WebhookEvent]:
        found = self.delivery(organization_id, delivery_id)
        if found is None:
            raise WebhookDeliveryNotFoundError(delivery_id)
        return found

    def deliveries(
        self,
        organization_id: int,
        subscription_id: int,
        *,
        status: str | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[tuple[WebhookDelivery, WebhookEvent]]:
        """One subscription's deliveries with their events, in id order."""
        stmt = (
            select(WebhookDelivery, WebhookEvent)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.webhook_event_id)
            .where(
                WebhookDelivery.organization_id == organization_id,
                WebhookDelivery.subscription_id == subscription_id,
            )
        )
        if status is not None:
            stmt = stmt.where(WebhookDelivery.status == status)
        if after_id is not None:
            stmt = stmt.where(WebhookDelivery.id > after_id)
        rows = self.session.execute(stmt.order_by(WebhookDelivery.id).limit(limit))
        return [(delivery, event) for delivery, event in rows]

    def deliveries_of_event(self, webhook_event_id: int) -> list[WebhookDelivery]:
        return list(
            self.session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.webhook_event_id == webhook_event_id)
                .order_by(WebhookDelivery.id)
            )
        )

    def due(self, now: datetime, *, limit: int) -> list[int]:
        """Ids of pending deliveries whose next attempt is due, the longest waiting first."""
        return list(
            self.session.scalars(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(limit)
            )
        )

    def claim(self, delivery_id: int, now: datetime, until: datetime) -> bool:
        """Take a due delivery for one attempt by moving its next attempt to ``until``; a
        single conditional UPDATE, so of two workers racing for it only one wins. A worker
        that dies mid-attempt leaves it due again at ``until``."""
        result = self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=until, attempts=WebhookDelivery.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    # Last in the class: a method named ``list`` shadows the builtin in annotations below it.
    def list(
        self,
        organization_id: int,
        *,
        active: bool | None = None,
        after_id: int | None = None,
        limit: int | None = None,
    ) -> list[WebhookSubscription]:
        stmt = select(WebhookSubscription).where(
            WebhookSubscription.organization_id == organization_id
        )
        if active is not None:
            stmt = stmt.where(WebhookSubscription.active == active)
        if after_id is not None:
            stmt = stmt.where(WebhookSubscription.id > after_id)
        stmt = stmt.order_by(WebhookSubscription.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.session.scalars(stmt))
