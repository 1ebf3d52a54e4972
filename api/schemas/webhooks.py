"""Webhook request and response schemas: subscriptions, deliveries and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.schemas.common import RequestModel
from core.patterns import HTTP_URL
from core.text import MultilineStr
from models import WebhookDelivery, WebhookEvent, WebhookSubscription

__all__ = [
    "EventType",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookDeliveryRead",
    "WebhookEventRead",
    "WebhookRead",
    "WebhookUpdate",
]

# models.EVENT_TYPES as a type (tests/api/test_webhooks.py checks that they agree).
EventType = Literal[
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
]
DeliveryStatus = Literal["pending", "succeeded", "failed"]

_CREATED_AT = "2026-11-23T09:30:00Z"
_SUBSCRIPTION_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "url": "https://crm.example.com/hooks/creatormatch",
    "events": ["outreach.replied", "program.deliverable_overdue", "compliance.violation"],
    "description": "HubSpot sync",
    "active": True,
    "created_at": _CREATED_AT,
}


class WebhookCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://crm.example.com/hooks/creatormatch",
                    "events": ["outreach.replied", "compliance.violation"],
                    "description": "HubSpot sync",
                }
            ]
        },
    )

    url: str = Field(
        max_length=2000,
        pattern=HTTP_URL,
        description=(
            "Where deliveries are POSTed: http or https, no credentials, a public address "
            "(loopback, private, link-local and metadata addresses are refused; "
            "docs/webhooks.md)"
        ),
    )
    events: list[EventType] = Field(
        min_length=1, max_length=20, description="The event types to deliver"
    )
    description: MultilineStr = Field(default="", max_length=500)
    active: StrictBool = True


class WebhookUpdate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"events": ["outreach.replied", "outreach.opted_out"]},
                {"active": False},
            ]
        },
    )

    url: str | None = Field(
        default=None,
        max_length=2000,
        pattern=HTTP_URL,
        description="A new URL, checked as at creation",
    )
    events: list[EventType] | None = Field(default=None, min_length=1, max_length=20)
    description: MultilineStr | None = Field(default=None, max_length=500)
    active: StrictBool | None = None


class WebhookRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_SUBSCRIPTION_EXAMPLE]})

    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: WebhookSubscription) -> WebhookRead:
        return cls.model_validate(row, from_attributes=True)


class WebhookCreated(WebhookRead):
    """The new subscription with its signing secret: shown here once and never again."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_SUBSCRIPTION_EXAMPLE,
                    "secret": "whsec_3q2-7Xb1sZkQyJ0vW8mN4tRfLp9aHcEeUdKg5oTiB6Y",
                }
            ]
        }
    )

    secret: str = Field(description="Verify each delivery's signature with it; store it safely")


class WebhookDeliveryRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "subscription_id": 3,
                    "event_id": "5b0c6f1e-8a43-4b8e-9a57-2f1de0c4b7a9",
                    "event_type": "outreach.replied",
                    "status": "pending",
                    "attempts": 2,
                    "next_attempt_at": "2026-11-23T09:31:31Z",
                    "last_status_code": 503,
                    "last_error": "HTTP 503",
                    "last_response": "upstream unavailable",
                    "created_at": _CREATED_AT,
                }
            ]
        }
    )

    id: int
    subscription_id: int
    event_id: str = Field(description="The event's id; the same in every attempt")
    event_type: str
    status: DeliveryStatus
    attempts: int
    # Defaults, not only nullable: the OpenAPI document drops nulls from the examples.
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    last_response: str | None = Field(
        default=None, description="The first 1 KB of the last response body"
    )
    delivered_at: datetime | None = None
    created_at: datetime

    @classmethod
    def from_rows(cls, delivery: WebhookDelivery, event: WebhookEvent) -> WebhookDeliveryRead:
        return cls(
            id=delivery.id,
            subscription_id=delivery.subscription_id,
            event_id=event.event_id,
            event_type=event.type,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            last_response=delivery.last_response,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
        )


class WebhookEventRead(BaseModel):
    """An event as its deliveries carry it (``id`` is the event id receivers de-duplicate
    by)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "5b0c6f1e-8a43-4b8e-9a57-2f1de0c4b7a9",
                    "type": "outreach.replied",
                    "created_at": _CREATED_AT,
                    "organization_id": 1,
                    "data": {
                        "entry_id": 12,
                        "campaign_id": 7,
                        "creator_id": 42,
                        "replied_at": _CREATED_AT,
                    },
                }
            ]
        }
    )

    id: str
    type: str
    created_at: datetime
    organization_id: int
    data: dict[str, Any]

    @classmethod
    def from_row(cls, row: WebhookEvent) -> WebhookEventRead:
        return cls(
            id=row.event_id,
            type=row.type,
            created_at=row.created_at,
            organization_id=row.organization_id,
            data=row.payload,
        )
