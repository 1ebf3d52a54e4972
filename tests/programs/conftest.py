"""An organisation with a sender profile, a brand and one creator with an e-mail address."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.service import AccountService
from campaigns.service import BrandService
from core.settings import Settings
from creators.record import CreatorRecord
from creators.service import CreatorService
from outreach.service import OutreachService
from storage.database import Database
from tests.factories import creator_record
from tests.outreach.conftest import SENDER


@dataclass
class ProgramWorld:
    org: int
    creator: int
    brand: int


def make_program_world(database: Database, settings: Settings, name: str = "acme") -> ProgramWorld:
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    with database.session() as session:
        org = accounts.create_organization(session, name).id
        creator = CreatorService().create(
            session,
            org,
            CreatorRecord.model_validate(
                creator_record(
                    handle="maya.glow",
                    display_name="Maya",
                    email="maya@creators.example",
                    country="US",
                )
            ),
        )
        brand = BrandService().create(session, org, {"name": "Verdant"})
        OutreachService(settings).set_sender(session, org, SENDER)
        return ProgramWorld(org=org, creator=creator.id, brand=brand.id)


@pytest.fixture
def program_world(database: Database, settings: Settings) -> ProgramWorld:
    return make_program_world(database, settings)
