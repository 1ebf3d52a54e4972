"""Campaigns in a real browser: a recruiter plans a campaign and adds the shortlist to the
pipeline; drafts an intro e-mail, previews, edits and sends it in dry run, and downloads a
brief as DOCX; and the plan and pipeline at a phone's width."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from outreach.service import OutreachService
from tests.api.web.test_campaigns import MAYA_EMAIL, Seed, seed
from tests.browser.conftest import LiveServer
from tests.browser.support import keep, sign_in
from tests.web_support import WebAccount


def _world(live_server: LiveServer, recruiter: WebAccount) -> Seed:
    return seed(live_server.database, live_server.settings, live_server.matcher, account=recruiter)


def _open_campaign(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Verdant SPF launch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verdant SPF launch")


def test_a_recruiter_plans_a_campaign_and_shortlists_the_plan(
    page: Page,
    live_server: LiveServer,
    recruiter: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    _world(live_server, recruiter)
    sign_in(page, recruiter)
    _open_campaign(page)
    tabs = page.get_by_role("navigation", name="Campaign")
    expect(tabs.get_by_role("link", name="Brief")).to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="Plan").click()
    expect(page.get_by_text("No plan yet")).to_be_visible()

    page.get_by_label("Budget (USD)").fill("6000")
    page.get_by_role("button", name="Make a plan").click()
    expect(page.get_by_role("status")).to_have_text("Plan made.")
    expect(
        page.get_by_role("img", name=re.compile("^Tier mix: budget and planned spend"))
    ).to_be_visible()
    shortlist = page.get_by_role("table").filter(has_text="Why chosen")
    rows = shortlist.locator("tbody tr")
    expect(rows.first).to_be_visible()
    chosen = rows.count()
    expect(page.get_by_role("table").filter(has_text="Planned cost")).to_contain_text("micro")
    expect(page.get_by_role("row", name=re.compile("^Conversions"))).to_be_visible()
    keep(shot(page, "campaign-plan"), "campaign-plan")

    page.get_by_role("button", name=f"Add the {chosen} chosen creators to the pipeline").click()
    expect(page.get_by_role("status")).to_have_text(
        f"{chosen} creators from the plan are in the pipeline."
    )
    prospects = page.locator("section.stage").filter(
        has=page.get_by_role("heading", name=re.compile("^Prospect"))
    )
    expect(prospects.locator("li")).to_have_count(chosen)
    keep(shot(page, "campaign-pipeline"), "campaign-pipeline")


def test_a_recruiter_drafts_previews_edits_and_sends_an_intro_in_dry_run(
    page: Page,
    live_server: LiveServer,
    recruiter: WebAccount,
    shot: Callable[[Page, str], Path],
    tmp_path: Path,
) -> None:
    world = _world(live_server, recruiter)
    with live_server.database.session() as session:
        OutreachService(live_server.settings).add_to_pipeline(
            session,
            recruiter.organization_id,
            world.campaign_id,
            {world.creators["plantglow.maya"]: ["Vegan skincare routines your audience trusts"]},
        )
    sign_in(page, recruiter)
    _open_campaign(page)
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Pipeline").click()
    page.get_by_label("Move @plantglow.maya to").select_option("contacted")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_have_text("@plantglow.maya moved to contacted.")
    page.get_by_label("Move @plantglow.maya to").select_option("prospect")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("status")).to_have_text("@plantglow.maya moved to prospect.")

    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Drafts").click()
    page.get_by_label("Creator").select_option(label="@plantglow.maya (prospect)")
    page.get_by_label("Document").select_option(label="Intro e-mail")
    page.get_by_role("button", name="Make draft").click()
    expect(page.get_by_role("status")).to_have_text(
        "Intro e-mail drafted; it passed the compliance gate."
    )
    preview = page.frame_locator("iframe.preview")
    expect(preview.get_by_text("Vegan skincare routines your audience trusts")).to_be_visible()
    expect(preview.get_by_text("120 Hudson Street, Suite 4")).to_be_visible()
    expect(page.locator("pre.post-text")).to_contain_text("Unsubscribe")
    keep(shot(page, "draft-preview"), "draft-preview")

    page.get_by_label("Why this creator fits (one reason a line)").fill(
        "Your refill-routine reel\nA US audience of women 25-34"
    )
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_role("status")).to_have_text(
        "Saved as a new version; it passed the compliance gate."
    )
    expect(preview.get_by_text("Your refill-routine reel")).to_be_visible()

    page.get_by_role("button", name="Send (dry run)").click()
    expect(page.get_by_role("status")).to_contain_text("Sent (dry run): “")
    expect(page.get_by_role("status")).to_contain_text(f"to {MAYA_EMAIL}.")
    outbox = page.get_by_role("table", name="Outbox")
    expect(outbox).to_contain_text("dry run")
    expect(page.get_by_role("button", name="Send (dry run)")).to_have_count(0)

    page.get_by_role("link", name="Drafts", exact=True).first.click()
    page.get_by_label("Creator").select_option(label="@plantglow.maya (contacted)")
    page.get_by_label("Document").select_option(label="Creator brief")
    page.get_by_role("button", name="Make draft").click()
    expect(page.get_by_role("status")).to_contain_text("passed the compliance gate")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download DOCX").click()
    download = download_info.value
    assert re.fullmatch(
        r"verdant-spf-launch-brief-plantglow-maya-v\d+\.docx", download.suggested_filename
    )
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "Verdant SPF launch" in archive.read("word/document.xml").decode()


def test_the_plan_and_pipeline_fit_a_phone(
    phone_page: Page, live_server: LiveServer, recruiter: WebAccount
) -> None:
    world = _world(live_server, recruiter)
    sign_in(phone_page, recruiter)
    phone_page.goto(f"/campaigns/{world.campaign_id}/plan")
    phone_page.get_by_role("button", name="Make a plan").click()
    expect(phone_page.get_by_role("status")).to_have_text("Plan made.")
    expect(phone_page.locator("#tier-mix")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the plan page scrolls sideways ({width}px)"
    phone_page.get_by_role("button", name=re.compile("chosen creators to the pipeline")).click()
    expect(phone_page.locator("section.stage li").first).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the pipeline page scrolls sideways ({width}px)"
