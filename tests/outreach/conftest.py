"""An organisation with a sender profile, a brand, a campaign and three creators with
e-mail addresses, on a real database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.service import AccountService
from campaigns.service import BrandService, CampaignService
from core.settings import Settings
from creators.record import CreatorRecord
from creators.service import CreatorService
from outreach.service import OutreachService
from storage.database import Database
from tests.factories import creator_record

SENDER: dict[str, Any] = {
    "sender_name": "Maya Chen",
    "company": "Verdant Skin Inc.",
    "from_email": "maya@verdant.example",
    "reply_to": "partners@verdant.example",
    "postal_address": "Verdant Skin Inc.\n120 Hudson Street, Suite 4\nNew York, NY 10013\nUSA",
    "jurisdiction": "US",
}


@dataclass
class World:
    org: int
    campaign: int
    creators: dict[str, int]
    emails: dict[str, str]


def make_world(database: Database, settings: Settings, name: str = "acme") -> World:
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    outreach = OutreachService(settings)
    handles = ["ana.glow", "ben.skin", "cleo.clean"]
    with database.session() as session:
        org = accounts.create_organization(session, name).id
        ids = {}
        for i, handle in enumerate(handles):
            record = creator_record(
                handle=handle,
                display_name=handle.split(".")[0].title(),
                email=f"{handle}@creators.example",
                country="US",
                followers=20_000 + 10_000 * i,
                categories=["skincare", "vegan"],
            )
            ids[handle] = (
                CreatorService().create(session, org, CreatorRecord.model_validate(record)).id
            )
        brand = BrandService().create(session, org, {"name": "Verdant", "categories": ["skincare"]})
        campaign = CampaignService().create(
            session,
            org,
            {
                "name": "Verdant SPF launch",
                "brand_id": brand.id,
                "brief": "vegan SPF for sensitive skin",
                "objective": "launch",
                "platforms": ["instagram"],
                "countries": ["US"],
            },
        )
        outreach.set_sender(session, org, SENDER)
        return World(
            org=org,
            campaign=campaign.id,
            creators=ids,
            emails={h: f"{h}@creators.example" for h in handles},
        )


@pytest.fixture
def world(database: Database, settings: Settings) -> World:
    return make_world(database, settings)
