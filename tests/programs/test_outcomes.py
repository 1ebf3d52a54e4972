"""Observations for the planner's learning, from delivered posts and attributed sales."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.settings import Settings
from core.tiers import Tier
from creators.record import CreatorRecord
from creators.service import CreatorService
from planner.learning import Observation, fit_outcome_model
from programs import reports as program_reports
from programs.outcomes import ENGAGEMENT_KEYS, _engagements, observations_for
from programs.service import ProgramService
from storage.database import Database
from tests.factories import creator_record
from tests.programs.conftest import ProgramWorld, make_program_world

NOW = datetime(2027, 1, 20, 12, tzinfo=UTC)
CAPTION = "#ad My morning routine with the new Verdant SPF @verdant"
MAYA_FOLLOWERS = 48_200  # tests.factories.creator_record
MAYA_RATE = round((2100 + 64) / 48_200, 6)  # computed from avg likes and comments


def make_program(
    session: Any, org: int, creator: int, name: str, cadence: list[dict[str, Any]], **fields: Any
) -> list[tuple[int, str]]:
    """A one-month program; returns its deliverables as (id, platform) in sequence order."""
    service = ProgramService.__new__(ProgramService)  # create() needs no settings
    program = service.create(
        session,
        org,
        {
            "creator_id": creator,
            "name": name,
            "starts_on": date(2027, 1, 1),
            "months": 1,
            "cadence": cadence,
            **fields,
        },
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    return [(d.id, d.platform) for d in service.deliverables(session, org, program.id)]


def submit(
    service: ProgramService, session: Any, org: int, deliverable: int, metrics: dict[str, Any]
) -> None:
    service.submit(
        session,
        org,
        deliverable,
        {"post_url": "https://example.com/p", "caption": CAPTION, "metrics": metrics},
        now=NOW,
    )


def add_creator(session: Any, org: int, **overrides: Any) -> int:
    record = CreatorRecord.model_validate(creator_record(**overrides))
    return CreatorService().create(session, org, record).id


class TestObservationsFor:
    @pytest.fixture
    def observations(
        self, program_world: ProgramWorld, database: Database, settings: Settings
    ) -> tuple[ProgramWorld, int, list[Observation]]:
        """Two programs of acme, one of another organisation.

        Maya (instagram, 48,200 followers), tracked by discount code: instagram post 1 with
        1,200 engagements, instagram post 2 submitted without metrics, a TikTok post with
        800 engagements (not her follower count's platform), three sales.
        Tom (tiktok, 150,000 followers, stated 5%), not tracked: one post with 10,000
        engagements, one never delivered.
        """
        service = ProgramService(settings)
        org = program_world.org
        with database.session() as session:
            maya = make_program(
                session,
                org,
                program_world.creator,
                "Maya",
                [
                    {"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"},
                    {"platform": "tiktok", "kind": "video", "count": 1, "per": "month"},
                ],
                discount_code="MAYA10",
            )
            tom_id = add_creator(
                session,
                org,
                platform="tiktok",
                handle="tom.moves",
                profile_url=None,
                recent_posts=[],
                followers=150_000,
                engagement_rate=0.05,
            )
            tom = make_program(
                session,
                org,
                tom_id,
                "Tom",
                [{"platform": "tiktok", "kind": "video", "count": 2, "per": "month"}],
            )
        instagram = [d for d, p in maya if p == "instagram"]
        (tiktok,) = [d for d, p in maya if p == "tiktok"]
        with database.session() as session:
            submit(
                service,
                session,
                org,
                instagram[0],
                {"likes": 1000, "comments": 100, "shares": 50, "saves": 50, "views": 30_000},
            )
            submit(service, session, org, instagram[1], {})
            submit(service, session, org, tiktok, {"likes": 700, "comments": 100, "views": 9000})
            submit(service, session, org, tom[0][0], {"likes": 9000, "comments": 1000})
            for n in range(3):
                service.record_conversion(
                    session,
                    org,
                    {
                        "discount_code": "MAYA10",
                        "order_id": f"o-{n}",
                        "revenue": "25.00",
                        "occurred_at": NOW,
                    },
                )
        # Another organisation's program, with a delivered post and a sale.
        other = make_program_world(database, settings, name="globex")
        with database.session() as session:
            (elsewhere,) = make_program(
                session,
                other.org,
                other.creator,
                "Other",
                [{"platform": "instagram", "kind": "feed post", "count": 1, "per": "month"}],
                discount_code="OTHER",
            )
            submit(service, session, other.org, elsewhere[0], {"likes": 5000})
            service.record_conversion(
                session,
                other.org,
                {"discount_code": "OTHER", "order_id": "x-1", "revenue": "10", "occurred_at": NOW},
            )
        with database.session() as session:
            return program_world, tom_id, observations_for(session, org)

    def test_the_expected_numbers(
        self, observations: tuple[ProgramWorld, int, list[Observation]]
    ) -> None:
        world, tom_id, found = observations
        assert found == [
            Observation(
                followers=MAYA_FOLLOWERS,
                platform="instagram",
                observed_engagement_rate=1200 / MAYA_FOLLOWERS,
                tier=Tier.MICRO,
                engagement_rate=MAYA_RATE,
                # 3 sales / (1,200 instagram + 800 tiktok engagements)
                observed_conversion_rate=3 / 2000,
                creator_id=world.creator,
            ),
            Observation(
                followers=150_000,
                platform="tiktok",
                observed_engagement_rate=10_000 / 150_000,
                tier=Tier.MID,
                engagement_rate=0.05,
                observed_conversion_rate=None,  # no discount code, no UTM tag
                creator_id=tom_id,
            ),
        ]

    def test_a_tracked_program_without_sales_converts_at_zero(
        self, program_world: ProgramWorld, database: Database, settings: Settings
    ) -> None:
        service = ProgramService(settings)
        org = program_world.org
        with database.session() as session:
            (post, _platform), *_ = make_program(
                session,
                org,
                program_world.creator,
                "Maya",
                [{"platform": "instagram", "kind": "feed post", "count": 1, "per": "month"}],
                utm_tag="maya-jan",
            )
            submit(service, session, org, post, {"likes": 482, "saves": 0})
        with database.session() as session:
            (found,) = observations_for(session, org)
        assert found.observed_conversion_rate == 0.0
        assert found.observed_engagement_rate == pytest.approx(0.01)

    def test_nothing_delivered_is_nothing_observed(
        self, program_world: ProgramWorld, database: Database
    ) -> None:
        with database.session() as session:
            make_program(
                session,
                program_world.org,
                program_world.creator,
                "Maya",
                [{"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"}],
                discount_code="MAYA10",
            )
        with database.session() as session:
            assert observations_for(session, program_world.org) == []

    def test_they_feed_the_learner(
        self, observations: tuple[ProgramWorld, int, list[Observation]]
    ) -> None:
        _world, _tom, found = observations
        result = fit_outcome_model(found)
        assert result.model is None
        assert "2 posts, fewer than the 20 needed" in result.reason


def test_the_engagement_keys_are_the_reports() -> None:
    assert ENGAGEMENT_KEYS == program_reports._ENGAGEMENT_KEYS


@pytest.mark.parametrize(
    ("metrics", "expected"),
    [
        ({"likes": 10, "comments": 2, "shares": 1, "saves": 3, "views": 1000}, 16),
        ({"likes": 0}, 0),
        ({"likes": "12", "comments": 3.0}, 15),
        ({"views": 1000, "clicks": 5}, None),
        ({}, None),
        (None, None),
        ({"likes": None}, None),
        ({"likes": -1}, None),
        ({"likes": "many"}, None),
        ({"likes": True}, None),
        ({"likes": [1]}, None),
        ({"likes": float("nan")}, None),
    ],
)
def test_engagements_of_a_post(metrics: dict[str, Any] | None, expected: int | None) -> None:
    assert _engagements(metrics) == expected
