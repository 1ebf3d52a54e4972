"""Search in a real browser: a recruiter types a brief, narrows it with a filter, reads the
ranked creators with their score bars, opens a profile with its charts and lookalikes, and
shortlists creators for a campaign; and the results at a phone's width."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from tests.api.web.test_search import BRIEF, CAMPAIGN, ROSTER, build_search_world
from tests.browser.conftest import LiveServer
from tests.browser.support import keep, sign_in


def test_a_recruiter_searches_opens_a_profile_and_shortlists(
    page: Page, live_server: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    world = build_search_world(live_server.database, live_server.matcher)
    sign_in(page, world.recruiter)
    expect(page).to_have_url(re.compile(r"/search$"))
    expect(page.get_by_text("Type a brief to start")).to_be_visible()

    page.get_by_label("Brief", exact=True).fill(BRIEF)
    page.get_by_role("button", name="Search", exact=True).click()
    results = page.locator("li.result")
    expect(results.first).to_be_visible()
    everyone = results.count()

    page.get_by_label("Instagram", exact=True).check()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"platforms=instagram"))
    instagram = [r["handle"] for r in ROSTER if r["platform"] == "instagram"]
    expect(results).to_have_count(len(instagram))
    assert len(instagram) < everyone
    for i in range(results.count()):
        expect(results.nth(i).locator("dl.facts")).to_contain_text("instagram")
    expect(page.get_by_label("Instagram", exact=True)).to_be_checked()
    first = results.first
    expect(
        first.get_by_role("img", name=re.compile(r"^Overall score: \d+ out of 100$"))
    ).to_be_visible()
    expect(
        first.get_by_role("img", name=re.compile(r"^Niche fit: \d+ out of 100$"))
    ).to_be_visible()
    expect(
        first.get_by_role("img", name=re.compile(r"^Audience fit: \d+ out of 100$"))
    ).to_be_visible()
    expect(first.locator("ul.reasons li").first).to_be_visible()
    keep(shot(page, "search-results"), "search-results")

    # shortlist two creators from the results
    page.get_by_label("Shortlist @plantglow.maya").check()
    page.get_by_label("Shortlist @lena.greenkitchen").check()
    page.get_by_label("Campaign shortlist").select_option(label=CAMPAIGN["name"])
    page.get_by_role("button", name="Add ticked creators to shortlist").click()
    expect(page.get_by_role("status")).to_have_text(
        f"Added 2 creators to the {CAMPAIGN['name']} shortlist."
    )
    expect(page).to_have_url(re.compile(r"platforms=instagram"))

    # the profile
    page.get_by_role("link", name="@plantglow.maya").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("@plantglow.maya")
    for chart in ("Age", "Gender", "Countries"):
        expect(page.get_by_role("img", name=re.compile(rf"^{chart}: "))).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile(r"^Authenticity: \d+ out of 100$"))
    ).to_be_visible()
    lookalikes = page.locator("ol.lookalikes li")
    expect(lookalikes.first).to_be_visible()
    keep(shot(page, "creator-profile"), "creator-profile")

    # a lookalike's profile, shortlisted from there; the one already on it is reported
    lookalike = lookalikes.first.get_by_role("link")
    handle = lookalike.inner_text()
    lookalike.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(handle)
    page.get_by_label("Campaign shortlist").select_option(label=CAMPAIGN["name"])
    page.get_by_role("button", name=f"Add {handle} to shortlist").click()
    flash = page.get_by_role("status")
    if handle == "@lena.greenkitchen":
        expect(flash).to_have_text(f"Already on the {CAMPAIGN['name']} shortlist: {handle}.")
    else:
        expect(flash).to_have_text(f"Added 1 creator to the {CAMPAIGN['name']} shortlist.")


def test_results_fit_a_phone(
    phone_page: Page, live_server: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    world = build_search_world(live_server.database, live_server.matcher)
    sign_in(phone_page, world.recruiter)
    phone_page.goto("/search?" + urlencode({"brief": BRIEF}))
    results = phone_page.locator("li.result")
    expect(results.first).to_be_visible()
    expect(
        results.first.get_by_role("img", name=re.compile(r"^Niche fit: \d+ out of 100$"))
    ).to_be_visible()
    expect(phone_page.get_by_label("Shortlist @plantglow.maya")).to_be_visible()
    phone_page.get_by_role("link", name="Jump to the results").click()
    expect(phone_page.get_by_role("heading", name="Results")).to_be_in_viewport()
    wide = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page is {wide}px wider than the phone"
    shot(phone_page, "search-results-phone")
