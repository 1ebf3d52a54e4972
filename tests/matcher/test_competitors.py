"""The "mentioned a competitor recently" hard filter, against a real database and index."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.settings import Settings
from creators.service import CreatorService
from matcher.scoring import brand_needle, recent_competitor_mentions
from matcher.service import MatchFilters, MatchService, brief_from_request
from storage.database import Database
from tests.factories import creator_record
from tests.matcher.test_service import ids_by_handle, load

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def skincare(handle: str, caption: str, posted_at: str | None) -> dict[str, Any]:
    post: dict[str, Any] = {"text": caption}
    if posted_at is not None:
        post["posted_at"] = posted_at
    return creator_record(
        handle=handle,
        bio="Skincare routines and honest serum reviews",
        categories=["skincare"],
        recent_posts=[{"text": "Morning skincare routine #skincare"}, post],
    )


ROSTER = [
    skincare("recent_mention", "Loving my new Glossier balm #ad", "2026-10-30T10:00:00Z"),
    skincare("shouting", "GLOSSIER haul!! #gifted", "2026-11-19T08:00:00Z"),
    skincare("joined_words", "my #greenbowl lunch and serum", "2026-11-01T08:00:00Z"),
    skincare("old_mention", "Glossier review", "2026-01-05T10:00:00Z"),
    skincare("undated_mention", "Glossier forever", None),
    skincare("lookalike_word", "glossiernot a brand, #glossier_love", "2026-11-19T08:00:00Z"),
    skincare("clean", "SPF that does not pill under makeup", "2026-11-18T08:00:00Z"),
]
BRIEF = "skincare serum routine reviews"


@pytest.fixture
def org(database: Database, settings: Settings, matcher: MatchService) -> int:
    org_id = load(database, settings, "acme", ROSTER)
    with database.session() as session:
        matcher.build_index(session, org_id)
    return org_id


def ranked(database: Database, matcher: MatchService, org: int, filters: MatchFilters) -> list[str]:
    brief = brief_from_request(BRIEF, competitor_brands=["Glossier", "Green Bowl"])
    with database.session() as session:
        page = matcher.match(session, org, brief, filters=filters, k=50, now=NOW)
    return [h.creator["handle"] for h in page.hits]


def test_recent_mentions_are_left_out_and_the_rest_ranked(
    database: Database, matcher: MatchService, org: int
) -> None:
    handles = ranked(database, matcher, org, MatchFilters())
    assert set(handles) == {"old_mention", "undated_mention", "lookalike_word", "clean"}


def test_the_filter_can_be_turned_off_and_the_window_changed(
    database: Database, matcher: MatchService, org: int
) -> None:
    assert len(ranked(database, matcher, org, MatchFilters(exclude_competitor_mentions=False))) == 7
    wide = ranked(database, matcher, org, MatchFilters(competitor_window_days=365))
    assert "old_mention" not in wide
    assert "undated_mention" in wide


def test_a_new_mention_excludes_the_creator_after_sync(
    database: Database, matcher: MatchService, org: int
) -> None:
    assert "clean" in ranked(database, matcher, org, MatchFilters())  # fills the cache
    clean = ids_by_handle(database, org)["clean"]
    with database.session() as session:
        CreatorService().update(
            session,
            org,
            clean,
            {"recent_posts": [{"text": "@glossier sent me this", "posted_at": "2026-11-15"}]},
        )
    with database.session() as session:
        matcher.sync(session, org)
    assert "clean" not in ranked(database, matcher, org, MatchFilters())


@pytest.mark.parametrize(
    ("brand", "needle"),
    [("Glossier", "glossier"), ("Green Bowl", "green"), ("L'Oréal", "oreal"), ("小米", "")],
)
def test_brand_needle(brand: str, needle: str) -> None:
    assert brand_needle(brand) == needle


def test_recent_competitor_mentions_reports_brand_and_time() -> None:
    record = {"recent_posts": [{"text": "New @Glossier drop", "posted_at": "2026-11-01T09:00Z"}]}
    found = recent_competitor_mentions(record, ["Glossier", "Fenty"], NOW)
    assert found == (("Glossier", datetime(2026, 11, 1, 9, tzinfo=UTC)),)
    assert recent_competitor_mentions(record, ["Glossier"], NOW, window_days=7) == ()
