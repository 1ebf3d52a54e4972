"""The search pages: ranked creators with score bars and reasons, filters, the creator
profile with its audience charts, checks and lookalikes, and adding creators to a campaign's
shortlist; against the real matcher, model and database."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from campaigns.service import CampaignService
from creators.formats import ParsedRow
from creators.record import AGE_BANDS, GENDERS, CreatorRecord
from creators.service import CreatorService
from matcher.ranking import MatchHit
from matcher.service import MatchFilters, MatchService, brief_from_request
from models import Creator
from storage.database import Database
from storage.repositories.outreach import OutreachRepository
from tests.factories import creator_record
from tests.matcher.test_service import GAMER, VEGAN_US
from tests.web_support import WebAccount, csrf_of, make_user, sign_in

BRIEF = "vegan skincare for women 25-34 in the US who care about sustainability"


def creator(**fields: Any) -> dict[str, Any]:
    """A roster creator: :func:`creator_record` with its own profile URL and e-mail."""
    handle = fields["handle"]
    return creator_record(
        profile_url=f"https://example.com/{handle}",
        email=f"{handle}@example.com",
        **{"brands_mentioned": [], **fields},
    )


ROSTER: list[dict[str, Any]] = [
    {
        **VEGAN_US,
        "display_name": "Maya | Plant Glow",
        "profile_url": "https://www.instagram.com/plantglow.maya",
        "email": "maya@plantglow.example",
        "recent_posts": [
            {
                "text": "My zero-waste vegan skincare routine #veganskincare #cleanbeauty",
                "posted_at": "2026-10-20T17:00:00Z",
                "likes": 2_300,
                "comments": 95,
            },
            {
                "text": "Refillable serums that are kind to the planet #sustainability",
                "posted_at": "2026-11-02T09:30:00Z",
                "likes": 1_850,
                "comments": 61,
            },
        ],
    },
    {**GAMER, "display_name": "Frag Master", "profile_url": None, "email": "frag@example.com"},
    creator_record(),  # lena.greenkitchen: vegan food, DE
    creator(
        handle="glowdaily.tok",
        display_name="Glow Daily",
        platform="tiktok",
        country="US",
        language="en",
        followers=85_000,
        avg_likes=6_000,
        avg_comments=150,
        bio="Skincare routines in 60 seconds. Cruelty-free and vegan picks only.",
        categories=["skincare", "beauty"],
        recent_posts=[{"text": "3 vegan serums under $20 #skincare #vegan"}],
        audience={
            "age": {"18-24": 0.45, "25-34": 0.4, "35-44": 0.15},
            "gender": {"female": 0.9, "male": 0.1},
            "countries": {"US": 0.75, "GB": 0.1},
        },
        rates={"currency": "USD", "short": 700},
    ),
    creator(
        handle="cleanbeauty.jen",
        display_name="Jen | Clean Beauty",
        platform="instagram",
        country="US",
        language="en",
        followers=150_000,
        avg_likes=90,
        avg_comments=2,
        bio="Clean beauty, vegan skincare and sustainable living.",
        categories=["skincare", "sustainability"],
        recent_posts=[{"text": "Sustainable skincare swaps for 2026 #cleanbeauty"}],
        audience={
            "age": {"18-24": 0.3, "25-34": 0.45, "35-44": 0.25},
            "gender": {"female": 0.8, "male": 0.2},
            "countries": {"US": 0.6, "CA": 0.2},
        },
        rates={"currency": "USD", "post": 2_500},
    ),
    creator(
        handle="techtom",
        display_name="Tech Tom",
        platform="youtube",
        country="GB",
        language="en",
        followers=620_000,
        avg_likes=21_000,
        avg_comments=1_400,
        avg_views=240_000,
        bio="Phone and laptop reviews, honest and in depth.",
        categories=["tech", "reviews"],
        recent_posts=[{"text": "The best budget laptop of the year, tested"}],
        audience={
            "age": {"18-24": 0.35, "25-34": 0.4, "35-44": 0.25},
            "gender": {"female": 0.15, "male": 0.85},
            "countries": {"GB": 0.5, "US": 0.3},
        },
        rates={"currency": "GBP", "video": 6_000},
    ),
    creator(
        handle="runwithrosa",
        display_name="Rosa corre",
        platform="instagram",
        country="ES",
        language="es",
        followers=7_800,
        avg_likes=610,
        avg_comments=40,
        bio="Corredora de maratones, nutricion vegana y entrenamiento.",
        categories=["fitness", "running", "vegan"],
        recent_posts=[{"text": "Desayuno vegano antes de 30 km #running"}],
        audience={
            "age": {"18-24": 0.2, "25-34": 0.5, "35-44": 0.3},
            "gender": {"female": 0.6, "male": 0.4},
            "countries": {"ES": 0.8},
        },
        rates=None,
    ),
    creator(
        handle="zerowaste.zoe",
        display_name="Zoe | Zero Waste",
        platform="tiktok",
        country="CA",
        language="en",
        followers=24_000,
        avg_likes=1_900,
        avg_comments=95,
        bio="Zero-waste living, refill shops and low-impact beauty.",
        categories=["sustainability", "beauty"],
        recent_posts=[{"text": "My refill skincare shelf tour #zerowaste"}],
        audience={
            "age": {"18-24": 0.35, "25-34": 0.45, "35-44": 0.2},
            "gender": {"female": 0.82, "male": 0.18},
            "countries": {"CA": 0.55, "US": 0.3},
        },
        rates={"currency": "USD", "short": 300},
    ),
    creator(
        handle="chef.marco",
        display_name="Chef Marco",
        platform="youtube",
        country="IT",
        language="it",
        followers=210_000,
        avg_likes=9_000,
        avg_comments=600,
        avg_views=90_000,
        bio="Cucina italiana di casa, ricette della nonna.",
        categories=["food", "cooking"],
        recent_posts=[{"text": "Lasagne della domenica"}],
        audience={
            "age": {"25-34": 0.3, "35-44": 0.4, "45-54": 0.3},
            "gender": {"female": 0.55, "male": 0.45},
            "countries": {"IT": 0.85},
        },
        rates={"currency": "EUR", "video": 2_000},
    ),
    creator(
        handle="petsofpaula",
        display_name="Paula and the pack",
        platform="instagram",
        country="US",
        language="en",
        followers=3_400,
        avg_likes=320,
        avg_comments=25,
        bio="Two rescue dogs and a very opinionated cat.",
        categories=["pets"],
        recent_posts=[{"text": "Adoption day anniversary!"}],
        audience={
            "age": {"25-34": 0.4, "35-44": 0.4, "45-54": 0.2},
            "gender": {"female": 0.7, "male": 0.3},
            "countries": {"US": 0.9},
        },
        rates={"currency": "USD", "post": 120},
    ),
    creator(
        handle="mindful.mia",
        display_name="Mindful Mia",
        platform="podcast",
        country="US",
        language="en",
        followers=40_000,
        avg_likes=None,
        avg_comments=None,
        engagement_rate=0.03,
        bio="A weekly podcast on mindful, sustainable and plant-based living.",
        categories=["wellness", "sustainability", "vegan"],
        recent_posts=[{"text": "Episode 112: a vegan pantry on a budget"}],
        audience={
            "age": {"25-34": 0.5, "35-44": 0.35, "45-54": 0.15},
            "gender": {"female": 0.75, "male": 0.25},
            "countries": {"US": 0.7, "CA": 0.1},
        },
        rates={"currency": "USD", "post": 800},
    ),
    creator(
        handle="streetstyle.sam",
        display_name="Sam Street",
        platform="tiktok",
        country="GB",
        language="en",
        followers=1_300_000,
        avg_likes=95_000,
        avg_comments=2_100,
        bio="Street style, sneakers and outfit checks.",
        categories=["fashion"],
        recent_posts=[{"text": "Fit check: thrifted everything"}],
        audience={
            "age": {"13-17": 0.3, "18-24": 0.5, "25-34": 0.2},
            "gender": {"female": 0.45, "male": 0.55},
            "countries": {"GB": 0.5, "US": 0.25},
        },
        rates=None,
    ),
]
CAMPAIGN = {
    "name": "Verdant SPF launch",
    "brief": "vegan sunscreen launch for women 25-34 in the US",
    "platforms": ["instagram"],
}


def load_roster(database: Database, organization_id: int, records: list[dict[str, Any]]) -> None:
    rows = [
        ParsedRow(line=i, record=CreatorRecord.model_validate(r)) for i, r in enumerate(records)
    ]
    with database.session() as session:
        CreatorService().import_rows(session, organization_id, rows)


@dataclass(frozen=True)
class SearchWorld:
    recruiter: WebAccount
    creators: dict[str, int]  # handle -> id, organisation "acme"
    campaign_id: int
    other_creator_id: int  # a creator of organisation "globex"


def build_search_world(database: Database, matcher: MatchService) -> SearchWorld:
    """Organisation "acme" with a recruiter, the indexed :data:`ROSTER` and a campaign; and
    organisation "globex" with one indexed creator of its own."""
    recruiter = make_user(database, "acme", "rita@acme.example", "recruiter")
    other = make_user(database, "globex", "gil@globex.example", "recruiter")
    load_roster(database, recruiter.organization_id, ROSTER)
    load_roster(database, other.organization_id, [{**VEGAN_US, "handle": "globex.maya"}])
    with database.session() as session:
        matcher.build_index(session, recruiter.organization_id)
        matcher.build_index(session, other.organization_id)
        campaign = CampaignService().create(session, recruiter.organization_id, CAMPAIGN)
        campaign_id = campaign.id
        rows = session.execute(
            select(Creator.handle, Creator.id).where(
                Creator.organization_id == recruiter.organization_id
            )
        )
        ids = {handle: creator_id for handle, creator_id in rows.all()}  # noqa: C416
        other_id = session.scalars(
            select(Creator.id).where(Creator.organization_id == other.organization_id)
        ).one()
    return SearchWorld(recruiter, ids, campaign_id, other_id)


@pytest.fixture
def world(client: TestClient, database: Database, matcher: MatchService) -> SearchWorld:
    return build_search_world(database, matcher)


def ranked(
    database: Database, matcher: MatchService, org_id: int, filters: MatchFilters | None = None
) -> list[MatchHit]:
    with database.session() as session:
        page = matcher.match(
            session,
            org_id,
            brief_from_request(BRIEF),
            filters=filters or MatchFilters(),
            k=20,
            build=False,
        )
    return list(page.hits)


def handles_in_order(page: str) -> list[str]:
    return re.findall(r'<a href="/creators/\d+">@([^<]+)</a></h3>', page)


def pipeline(database: Database, org_id: int, campaign_id: int) -> dict[int, str]:
    with database.session() as session:
        entries = OutreachRepository(session).entries(org_id, campaign_id=campaign_id)
        return {e.creator_id: e.stage for e in entries}


def sign_in_reviewer(client: TestClient, database: Database) -> str:
    """Sign a reviewer of "acme" in; returns the session's CSRF token."""
    return sign_in(client, make_user(database, "acme", "rob@acme.example", "reviewer"))


