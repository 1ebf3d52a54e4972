"""``/v1/brands``, ``/v1/campaigns`` and matching by campaign id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.settings import Settings
from matcher.service import MatchService
from storage.database import Database
from tests.api.test_matching import build, import_roster
from tests.factories import ApiClient, add_key, creator_record
from tests.matcher.test_service import GAMER, VEGAN_US

LAST_WEEK = (datetime.now(UTC) - timedelta(days=7)).isoformat()
CAMPAIGN: dict[str, Any] = {
    "name": "Verdant SPF launch",
    "brief": "vegan skincare launch in the US, women 25-34 who care about sustainability",
    "objective": "launch",
    "target_audience": {"age": ["25-34"], "genders": ["female"]},
    "platforms": ["instagram", "twitch"],
    "countries": ["us"],
    "languages": ["EN"],
    "budget": "20000.00",
    "starts_on": "2027-01-10",
    "ends_on": "2027-03-31",
    "competitor_brands": ["Glossier", " "],
    "brand_safety": ["gambling"],
}


def test_brand_crud_and_unique_names(acme: ApiClient) -> None:
    created = acme.post("/v1/brands", json={"name": "Verdant", "competitors": ["Glossier"]})
    assert created.status_code == 201, created.text
    brand = created.json()
    assert acme.post("/v1/brands", json={"name": "Verdant"}).status_code == 409
    patched = acme.patch(f"/v1/brands/{brand['id']}", json={"website": "https://v.example"})
    assert patched.json()["website"] == "https://v.example"
    assert patched.json()["competitors"] == ["Glossier"]
    assert [b["name"] for b in acme.get("/v1/brands").json()["items"]] == ["Verdant"]
    assert acme.delete(f"/v1/brands/{brand['id']}").status_code == 204
    assert acme.get(f"/v1/brands/{brand['id']}").status_code == 404


def test_campaign_crud_normalises_and_pages(acme: ApiClient) -> None:
    brand = acme.post("/v1/brands", json={"name": "Verdant"}).json()
    created = acme.post("/v1/campaigns", json={**CAMPAIGN, "brand_id": brand["id"]})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["countries"], body["languages"]) == (["US"], ["en"])
    assert body["competitor_brands"] == ["Glossier"]
    assert body["budget"] == "20000.00"
    for i in range(3):
        acme.post("/v1/campaigns", json={"name": f"c{i}"})
    first = acme.get("/v1/campaigns", params={"limit": 2}).json()
    rest = acme.get("/v1/campaigns", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    names = [c["name"] for c in first["items"] + rest["items"]]
    assert names == ["Verdant SPF launch", "c0", "c1", "c2"]
    only = acme.get("/v1/campaigns", params={"brand_id": brand["id"]}).json()["items"]
    assert [c["id"] for c in only] == [body["id"]]
    patched = acme.patch(f"/v1/campaigns/{body['id']}", json={"budget": None, "platforms": None})
    assert (patched.json()["budget"], patched.json()["platforms"]) == (None, [])
    assert acme.delete(f"/v1/campaigns/{body['id']}").status_code == 204
    assert acme.get(f"/v1/campaigns/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "objective": "fame"}, "objective"),
        ({"name": "x", "target_audience": {"age": ["20-29"]}}, "target_audience.age"),
        ({"name": "x", "target_audience": {"height": 2}}, "target_audience.height"),
        ({"name": "x", "brand_safety": ["spicy"]}, "brand_safety"),
        ({"name": "x", "currency": "usd"}, "currency"),
        ({"name": "x", "starts_on": "2027-02-01", "ends_on": "2027-01-01"}, "ends_on"),
        ({"name": "x", "brand_id": 999_999}, None),
    ],
)
def test_bad_campaigns_name_the_field(
    acme: ApiClient, body: dict[str, Any], field: str | None
) -> None:
    response = acme.post("/v1/campaigns", json=body)
    if field is None:
        assert response.status_code == 404
        assert "brand 999999" in response.json()["detail"]
        return
    assert response.status_code == 422, response.text
    assert field in response.text
    assert acme.get("/v1/campaigns").json()["items"] == []


def test_campaigns_are_private_to_their_organisation(acme: ApiClient, globex: ApiClient) -> None:
    campaign = acme.post("/v1/campaigns", json=CAMPAIGN).json()
    brand = acme.post("/v1/brands", json={"name": "Verdant"}).json()
    assert globex.get(f"/v1/campaigns/{campaign['id']}").status_code == 404
    assert globex.patch(f"/v1/campaigns/{campaign['id']}", json={"name": "x"}).status_code == 404
    assert globex.delete(f"/v1/brands/{brand['id']}").status_code == 404
    assert globex.get("/v1/campaigns").json()["items"] == []
    response = globex.post("/v1/campaigns", json={"name": "x", "brand_id": brand["id"]})
    assert response.status_code == 404
    assert globex.post("/v1/match", json={"campaign_id": campaign["id"]}).status_code == 404


def test_reading_needs_read_and_writing_needs_write(
    acme: ApiClient, settings: Settings, database: Database
) -> None:
    reader = replace(acme, key=add_key(settings, database, acme.org_id, ["read"]))
    assert reader.get("/v1/campaigns").status_code == 200
    assert reader.post("/v1/campaigns", json={"name": "x"}).status_code == 403


def test_match_by_campaign_uses_its_brief_filters_and_exclusions(
    acme: ApiClient, database: Database, matcher: MatchService
) -> None:
    rival = creator_record(
        handle="glowrival",
        platform="instagram",
        country="US",
        bio="Vegan skincare, cruelty-free glow and sustainable beauty",
        categories=["skincare", "vegan"],
        recent_posts=[{"text": "My Glossier vegan glow routine", "posted_at": LAST_WEEK}],
    )
    tiktok = creator_record(
        handle="veganglow.tt",
        platform="tiktok",
        bio="Vegan skincare routines",
        categories=["skincare", "vegan"],
    )
    import_roster(acme, [VEGAN_US, GAMER, rival, tiktok])
    build(database, matcher, acme.org_id)
    brand = acme.post("/v1/brands", json={"name": "Verdant", "competitors": ["Glossier"]}).json()
    gamer_id = next(
        c["id"] for c in acme.get("/v1/creators").json()["items"] if c["handle"] == "fragmaster"
    )
    campaign = acme.post(
        "/v1/campaigns",
        json={
            "name": "Verdant SPF",
            "brand_id": brand["id"],
            "brief": CAMPAIGN["brief"],
            "objective": "trusted_reviews",
            "platforms": ["instagram", "twitch"],
            "excluded_creator_ids": [gamer_id],
        },
    ).json()
    response = acme.post("/v1/match", json={"campaign_id": campaign["id"], "k": 10})
    assert response.status_code == 200, response.text
    body = response.json()
    # veganglow.tt: not on a campaign platform; fragmaster: excluded by the campaign;
    # glowrival: posted about the brand's competitor last week.
    assert [r["handle"] for r in body["results"]] == ["plantglow.maya"]
    assert body["objective"] == "trusted_reviews"
    assert body["applied_filters"]["platforms"] == ["instagram", "twitch"]
    assert body["applied_filters"]["competitor_mentions_excluded"]["brands"] == ["Glossier"]
    # The request's own fields override the campaign's.
    override = acme.post(
        "/v1/match",
        json={
            "campaign_id": campaign["id"],
            "objective": "awareness",
            "filters": {"platforms": ["tiktok"]},
        },
    ).json()
    assert override["objective"] == "awareness"
    assert [r["handle"] for r in override["results"]] == ["veganglow.tt"]


def test_match_needs_a_brief_or_a_campaign(acme: ApiClient) -> None:
    response = acme.post("/v1/match", json={"k": 3})
    assert response.status_code == 422
    assert "brief or a campaign_id" in response.text
