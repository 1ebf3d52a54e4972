"""Signed webhooks for CRMs: subscriptions, the events (a transactional outbox) and one
delivery row per (event, subscription) with its retry state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdType, JsonType, utcnow

__all__ = [
    "DELIVERY_STATUSES",
    "EVENT_TYPES",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]

# Every event a subscription can ask for; docs/webhooks.md shows each payload.
EVENT_TYPES: tuple[str, ...] = (
    "creator.imported",
    "outreach.replied",
    "outreach.opted_out",
    "program.deliverable_due",
    "program.deliverable_overdue",
    "program.deliverable_submitted",
    "program.renewal_due",
    "program.report",
    "compliance.violation",
    "webhook.test",
)
# pending -> succeeded | failed (retries exhausted, or the subscription was deactivated).
# A manual redelivery puts a delivery back to pending.
DELIVERY_STATUSES: tuple[str, ...] = ("pending", "succeeded", "failed")


class WebhookSubscription(Base):
    """Where an organisation wants which events POSTed. ``secret`` signs every delivery;
    the API shows it once, in the response that creates the subscription."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JsonType, default=list)
    secret: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(Base):
    """Something that happened, written in the same transaction as the change itself: the
    event exists if and only if the change committed. ``event_id`` is what receivers
    de-duplicate by; it never changes across retries and redeliveries."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_org", "organization_id", "id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One event to one subscription: the retry state and the last attempt's outcome."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_event_id", "subscription_id"),
        # The scheduler's query: pending deliveries whose next attempt is due.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    webhook_event_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE")
    )
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # None once the delivery succeeded or failed for good.
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_response: Mapped[str | None] = mapped_column(Text)  # the first 1 KB of the body
    delivered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