class TestSearch:
    def test_ranks_the_seeded_creators_with_a_bar_per_component_and_the_reasons(
        self, client: TestClient, database: Database, matcher: MatchService, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        response = client.get("/search?" + urlencode({"brief": BRIEF}))
        assert response.status_code == 200, response.text
        hits = ranked(database, matcher, world.recruiter.organization_id)
        assert len(hits) >= 10
        assert handles_in_order(response.text) == [h.creator["handle"] for h in hits]
        page = response.text
        for hit in hits:
            for reason in hit.top_reasons(3):
                assert html.escape(reason) in page
        labels = {
            "niche_fit": "Niche fit",
            "audience_fit": "Audience fit",
            "authenticity": "Authenticity",
        }
        for name, label in labels.items():
            judged = sum(
                1 for h in hits for c in h.components if c.name == name and c.score is not None
            )
            assert judged > 0
            assert page.count(f'aria-label="{label}: ') == judged
        assert page.count('aria-label="Overall score: ') == len(hits)

    def test_an_authenticity_flag_is_shown_with_the_result(
        self, client: TestClient, database: Database, matcher: MatchService, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        hits = ranked(database, matcher, world.recruiter.organization_id)
        flagged = [
            h
            for h in hits
            for c in h.components
            if c.name == "authenticity" and c.details.get("flagged")
        ]
        assert [h.creator["handle"] for h in flagged] == ["cleanbeauty.jen"]
        page = client.get("/search?" + urlencode({"brief": BRIEF})).text
        reasons = next(c for c in flagged[0].components if c.name == "authenticity").reasons
        assert html.escape("authenticity: " + "; ".join(reasons)) in page

    def test_filters_narrow_the_results(
        self, client: TestClient, database: Database, matcher: MatchService, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        everyone = handles_in_order(client.get("/search?" + urlencode({"brief": BRIEF})).text)
        query = [("brief", BRIEF), ("platforms", "tiktok"), ("countries", "us, ca")]
        response = client.get("/search?" + urlencode(query))
        assert response.status_code == 200
        narrowed = handles_in_order(response.text)
        expected = [
            r["handle"]
            for r in ROSTER
            if r["platform"] == "tiktok" and r["country"] in ("US", "CA")
        ]
        assert sorted(narrowed) == sorted(expected)
        assert set(narrowed) < set(everyone)
        # the filters stay set in the form
        assert 'name="platforms" value="tiktok" checked' in response.text
        assert 'value="us, ca"' in response.text

    def test_tier_and_follower_filters(self, client: TestClient, world: SearchWorld) -> None:
        sign_in(client, world.recruiter)
        query = [("brief", BRIEF), ("tiers", "micro"), ("max_followers", "50,000")]
        narrowed = handles_in_order(client.get("/search?" + urlencode(query)).text)
        expected = [
            r["handle"]
            for r in ROSTER
            if 10_000 <= r["followers"] < 100_000 and r["followers"] <= 50_000
        ]
        assert sorted(narrowed) == sorted(expected)

    def test_a_campaign_gives_its_brief_and_platforms(
        self, client: TestClient, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        response = client.get(f"/search?campaign_id={world.campaign_id}")
        assert response.status_code == 200
        assert f">{CAMPAIGN['brief']}</textarea>" in response.text
        found = handles_in_order(response.text)
        instagram = {r["handle"] for r in ROSTER if r["platform"] == "instagram"}
        assert found and set(found) <= instagram
        assert "platforms: instagram" in response.text
        # the shortlist form offers the campaign, already chosen
        assert f'<option value="{world.campaign_id}" selected>{CAMPAIGN["name"]}' in response.text

    def test_without_a_brief_the_page_asks_for_one(
        self, client: TestClient, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        response = client.get("/search")
        assert response.status_code == 200
        assert "Type a brief to start" in response.text
        assert handles_in_order(response.text) == []

    def test_no_results_names_the_filters_to_loosen(
        self, client: TestClient, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        query = [("brief", BRIEF), ("platforms", "twitch"), ("min_followers", "1000000")]
        response = client.get("/search?" + urlencode(query))
        assert response.status_code == 200
        assert "No creators match this search" in response.text
        assert "platforms: twitch" in response.text
        assert "at least 1,000,000 followers" in response.text
        assert 'href="/search?' + html.escape(urlencode({"brief": BRIEF})) in response.text

    def test_bad_filters_are_422_with_the_field_named_and_the_input_kept(
        self, client: TestClient, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        query = [("brief", BRIEF), ("min_followers", "lots"), ("countries", "USA, DE")]
        response = client.get("/search?" + urlencode(query))
        assert response.status_code == 422
        page = response.text
        assert 'id="e-min_followers">&#39;lots&#39; is not a whole number' in page
        assert 'id="e-countries">USA: use two-letter country codes' in page
        assert 'value="lots"' in page and 'value="USA, DE"' in page
        assert f">{BRIEF}</textarea>" in page
        assert handles_in_order(page) == []

    def test_without_an_index_the_page_says_so(
        self, client: TestClient, database: Database
    ) -> None:
        account = make_user(database, "initech", "ian@initech.example", "recruiter")
        load_roster(database, account.organization_id, [GAMER])
        sign_in(client, account)
        response = client.get("/search?" + urlencode({"brief": BRIEF}))
        assert response.status_code == 200
        assert "The creator index is not built yet" in response.text

    def test_a_reviewer_may_not_search(self, client: TestClient, database: Database) -> None:
        sign_in_reviewer(client, database)
        response = client.get("/search?" + urlencode({"brief": BRIEF}))
        assert response.status_code == 403
        assert "recruiter" in response.text


class TestProfile:
    def test_shows_the_record_audience_posts_checks_and_lookalikes(
        self, client: TestClient, database: Database, matcher: MatchService, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        maya = world.creators[VEGAN_US["handle"]]
        response = client.get(f"/creators/{maya}")
        assert response.status_code == 200, response.text
        page = response.text
        assert "<h1>@plantglow.maya" in page
        audience = VEGAN_US["audience"]
        charts = {
            "Age": [(band, audience["age"][band]) for band in AGE_BANDS if band in audience["age"]],
            "Gender": [(g, audience["gender"][g]) for g in GENDERS if g in audience["gender"]],
            "Countries": sorted(audience["countries"].items(), key=lambda item: -item[1]),
        }
        for title, rows in charts.items():
            shares = ", ".join(f"{label} {round(share * 100)}%" for label, share in rows)
            assert f'aria-label="{title}: {shares}"' in page
        for post in ROSTER[0]["recent_posts"]:
            assert html.escape(post["text"]) in page
            assert f'<td class="nowrap">{post["posted_at"][:10]}</td>' in page
        assert html.escape(VEGAN_US["bio"]) in page
        assert "no flags" in page
        assert 'aria-label="Authenticity: ' in page
        with database.session() as session:
            similar = matcher.similar(
                session, world.recruiter.organization_id, maya, filters=MatchFilters(), k=8
            )
        assert similar
        links = re.findall(r'<a href="/creators/(\d+)">@', page)
        assert [int(i) for i in links] == [data["id"] for data, _score, _reasons in similar]

    def test_a_flagged_creator_shows_the_authenticity_warning(
        self, client: TestClient, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        page = client.get(f"/creators/{world.creators['cleanbeauty.jen']}").text
        assert "authenticity: " in page
        assert "engagement" in page and "benchmark" in page
        assert "no flags" not in page

    def test_another_organisations_creator_is_404(
        self, client: TestClient, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        response = client.get(f"/creators/{world.other_creator_id}")
        assert response.status_code == 404
        assert "globex.maya" not in response.text

    def test_a_reviewer_may_not_see_profiles(
        self, client: TestClient, database: Database, world: SearchWorld
    ) -> None:
        sign_in_reviewer(client, database)
        assert client.get(f"/creators/{world.creators['fragmaster']}").status_code == 403


class TestShortlist:
    def test_adds_creators_as_prospects_and_reports_duplicates(
        self, client: TestClient, database: Database, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        search_url = "/search?" + urlencode({"brief": BRIEF})
        csrf = csrf_of(client.get(search_url).text)
        picked = [world.creators["plantglow.maya"], world.creators["glowdaily.tok"]]
        response = client.post(
            "/search/shortlist",
            data={
                "csrf_token": csrf,
                "campaign_id": str(world.campaign_id),
                "creator_ids": [str(i) for i in picked],
                "next": search_url,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == search_url
        landing = client.get(search_url)
        assert "Added 2 creators to the Verdant SPF launch shortlist." in landing.text
        stages = pipeline(database, world.recruiter.organization_id, world.campaign_id)
        assert stages == dict.fromkeys(picked, "prospect")
        again = client.post(
            "/search/shortlist",
            data={
                "csrf_token": csrf,
                "campaign_id": str(world.campaign_id),
                "creator_ids": [str(picked[0]), str(world.creators["zerowaste.zoe"])],
                "next": search_url,
            },
        )
        assert again.status_code == 200
        assert (
            "Added 1 creator to the Verdant SPF launch shortlist. "
            "Already on the Verdant SPF launch shortlist: @plantglow.maya." in again.text
        )
        assert len(pipeline(database, world.recruiter.organization_id, world.campaign_id)) == 3

    def test_an_opted_out_creator_is_reported_and_never_a_prospect(
        self, client: TestClient, database: Database, world: SearchWorld
    ) -> None:
        org = world.recruiter.organization_id
        gamer = world.creators["fragmaster"]
        with database.session() as session:
            client.app.state.outreach.opt_out(session, org, gamer, source="test")  # type: ignore[attr-defined]
        csrf = sign_in(client, world.recruiter)
        profile = client.get(f"/creators/{gamer}")
        assert "opted out of e-mail" in profile.text
        response = client.post(
            "/search/shortlist",
            data={
                "csrf_token": csrf,
                "campaign_id": str(world.campaign_id),
                "creator_ids": str(gamer),
                "next": f"/creators/{gamer}",
            },
        )
        assert response.status_code == 200
        assert "Not contacted: @fragmaster opted out of e-mail" in response.text
        assert "Added" not in response.text
        assert pipeline(database, org, world.campaign_id) == {gamer: "opted_out"}

    def test_without_csrf_token_is_403_and_nothing_is_added(
        self, client: TestClient, database: Database, world: SearchWorld
    ) -> None:
        sign_in(client, world.recruiter)
        response = client.post(
            "/search/shortlist",
            data={
                "campaign_id": str(world.campaign_id),
                "creator_ids": str(world.creators["plantglow.maya"]),
            },
        )
        assert response.status_code == 403
        assert pipeline(database, world.recruiter.organization_id, world.campaign_id) == {}

    def test_nothing_ticked_is_422_on_the_same_search_with_the_campaign_kept(
        self, client: TestClient, database: Database, world: SearchWorld
    ) -> None:
        csrf = sign_in(client, world.recruiter)
        search_url = "/search?" + urlencode({"brief": BRIEF})
        response = client.post(
            "/search/shortlist",
            data={"csrf_token": csrf, "campaign_id": str(world.campaign_id), "next": search_url},
        )
        assert response.status_code == 422
        assert "tick at least one creator to add" in response.text
        assert f'<option value="{world.campaign_id}" selected>' in response.text
        assert len(handles_in_order(response.text)) >= 10  # the results are still there
        assert pipeline(database, world.recruiter.organization_id, world.campaign_id) == {}

    def test_no_campaign_chosen_is_422_with_the_ticked_creators_kept(
        self, client: TestClient, world: SearchWorld
    ) -> None:
        csrf = sign_in(client, world.recruiter)
        search_url = "/search?" + urlencode({"brief": BRIEF})
        maya = world.creators["plantglow.maya"]
        response = client.post(
            "/search/shortlist",
            data={"csrf_token": csrf, "creator_ids": str(maya), "next": search_url},
        )
        assert response.status_code == 422
        assert (
            'id="e-shortlist-campaign">choose the campaign to add the creators to' in response.text
        )
        assert f'name="creator_ids" value="{maya}" checked' in response.text

    def test_another_organisations_creator_is_404_and_nothing_is_added(
        self, client: TestClient, database: Database, world: SearchWorld
    ) -> None:
        csrf = sign_in(client, world.recruiter)
        response = client.post(
            "/search/shortlist",
            data={
                "csrf_token": csrf,
                "campaign_id": str(world.campaign_id),
                "creator_ids": [str(world.creators["plantglow.maya"]), str(world.other_creator_id)],
            },
        )
        assert response.status_code == 404
        assert pipeline(database, world.recruiter.organization_id, world.campaign_id) == {}

    def test_a_reviewer_may_not_shortlist(
        self, client: TestClient, database: Database, world: SearchWorld
    ) -> None:
        csrf = sign_in_reviewer(client, database)
        response = client.post(
            "/search/shortlist",
            data={
                "csrf_token": csrf,
                "campaign_id": str(world.campaign_id),
                "creator_ids": str(world.creators["plantglow.maya"]),
            },
        )
        assert response.status_code == 403
        assert pipeline(database, world.recruiter.organization_id, world.campaign_id) == {}
