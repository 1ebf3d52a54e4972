"""The campaigns pages (TestClient): the list and new-campaign form, the brief, the plan,
the pipeline, drafts (make, preview, edit, send in dry run) and downloads."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from campaigns.service import BrandService, CampaignService
from core.settings import Settings
from creators.record import CreatorRecord
from creators.service import CreatorService
from demo.roster import generate_roster
from matcher.service import MatchService
from models import Brand, Campaign, CampaignPlan, Draft, OutboxMessage, PipelineEntry
from outreach.service import OutreachService
from storage.database import Database
from storage.repositories.plans import PlanRepository
from tests.matcher.test_service import GAMER, VEGAN_US
from tests.outreach.conftest import SENDER
from tests.web_support import WebAccount, make_user, sign_in

MAYA_EMAIL = "maya@plantglow.example"


@dataclass
class Seed:
    account: WebAccount
    campaign_id: int
    brand_id: int
    creators: dict[str, int]


def seed(
    database: Database,
    settings: Settings,
    matcher: MatchService,
    *,
    org: str = "acme",
    account: WebAccount | None = None,
    sender: bool = True,
) -> Seed:
    """A recruiter (unless given), an indexed roster, a brand, a campaign and the sender
    profile, all made through the services."""
    account = account or make_user(database, org, f"rita@{org}.example", "recruiter")
    gamer = {k: v for k, v in GAMER.items() if k != "email"}  # nobody to e-mail
    roster = [
        {**VEGAN_US, "display_name": "Maya Ortiz", "email": MAYA_EMAIL},
        gamer,
        *generate_roster(24, seed=7),
    ]
    with database.session() as session:
        creators = {
            r["handle"]: CreatorService()
            .create(session, account.organization_id, CreatorRecord.model_validate(r))
            .id
            for r in roster
        }
        matcher.build_index(session, account.organization_id)
        brand = BrandService().create(
            session, account.organization_id, {"name": "Verdant", "categories": ["skincare"]}
        )
        campaign = CampaignService().create(
            session,
            account.organization_id,
            {
                "name": "Verdant SPF launch",
                "brand_id": brand.id,
                "brief": "vegan skincare launch in the US, women 25-34 who care about sustainability",
                "objective": "conversions",
                "budget": 6000,
                "platforms": ["instagram"],
                "countries": ["US"],
            },
        )
        if sender:
            OutreachService(settings).set_sender(session, account.organization_id, SENDER)
        return Seed(account, campaign.id, brand.id, creators)


@pytest.fixture
def world(database: Database, settings: Settings, matcher: MatchService) -> Seed:
    return seed(database, settings, matcher)


@pytest.fixture
def csrf(client: TestClient, world: Seed) -> str:
    return sign_in(client, world.account)


def add_to_pipeline(database: Database, settings: Settings, world: Seed, *handles: str) -> None:
    with database.session() as session:
        OutreachService(settings).add_to_pipeline(
            session,
            world.account.organization_id,
            world.campaign_id,
            {world.creators[h]: [f"{h} fits the vegan brief"] for h in handles},
        )


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', html)
    assert found, f"no error shown next to {name}"
    return unescape(found.group(1))


def new_campaign_form(csrf: str, **overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": csrf,
        "name": "Autumn oat milk",
        "brand_id": "",
        "new_brand": "",
        "brief": "oat milk for baristas at home",
        "objective": "awareness",
        "budget": "12000",
        "currency": "USD",
        "platforms": ["instagram", "tiktok"],
        "countries": "US, ca",
        "languages": "en",
        "target_audience.age": "25-34",
        "target_audience.genders": "",
        "target_audience.interests": "coffee",
        "starts_on": "",
        "ends_on": "",
    }
    form.update(overrides)
    return form


def count_rows(database: Database, model: Any) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class TestCampaignList:
    def test_lists_the_campaigns_with_brand_budget_and_pipeline(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya")
        page = client.get("/campaigns")
        assert page.status_code == 200
        text = text_of(page.text)
        assert "Verdant SPF launch" in text and "Verdant" in text
        assert "USD 6,000" in text
        assert "prospect 1" in text
        assert f'href="/campaigns/{world.campaign_id}"' in page.text

    def test_creates_a_campaign_with_a_new_brand(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        response = client.post(
            "/campaigns",
            data=new_campaign_form(csrf, brand_id="new", new_brand="Oatly-ish"),
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        with database.session() as session:
            campaign = session.scalars(
                select(Campaign).where(Campaign.name == "Autumn oat milk")
            ).one()
            brand = session.get(Brand, campaign.brand_id)
            assert brand is not None and brand.name == "Oatly-ish"
            assert campaign.platforms == ["instagram", "tiktok"]
            assert campaign.countries == ["US", "CA"]
            assert campaign.target_audience == {"age": ["25-34"], "interests": ["coffee"]}
            assert str(campaign.budget) == "12000.00"
        assert response.headers["location"] == f"/campaigns/{campaign.id}"
        page = client.get(response.headers["location"])
        assert "Campaign “Autumn oat milk” created." in page.text

    def test_a_bad_budget_is_422_next_to_the_field_and_keeps_what_was_typed(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        before = count_rows(database, Campaign)
        response = client.post("/campaigns", data=new_campaign_form(csrf, budget="-5"))
        assert response.status_code == 422
        assert "an amount from 0" in field_error(response.text, "budget")
        assert 'value="-5"' in response.text and 'value="Autumn oat milk"' in response.text
        assert 'value="tiktok" checked' in response.text
        assert count_rows(database, Campaign) == before

    def test_an_unknown_age_band_names_target_audience_age(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        brands = count_rows(database, Brand)
        response = client.post(
            "/campaigns",
            data=new_campaign_form(
                csrf, brand_id="new", new_brand="Never made", **{"target_audience.age": "twenty"}
            ),
        )
        assert response.status_code == 422
        assert "unknown age band 'twenty'" in field_error(response.text, "target_audience.age")
        assert count_rows(database, Brand) == brands  # the new brand went with the campaign

    def test_a_form_without_the_csrf_token_is_refused_and_writes_nothing(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        before = count_rows(database, Campaign)
        form = new_campaign_form(csrf)
        del form["csrf_token"]
        response = client.post("/campaigns", data=form)
        assert response.status_code == 403
        assert count_rows(database, Campaign) == before

    def test_a_reviewer_may_not_see_campaigns(
        self, client: TestClient, database: Database, world: Seed
    ) -> None:
        reviewer = make_user(database, "acme", "rob@acme.example", "reviewer")
        sign_in(client, reviewer)
        assert client.get("/campaigns").status_code == 403
        assert client.get(f"/campaigns/{world.campaign_id}/plan").status_code == 403


class TestBrief:
    def test_shows_and_saves_the_brief(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        page = client.get(f"/campaigns/{world.campaign_id}")
        assert page.status_code == 200
        assert "women 25-34 who care about sustainability" in page.text
        assert re.search(r'<a href="/campaigns/\d+"\s+aria-current="page">Brief</a>', page.text)
        form = new_campaign_form(
            csrf, name="Verdant SPF relaunch", brand_id=str(world.brand_id), budget=""
        )
        saved = client.post(f"/campaigns/{world.campaign_id}", data=form)
        assert saved.status_code == 200 and "Brief saved." in saved.text
        with database.session() as session:
            campaign = session.get(Campaign, world.campaign_id)
            assert campaign is not None
            assert (campaign.name, campaign.budget, campaign.brand_id) == (
                "Verdant SPF relaunch",
                None,
                world.brand_id,
            )

    def test_ends_before_it_starts_is_422(self, client: TestClient, world: Seed, csrf: str) -> None:
        form = new_campaign_form(csrf, starts_on="2027-03-01", ends_on="2027-01-01")
        response = client.post(f"/campaigns/{world.campaign_id}", data=form)
        assert response.status_code == 422
        assert "ends_on is before starts_on" in response.text
        assert 'value="2027-03-01"' in response.text

    def test_another_organisations_campaign_is_404(
        self,
        client: TestClient,
        database: Database,
        settings: Settings,
        matcher: MatchService,
        world: Seed,
    ) -> None:
        other = seed(database, settings, matcher, org="globex")
        sign_in(client, world.account)
        for path in ("", "/plan", "/pipeline", "/drafts"):
            assert client.get(f"/campaigns/{other.campaign_id}{path}").status_code == 404
        assert client.get(f"/campaigns/{world.campaign_id}").status_code == 200


class TestPlan:
    def test_makes_a_plan_and_shows_its_tiers_totals_and_charts(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        empty = client.get(f"/campaigns/{world.campaign_id}/plan")
        assert "No plan yet" in empty.text
        page = client.post(
            f"/campaigns/{world.campaign_id}/plan",
            data={"csrf_token": csrf, "objective": "conversions", "budget": "6000"},
        )
        assert page.status_code == 200 and "Plan made." in page.text
        with database.session() as session:
            (plan,) = PlanRepository(session).for_campaign(
                world.account.organization_id, world.campaign_id
            )
            result = plan.result
        text = text_of(page.text)
        assert result["chosen"], "the roster affords somebody"
        for chosen in result["chosen"]:
            assert f'href="/creators/{chosen["id"]}">@{chosen["handle"]}' in page.text
        for tier in result["tiers"]:
            assert re.search(rf"{tier['tier']} \d+% USD", text), tier["tier"]
        assert f"Creators {result['totals']['count']}" in text
        assert "Conversions" in text and result["estimates"]["reason"] in text
        assert 'id="tier-mix"' in page.text and 'id="budget-vs-outcome"' in page.text
        assert " style=" not in page.text and "<script>" not in page.text

    def test_a_plan_without_a_budget_names_the_budget(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        client.post(
            f"/campaigns/{world.campaign_id}",
            data=new_campaign_form(csrf, name="No money", budget=""),
        )
        response = client.post(
            f"/campaigns/{world.campaign_id}/plan",
            data={"csrf_token": csrf, "objective": "conversions", "budget": ""},
        )
        assert response.status_code == 422
        assert "no budget" in field_error(response.text, "budget")
        assert count_rows(database, CampaignPlan) == 0

    def test_adds_the_chosen_creators_to_the_pipeline(
        self, client: TestClient, database: Database, world: Seed, csrf: str
    ) -> None:
        client.post(f"/campaigns/{world.campaign_id}/plan", data={"csrf_token": csrf})
        with database.session() as session:
            (plan,) = PlanRepository(session).for_campaign(
                world.account.organization_id, world.campaign_id
            )
            chosen = {c["id"] for c in plan.result["chosen"]}
            plan_id = plan.id
        page = client.post(
            f"/campaigns/{world.campaign_id}/plan/{plan_id}/shortlist", data={"csrf_token": csrf}
        )
        assert page.status_code == 200
        assert f"{len(chosen)} creators from the plan are in the pipeline." in page.text
        with database.session() as session:
            entries = session.scalars(select(PipelineEntry)).all()
            assert {e.creator_id for e in entries} == chosen
            assert {e.stage for e in entries} == {"prospect"}


class TestPipeline:
    def test_shows_columns_by_stage_and_moves_an_entry(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya", "fragmaster")
        page = client.get(f"/campaigns/{world.campaign_id}/pipeline")
        assert page.status_code == 200
        maya = world.creators["plantglow.maya"]
        assert f'<a href="/creators/{maya}">@plantglow.maya</a>' in page.text
        with database.session() as session:
            entry = session.scalars(
                select(PipelineEntry).where(PipelineEntry.creator_id == maya)
            ).one()
        moved = client.post(
            f"/campaigns/{world.campaign_id}/pipeline/{entry.id}/stage",
            data={"csrf_token": csrf, "stage": "replied"},
        )
        assert moved.status_code == 200
        assert "@plantglow.maya moved to replied." in moved.text
        replied = moved.text.split('id="stage-replied"')[1].split("</section>")[0]
        assert "@plantglow.maya" in replied
        with database.session() as session:
            stored = session.get(PipelineEntry, entry.id)
            assert stored is not None and stored.stage == "replied"

    def test_an_unknown_stage_is_422_and_changes_nothing(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya")
        with database.session() as session:
            entry_id = session.scalars(select(PipelineEntry.id)).one()
        response = client.post(
            f"/campaigns/{world.campaign_id}/pipeline/{entry_id}/stage",
            data={"csrf_token": csrf, "stage": "ghosted"},
        )
        assert response.status_code == 422 and "must be one of" in response.text
        with database.session() as session:
            assert session.get(PipelineEntry, entry_id).stage == "prospect"  # type: ignore[union-attr]

    def test_starts_the_sequence_for_prospects(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya", "fragmaster")
        page = client.post(
            f"/campaigns/{world.campaign_id}/sequence/start", data={"csrf_token": csrf}
        )
        # fragmaster has no e-mail address: only Maya's intro becomes due
        assert "Sequence started for 1 prospects" in page.text
        assert "intro due" in page.text and "sequence stopped: no email" in page.text


def make_draft(client: TestClient, world: Seed, csrf: str, kind: str, handle: str) -> int:
    response = client.post(
        f"/campaigns/{world.campaign_id}/drafts",
        data={"csrf_token": csrf, "creator_id": str(world.creators[handle]), "kind": kind},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/drafts/(\d+)$", response.headers["location"])
    assert found
    return int(found.group(1))


class TestDrafts:
    def test_draft_edit_and_send_in_dry_run(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        assert settings.outreach_dry_run
        add_to_pipeline(database, settings, world, "plantglow.maya")
        draft_id = make_draft(client, world, csrf, "email_intro", "plantglow.maya")
        base = f"/campaigns/{world.campaign_id}/drafts"
        page = client.get(f"{base}/{draft_id}")
        with database.session() as session:
            draft = session.get(Draft, draft_id)
            assert draft is not None and draft.allowed and draft.subject
            subject, markdown = draft.subject, draft.markdown
        assert unescape(subject) in unescape(page.text)
        assert "plantglow.maya fits the vegan brief" in unescape(page.text)
        assert f'<iframe class="preview" sandbox src="{base}/{draft_id}/preview"' in page.text
        preview = client.get(f"{base}/{draft_id}/preview")
        assert "style-src 'unsafe-inline'" in preview.headers["content-security-policy"]
        assert "script-src" not in preview.headers["content-security-policy"]
        assert "120 Hudson Street" in preview.text

        edited = client.post(
            f"{base}/{draft_id}",
            data={"csrf_token": csrf, "reasons": "Your refill routine video\nA US audience"},
            follow_redirects=False,
        )
        assert edited.status_code == 303
        new_id = int(edited.headers["location"].rsplit("/", 1)[1])
        assert new_id != draft_id
        with database.session() as session:
            new = session.get(Draft, new_id)
            assert new is not None and new.allowed
            assert "- Your refill routine video\n- A US audience" in new.markdown
            assert session.get(Draft, draft_id).markdown == markdown  # type: ignore[union-attr]

        sent = client.post(f"{base}/{new_id}/send", data={"csrf_token": csrf})
        assert sent.status_code == 200
        assert f"Sent (dry run): “{subject}” to {MAYA_EMAIL}." in unescape(sent.text)
        with database.session() as session:
            (message,) = session.scalars(select(OutboxMessage)).all()
            new = session.get(Draft, new_id)
            assert new is not None
            assert message.status == "dry_run" and message.to_email == MAYA_EMAIL
            assert message.text_body == new.markdown  # what was previewed went out
            entry = session.scalars(select(PipelineEntry)).one()
            assert entry.stage == "contacted"
        assert "dry run" in text_of(sent.text).split("Outbox")[1]
        again = client.post(f"{base}/{new_id}/send", data={"csrf_token": csrf})
        assert "Not sent: The intro e-mail is already under way" in again.text
        assert count_rows(database, OutboxMessage) == 1

    def test_a_draft_the_gate_blocks_shows_why_and_cannot_be_sent_or_downloaded(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya")
        draft_id = make_draft(client, world, csrf, "email_intro", "plantglow.maya")
        base = f"/campaigns/{world.campaign_id}/drafts"
        page = client.post(
            f"{base}/{draft_id}",
            data={"csrf_token": csrf, "reasons": "Example caption: I love this serum"},
        )
        assert "it was BLOCKED by the compliance gate" in page.text
        assert "NO_DISCLOSURE" in page.text and "no disclosure label" in page.text
        blocked_id = int(str(page.url).rsplit("/", 1)[1])
        assert "/export/" not in page.text
        assert (
            client.get(f"{base}/{blocked_id}/export/html").status_code == 409
        )  # the stored draft refuses it
        refused = client.post(f"{base}/{blocked_id}/send", data={"csrf_token": csrf})
        assert "Not sent: The compliance gate blocked this draft" in refused.text
        assert count_rows(database, OutboxMessage) == 0

    def test_a_draft_for_somebody_outside_the_pipeline_is_422(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya")
        response = client.post(
            f"/campaigns/{world.campaign_id}/drafts",
            data={
                "csrf_token": csrf,
                "creator_id": str(world.creators["fragmaster"]),
                "kind": "brief",
            },
        )
        assert response.status_code == 422
        assert "choose a creator in the pipeline" in field_error(response.text, "creator_id")

    def test_without_a_sender_profile_the_form_says_what_to_set(
        self, client: TestClient, database: Database, settings: Settings, matcher: MatchService
    ) -> None:
        world = seed(database, settings, matcher, org="initech", sender=False)
        csrf = sign_in(client, world.account)
        add_to_pipeline(database, settings, world, "plantglow.maya")
        response = client.post(
            f"/campaigns/{world.campaign_id}/drafts",
            data={
                "csrf_token": csrf,
                "creator_id": str(world.creators["plantglow.maya"]),
                "kind": "email_intro",
            },
        )
        assert response.status_code == 409
        assert "set your organisation's sender profile first" in unescape(response.text)
        assert f'href="/settings?next=/campaigns/{world.campaign_id}/drafts"' in response.text
        assert count_rows(database, Draft) == 0

    def test_a_contract_without_governing_law_is_422_naming_it(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya")
        draft_id = make_draft(client, world, csrf, "contract_sponsored_post", "plantglow.maya")
        before = count_rows(database, Draft)
        response = client.post(
            f"/campaigns/{world.campaign_id}/drafts/{draft_id}",
            data={
                "csrf_token": csrf,
                "creator_party.legal_name": "Maya Plantglow LLC",
                "creator_party.address": "1 Elm St, Austin TX",
                "governing_law": "  ",
                "venue": "the courts of Texas",
            },
        )
        assert response.status_code == 422
        assert "must be non-empty text" in field_error(response.text, "governing_law")
        assert 'value="Maya Plantglow LLC"' in response.text
        assert count_rows(database, Draft) == before

    def test_briefs_and_contracts_download_as_docx_and_html(
        self, client: TestClient, database: Database, settings: Settings, world: Seed, csrf: str
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya")
        base = f"/campaigns/{world.campaign_id}/drafts"
        for kind in ("brief", "contract_gifting"):
            draft_id = make_draft(client, world, csrf, kind, "plantglow.maya")
            page = client.get(f"{base}/{draft_id}")
            assert f'href="{base}/{draft_id}/export/docx"' in page.text
            docx = client.get(f"{base}/{draft_id}/export/docx")
            assert docx.status_code == 200
            slug = kind.replace("_", "-")
            assert docx.headers["content-disposition"] == (
                f'attachment; filename="verdant-spf-launch-{slug}-plantglow-maya-v{draft_id}.docx"'
            )
            with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
                xml = archive.read("word/document.xml").decode()
            assert "Verdant SPF launch" in xml
            html = client.get(f"{base}/{draft_id}/export/html")
            assert html.headers["content-disposition"].endswith(f'-v{draft_id}.html"')
            assert "Verdant SPF launch" in html.text and "<html" in html.text

    def test_another_organisations_draft_is_404(
        self,
        client: TestClient,
        database: Database,
        settings: Settings,
        matcher: MatchService,
        world: Seed,
        csrf: str,
    ) -> None:
        add_to_pipeline(database, settings, world, "plantglow.maya")
        draft_id = make_draft(client, world, csrf, "brief", "plantglow.maya")
        other = seed(database, settings, matcher, org="globex")
        sign_in(client, other.account)
        base = f"/campaigns/{world.campaign_id}/drafts/{draft_id}"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/preview").status_code == 404
        assert client.get(f"{base}/export/docx").status_code == 404
        # a draft of another campaign of one's own organisation is not under this campaign
        own = f"/campaigns/{other.campaign_id}/drafts/{draft_id}"
        assert client.get(own).status_code == 404
