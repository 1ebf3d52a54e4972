"""Settings in a real browser: a recruiter fills in the organisation's sender profile by its
labels, fixes a bad e-mail address, saves it and sees it again; and the page at a phone's
width."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from outreach.service import OutreachService
from storage.repositories.outreach import OutreachRepository
from tests.browser.conftest import BrowserProblems, LiveServer
from tests.browser.support import sign_in
from tests.outreach.conftest import SENDER
from tests.web_support import WebAccount

ADDRESS = "Acme Inc.\n500 Market Street\nSan Francisco, CA 94105\nUSA"


def test_a_recruiter_sets_the_sender_profile(
    page: Page,
    page_problems: BrowserProblems,
    live_server: LiveServer,
    recruiter: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    sign_in(page, recruiter)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(page.get_by_text("No sender profile yet")).to_be_visible()
    expect(page.get_by_text("E-mails are recorded, not sent (dry run).")).to_be_visible()

    page.get_by_label("Sender name").fill("Rita Alvarez")
    page.get_by_label("Company").fill("Acme Inc.")
    page.get_by_label("From e-mail").fill("rita at acme")
    page.get_by_label("Reply-to e-mail").fill("partners@acme.example")
    page.get_by_label("Postal address").fill(ADDRESS)
    page.get_by_label("Jurisdiction").select_option("CA")
    page_problems.expect(422, "/settings/sender")
    page.get_by_role("button", name="Save the sender profile").click()

    from_email = page.get_by_label("From e-mail")
    expect(from_email).to_have_attribute("aria-invalid", "true")
    expect(from_email).to_have_accessible_description(re.compile("give an e-mail address"))
    expect(from_email).to_have_value("rita at acme")
    expect(page.get_by_label("Postal address")).to_have_value(ADDRESS)
    expect(page.get_by_label("Jurisdiction")).to_have_value("CA")

    from_email.fill("rita@acme.example")
    page.get_by_role("button", name="Save the sender profile").click()
    expect(page.get_by_role("status")).to_have_text("Sender profile saved.")
    expect(page.get_by_text("No sender profile yet")).to_have_count(0)
    expect(page.get_by_label("Sender name")).to_have_value("Rita Alvarez")
    expect(page.get_by_label("From e-mail")).to_have_value("rita@acme.example")
    expect(page.get_by_label("Postal address")).to_have_value(ADDRESS)
    expect(page.get_by_label("Jurisdiction")).to_have_value("CA")
    with live_server.database.session() as session:
        profile = OutreachRepository(session).sender(recruiter.organization_id)
        assert profile is not None
        assert (profile.from_email, profile.postal_address, profile.jurisdiction) == (
            "rita@acme.example",
            ADDRESS,
            "CA",
        )
    shot(page, "settings")


def test_the_settings_page_at_a_phones_width(
    phone_page: Page,
    live_server: LiveServer,
    recruiter: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    with live_server.database.session() as session:
        OutreachService(live_server.settings).set_sender(session, recruiter.organization_id, SENDER)
    sign_in(phone_page, recruiter)
    phone_page.goto("/settings")
    expect(phone_page.get_by_label("Company")).to_have_value(SENDER["company"])
    save = phone_page.get_by_role("button", name="Save the sender profile")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    # nothing wider than the screen: no sideways scrolling
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide"
    shot(phone_page, "settings-phone")
