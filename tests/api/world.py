"""A small organisation with one object of every kind, made through the API: the data that
the authorisation matrix, the property-based run and the generated client work on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from matcher.service import MatchService
from storage.database import Database
from tests.factories import ApiClient, creator_record, jsonl
from tests.matcher.test_service import GAMER, VEGAN_US
from tests.outreach.conftest import SENDER

ROSTER = [
    {**VEGAN_US, "email": "maya@plantglow.example"},
    {**GAMER, "email": "frag@example.com"},
    creator_record(handle="lena.bakes", email="lena@example.com", bio="Sourdough and cakes"),
]
POST = {
    "id": "post-1",
    "caption": "Loving my new serum from @glowlab! Use code GLOW20 #skincare",
    "platform": "instagram",
    "media": "image",
    "material_connection": {"type": "paid", "brand": "GlowLab"},
    "jurisdiction": "US",
}
TEMPLATE = "contract_ambassador.md.j2"


@dataclass
class World:
    """The ids of one organisation's objects, by the path parameter that names them."""

    ids: dict[str, int | str] = field(default_factory=dict)
    creators: dict[str, int] = field(default_factory=dict)


def put(api: ApiClient, url: str, body: dict[str, Any]) -> Any:
    response = api.client.put(url, json=body, headers=api.headers)
    assert response.status_code == 200, response.text
    return response.json()


def made(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def build_world(api: ApiClient, database: Database, matcher: MatchService) -> World:
    """Creators (indexed), a brand, a campaign with a pipeline, a sequence and a sent (dry
    run) e-mail, a draft, a template override, a compliance check, a program with its
    deliverables and a conversion, and a spare API key. ``api`` needs every scope."""
    world = World()
    made(
        api.post(
            "/v1/creators/import",
            content=jsonl(ROSTER),
            headers={"Content-Type": "application/x-ndjson"},
        ),
        200,
    )
    world.creators = {c["handle"]: c["id"] for c in api.get("/v1/creators").json()["items"]}
    with database.session() as session:
        matcher.build_index(session, api.org_id)
    maya = world.creators["plantglow.maya"]
    brand = made(api.post("/v1/brands", json={"name": "Verdant", "categories": ["skincare"]}))
    campaign = made(
        api.post(
            "/v1/campaigns",
            json={
                "name": "Verdant SPF launch",
                "brand_id": brand["id"],
                "brief": "vegan skincare launch in the US, women 25-34",
                "platforms": ["instagram"],
            },
        )
    )
    put(api, "/v1/outreach/sender", SENDER)
    draft = made(
        api.post(
            "/v1/outreach/drafts",
            json={"campaign_id": campaign["id"], "creator_id": maya, "kind": "email_intro"},
        )
    )
    (entry,) = made(
        api.post(f"/v1/campaigns/{campaign['id']}/pipeline", json={"creator_ids": [maya]})
    )
    put(api, f"/v1/campaigns/{campaign['id']}/sequence", {"followup_days": [3, 7]})
    made(api.post(f"/v1/campaigns/{campaign['id']}/sequence/start"), 200)
    made(api.post("/v1/outreach/run"), 200)
    (message,) = api.get("/v1/outreach/outbox").json()["items"]
    put(
        api,
        f"/v1/outreach/templates/{TEMPLATE}",
        {"source": "# Agreement\n\n{{ brand_name }} and {{ creator_handle }} agree.\n"},
    )
    check = made(api.post("/v1/compliance/check", json=POST), 200)
    program = made(
        api.post(
            "/v1/programs",
            json={
                "name": "Verdant ambassadors",
                "creator_id": maya,
                "starts_on": "2027-01-01",
                "cadence": [{"platform": "instagram", "kind": "post", "count": 1, "per": "month"}],
                "discount_code": "MAYA10",
            },
        )
    )
    deliverable = api.get(f"/v1/programs/{program['id']}/deliverables").json()[0]
    made(
        api.post(
            "/v1/conversions",
            json={"discount_code": "MAYA10", "order_id": "A-1", "revenue": "48.00"},
        )
    )
    key = made(api.post("/v1/keys", json={"name": "spare", "scopes": ["read"]}))
    world.ids = {
        "creator_id": maya,
        "brand_id": brand["id"],
        "campaign_id": campaign["id"],
        "draft_id": draft["id"],
        "entry_id": entry["id"],
        "check_id": check["check_id"],
        "program_id": program["id"],
        "deliverable_id": deliverable["id"],
        "key_id": key["id"],
        "name": TEMPLATE,
        "message_id": message["message_id"],
    }
    _webhooks(api, world)
    _plans(api, world)
    return world


def _paths(api: ApiClient) -> Any:
    client: TestClient = api.client
    return client.app.openapi()["paths"]  # type: ignore[attr-defined]


def _webhooks(api: ApiClient, world: World) -> None:
    """A subscription and a delivery, once the app serves the webhook routes."""
    if "/v1/webhooks" not in _paths(api):
        return
    hook = made(
        api.post(
            "/v1/webhooks",
            json={"url": "https://crm.example.com/hooks/cm", "events": ["outreach.replied"]},
        )
    )
    delivery = made(api.post(f"/v1/webhooks/{hook['id']}/test"), 202)
    world.ids.update({"webhook_id": hook["id"], "delivery_id": delivery["id"]})


def _plans(api: ApiClient, world: World) -> None:
    """A stored plan for the campaign, once the app serves the planner's routes."""
    if "/v1/campaigns/{campaign_id}/plan" not in _paths(api):
        return
    plan = made(api.post(f"/v1/campaigns/{world.ids['campaign_id']}/plan", json={"budget": 5000}))
    world.ids["plan_id"] = plan["id"]
