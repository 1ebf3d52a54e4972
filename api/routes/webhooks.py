"""``/v1/webhooks``: subscriptions (the signing secret is shown once, at creation), a test
ping, the delivery log; ``/v1/webhook-deliveries/{id}/redeliver``; ``/v1/webhook-events``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import ReadPrincipal, SessionDep, WritePrincipal
from api.schemas.common import (
    BEFORE,
    AfterCursor,
    BeforeCursor,
    IdPath,
    Page,
    decode_cursor,
    page_of,
)
from api.schemas.webhooks import (
    DeliveryStatus,
    EventType,
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryRead,
    WebhookEventRead,
    WebhookRead,
    WebhookUpdate,
)
from webhooks.service import WebhookService

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
deliveries_router = APIRouter(prefix="/v1/webhook-deliveries", tags=["webhooks"])
events_router = APIRouter(prefix="/v1/webhook-events", tags=["webhooks"])
Limit = Annotated[int, Query(ge=1, le=200)]


def _service(request: Request) -> WebhookService:
    service: WebhookService = request.app.state.webhooks
    return service


@router.post("", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
def create_(
    body: WebhookCreate, request: Request, principal: WritePrincipal, session: SessionDep
) -> WebhookCreated:
    """Subscribe a URL to event types. The response carries the signing secret, the only
    time it is shown: store it to verify the ``Creatormatch-Signature`` header."""
    row = _service(request).create(
        session,
        principal.organization_id,
        url=body.url,
        events=list(body.events),
        description=body.description,
        active=body.active,
    )
    return WebhookCreated(**WebhookRead.from_row(row).model_dump(), secret=row.secret)


@router.get("", response_model=Page[WebhookRead])
def list_(
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    cursor: AfterCursor = None,
    limit: Limit = 50,
) -> Page[WebhookRead]:
    """The organisation's webhook subscriptions, in id order."""
    rows = _service(request).subscriptions(
        session, principal.organization_id, after_id=decode_cursor(cursor), limit=limit + 1
    )
    return page_of(rows, limit, WebhookRead.from_row, lambda s: {"after": s.id})


@router.get("/{webhook_id}", response_model=WebhookRead)
def get_(
    webhook_id: IdPath, request: Request, principal: ReadPrincipal, session: SessionDep
) -> WebhookRead:
    """One subscription (without its secret)."""
    return WebhookRead.from_row(
        _service(request).get(session, principal.organization_id, webhook_id)
    )


@router.patch("/{webhook_id}", response_model=WebhookRead)
def update_(
    webhook_id: IdPath,
    body: WebhookUpdate,
    request: Request,
    principal: WritePrincipal,
    session: SessionDep,
) -> WebhookRead:
    """Change a subscription. Any of the URL, the event types, the description and
    ``active``; pending deliveries go to the new URL, deactivating fails them at their next
    attempt."""
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    row = _service(request).update(session, principal.organization_id, webhook_id, changes)
    return WebhookRead.from_row(row)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_(
    webhook_id: IdPath, request: Request, principal: WritePrincipal, session: SessionDep
) -> Response:
    """Delete a subscription and its delivery log; nothing more is sent to it."""
    _service(request).delete(session, principal.organization_id, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{webhook_id}/test",
    response_model=WebhookDeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
)
def send_test_(
    webhook_id: IdPath, request: Request, principal: WritePrincipal, session: SessionDep
) -> WebhookDeliveryRead:
    """Send a test event to this subscription. A ``webhook.test`` event, whatever events
    the subscription asked for; the scheduler delivers it within a minute (follow it in the
    delivery log)."""
    delivery, event = _service(request).send_test(session, principal.organization_id, webhook_id)
    return WebhookDeliveryRead.from_rows(delivery, event)


@router.get("/{webhook_id}/deliveries", response_model=Page[WebhookDeliveryRead])
def list_deliveries_(
    webhook_id: IdPath,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    cursor: AfterCursor = None,
    limit: Limit = 50,
) -> Page[WebhookDeliveryRead]:
    """The delivery log of a subscription. Oldest first, with the status, the attempts, the
    next attempt, and the last response's status code, error and first 1 KB of body."""
    rows = _service(request).deliveries(
        session,
        principal.organization_id,
        webhook_id,
        status=status_,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    return page_of(
        rows,
        limit,
        lambda row: WebhookDeliveryRead.from_rows(*row),
        lambda row: {"after": row[0].id},
    )


@deliveries_router.post(
    "/{delivery_id}/redeliver",
    response_model=WebhookDeliveryRead,
    status_code=status.HTTP_202_ACCEPTED,
)
def redeliver_(
    delivery_id: IdPath, request: Request, principal: WritePrincipal, session: SessionDep
) -> WebhookDeliveryRead:
    """Send a delivery again. Whatever its status, it becomes pending and due now, with
    the same event id; past 24 hours after the event it is tried once."""
    delivery, event = _service(request).redeliver(session, principal.organization_id, delivery_id)
    return WebhookDeliveryRead.from_rows(delivery, event)


@events_router.get("", response_model=Page[WebhookEventRead])
def list_events_(
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
    type_: Annotated[EventType | None, Query(alias="type")] = None,
    cursor: BeforeCursor = None,
    limit: Limit = 50,
) -> Page[WebhookEventRead]:
    """The organisation's recent events. Newest first, as their deliveries carry them."""
    position = BEFORE.decode(cursor)
    rows = _service(request).events(
        session,
        principal.organization_id,
        type_=type_,
        before_id=position["before"] if position else None,
        limit=limit + 1,
    )
    return page_of(rows, limit, WebhookEventRead.from_row, lambda e: {"before": e.id}, BEFORE)
