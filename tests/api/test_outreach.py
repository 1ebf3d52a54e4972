"""``/v1/outreach`` end to end: sender, drafts through the gate in every format, overrides,
the pipeline, a dry-run sequence, the one-click unsubscribe and tenant isolation."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient

from matcher.service import MatchService
from storage.database import Database
from tests.api.test_matching import build, import_roster
from tests.factories import ApiClient
from tests.matcher.test_service import GAMER, VEGAN_US
from tests.outreach.conftest import SENDER


@pytest.fixture
def campaign(acme: ApiClient, database: Database, matcher: MatchService) -> dict[str, Any]:
    import_roster(
        acme,
        [{**VEGAN_US, "email": "maya@plantglow.example"}, {**GAMER, "email": "frag@x.example"}],
    )
    build(database, matcher, acme.org_id)
    brand = acme.post("/v1/brands", json={"name": "Verdant", "categories": ["skincare"]}).json()
    created = acme.post(
        "/v1/campaigns",
        json={
            "name": "Verdant SPF launch",
            "brand_id": brand["id"],
            "brief": "vegan skincare launch in the US, women 25-34 who care about sustainability",
            "objective": "launch",
            "platforms": ["instagram"],
            "countries": ["US"],
        },
    )
    assert created.status_code == 201, created.text
    creators = {c["handle"]: c["id"] for c in acme.get("/v1/creators").json()["items"]}
    return {**created.json(), "creators": creators}


def put_sender(api: ApiClient) -> None:
    response = api.client.put("/v1/outreach/sender", json=SENDER, headers=api.headers)
    assert response.status_code == 200, response.text


def test_drafts_need_a_sender_profile(acme: ApiClient, campaign: dict[str, Any]) -> None:
    body = {
        "campaign_id": campaign["id"],
        "creator_id": campaign["creators"]["plantglow.maya"],
        "kind": "email_intro",
    }
    response = acme.post("/v1/outreach/drafts", json=body)
    assert response.status_code == 409
    assert "sender profile" in response.json()["detail"]


@pytest.mark.parametrize("kind", ["email_intro", "brief", "contract_ambassador"])
def test_a_matched_creator_gets_each_document_in_every_format(
    acme: ApiClient, campaign: dict[str, Any], kind: str
) -> None:
    put_sender(acme)
    maya = campaign["creators"]["plantglow.maya"]
    created = acme.post(
        "/v1/outreach/drafts",
        json={"campaign_id": campaign["id"], "creator_id": maya, "kind": kind},
    )
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["allowed"] is True, draft["findings"]
    md = acme.get(f"/v1/outreach/drafts/{draft['id']}/export", params={"format": "md"})
    html = acme.get(f"/v1/outreach/drafts/{draft['id']}/export", params={"format": "html"})
    assert md.status_code == html.status_code == 200
    assert "<html" in html.text.lower()
    if kind == "email_intro":
        assert "120 Hudson Street" in md.text and "/u/" in md.text
        # The matcher's reasons make it into the e-mail.
        assert "great fit:\n- fits the brief: relevance" in md.text, md.text
        assert draft["subject"]
        docx = acme.get(f"/v1/outreach/drafts/{draft['id']}/export", params={"format": "docx"})
        assert docx.status_code == 200  # the text part: what the document's format enum allows
        text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
        assert "120 Hudson Street" in text
        return
    assert "Disclosure" in md.text
    docx = acme.get(f"/v1/outreach/drafts/{draft['id']}/export", params={"format": "docx"})
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Disclosure" in text and "#ad" in text


def test_an_override_that_drops_the_disclosure_section_blocks_the_contract(
    acme: ApiClient, campaign: dict[str, Any]
) -> None:
    put_sender(acme)
    source = "# Ambassador agreement\n\n{{ brand_name }} and {{ creator_handle }} agree.\n"
    stored = acme.client.put(
        "/v1/outreach/templates/contract_ambassador.md.j2",
        json={"source": source},
        headers=acme.headers,
    )
    assert stored.status_code == 200, stored.text
    assert stored.json()["gate"]["allowed"] is False
    draft = acme.post(
        "/v1/outreach/drafts",
        json={
            "campaign_id": campaign["id"],
            "creator_id": campaign["creators"]["plantglow.maya"],
            "kind": "contract_ambassador",
        },
    ).json()
    assert draft["allowed"] is False
    assert any("isclosure" in f["message"] for f in draft["findings"])
    refused = acme.get(f"/v1/outreach/drafts/{draft['id']}/export", params={"format": "docx"})
    assert refused.status_code == 409  # the stored draft's state, not the request, is at fault
    assert refused.json()["code"] == "draft_blocked"
    assert "compliance gate" in refused.json()["detail"]
    assert acme.get(f"/v1/outreach/drafts/{draft['id']}/preview").status_code == 200


def test_a_sandbox_escape_in_an_override_is_refused_and_not_stored(acme: ApiClient) -> None:
    source = "Subject: hi\n{{ ''.__class__.__mro__[1].__subclasses__() }}"
    response = acme.client.put(
        "/v1/outreach/templates/email_intro.txt.j2",
        json={"source": source},
        headers=acme.headers,
    )
    assert response.status_code == 422
    assert "subclasses" not in response.text or "unsafe" in response.text.lower()
    listed = acme.get("/v1/outreach/templates").json()["items"]
    assert not any(t["overridden"] for t in listed)


def test_a_deeply_nested_override_preview_is_a_422_naming_the_limit(acme: ApiClient) -> None:
    source = "Subject: hi\n{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"
    for method, path in (
        ("POST", "/v1/outreach/templates/email_intro.txt.j2/preview"),
        ("PUT", "/v1/outreach/templates/email_intro.txt.j2"),
    ):
        response = acme.client.request(method, path, json={"source": source}, headers=acme.headers)
        assert response.status_code == 422, response.text
        assert "nest deeper than 64 levels" in response.json()["detail"]


def test_pipeline_sequence_reply_and_one_click_unsubscribe(
    acme: ApiClient, client: TestClient, campaign: dict[str, Any]
) -> None:
    put_sender(acme)
    cid = campaign["id"]
    added = acme.post(
        f"/v1/campaigns/{cid}/pipeline", json={"creator_ids": list(campaign["creators"].values())}
    )
    assert added.status_code == 201, added.text
    entries = {e["creator_id"]: e for e in added.json()}
    maya = campaign["creators"]["plantglow.maya"]
    assert entries[maya]["stage"] == "prospect" and entries[maya]["reasons"]
    started = acme.post(f"/v1/campaigns/{cid}/sequence/start")
    assert len(started.json()) == 2
    run = acme.post("/v1/outreach/run").json()
    assert (run["dry_run"], run["sent"]) == (2, 0)  # the default is a dry run
    outbox = acme.get("/v1/outreach/outbox").json()["items"]
    assert {m["status"] for m in outbox} == {"dry_run"}

    gamer = campaign["creators"]["fragmaster"]
    replied = acme.patch(
        f"/v1/outreach/pipeline/{entries[gamer]['id']}", json={"stage": "replied", "note": "CRM"}
    )
    assert replied.json()["stage"] == "replied" and replied.json()["next_send_at"] is None

    export = acme.get(
        f"/v1/outreach/drafts/{_email_draft(acme, cid, maya)}/export", params={"format": "md"}
    )
    token = re.search(r"/u/([A-Za-z0-9_-]+)", export.text)
    assert token is not None
    assert client.post(f"/u/{token.group(1)}x").status_code == 422  # tampered
    assert "Unsubscribe" in client.get(f"/u/{token.group(1)}").text
    done = client.post(f"/u/{token.group(1)}")
    assert done.status_code == 200 and "unsubscribed" in done.text
    stages = {
        e["creator_id"]: e["stage"]
        for e in acme.get(f"/v1/campaigns/{cid}/pipeline").json()["items"]
    }
    assert stages[maya] == "opted_out"
    back = acme.patch(f"/v1/outreach/pipeline/{entries[maya]['id']}", json={"stage": "contacted"})
    assert back.status_code == 409


def _email_draft(api: ApiClient, campaign_id: int, creator_id: int) -> int:
    body = {"campaign_id": campaign_id, "creator_id": creator_id, "kind": "email_intro"}
    return int(api.post("/v1/outreach/drafts", json=body).json()["id"])


def test_outreach_is_private_to_the_organisation(
    acme: ApiClient, globex: ApiClient, campaign: dict[str, Any]
) -> None:
    put_sender(acme)
    put_sender(globex)
    maya = campaign["creators"]["plantglow.maya"]
    draft = _email_draft(acme, campaign["id"], maya)
    assert globex.get(f"/v1/outreach/drafts/{draft}").status_code == 404
    assert globex.get(f"/v1/outreach/drafts/{draft}/export").status_code == 404
    body = {"campaign_id": campaign["id"], "creator_id": maya, "kind": "brief"}
    assert globex.post("/v1/outreach/drafts", json=body).status_code == 404
    added = acme.post(f"/v1/campaigns/{campaign['id']}/pipeline", json={"creator_ids": [maya]})
    entry = added.json()[0]["id"]
    assert (
        globex.patch(f"/v1/outreach/pipeline/{entry}", json={"stage": "replied"}).status_code == 404
    )
    assert globex.get("/v1/outreach/outbox").json()["items"] == []
    assert globex.post("/v1/outreach/opt-outs", json={"creator_id": maya}).status_code == 404


def test_matching_a_campaign_leaves_out_contacted_and_opted_out_creators(
    acme: ApiClient, campaign: dict[str, Any]
) -> None:
    put_sender(acme)
    maya = campaign["creators"]["plantglow.maya"]
    body = {"campaign_id": campaign["id"], "filters": {"platforms": []}, "k": 10}
    before = {r["creator_id"] for r in acme.post("/v1/match", json=body).json()["results"]}
    assert maya in before
    acme.post(f"/v1/campaigns/{campaign['id']}/pipeline", json={"creator_ids": [maya]})
    acme.post(f"/v1/campaigns/{campaign['id']}/sequence/start")
    acme.post("/v1/outreach/run")  # the intro goes out (dry run): maya is now contacted
    after = {r["creator_id"] for r in acme.post("/v1/match", json=body).json()["results"]}
    assert maya not in after
    other = acme.post("/v1/campaigns", json={"name": "Autumn", "brief": CAMPAIGN_BRIEF}).json()
    assert maya in {
        r["creator_id"]
        for r in acme.post("/v1/match", json={"campaign_id": other["id"]}).json()["results"]
    }
    acme.post("/v1/outreach/opt-outs", json={"creator_id": maya})
    assert maya not in {
        r["creator_id"]
        for r in acme.post("/v1/match", json={"campaign_id": other["id"]}).json()["results"]
    }


CAMPAIGN_BRIEF = "vegan skincare for women who care about sustainability"
