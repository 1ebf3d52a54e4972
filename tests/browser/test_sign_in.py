"""Signing in and out in a real browser, at laptop and phone widths."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserProblems
from tests.browser.support import keep, sign_in
from tests.web_support import WebAccount


def test_wrong_password_is_refused_then_the_right_one_lands_on_search(
    page: Page,
    page_problems: BrowserProblems,
    recruiter: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    page_problems.expect(401, "/login")
    page.goto("/search")
    expect(page).to_have_url(re.compile(r"/login\?next=/search$"))
    page.get_by_label("E-mail").fill(recruiter.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    keep(shot(page, "login-error"), "login")
    page.get_by_label("Password").fill(recruiter.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/search$"))
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Campaigns")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def test_a_reviewer_lands_on_compliance_and_sees_no_recruiter_areas(
    phone_page: Page, reviewer: WebAccount
) -> None:
    sign_in(phone_page, reviewer)
    expect(phone_page).to_have_url(re.compile(r"/compliance$"))
    nav = phone_page.get_by_role("navigation", name="Main")
    expect(nav).to_contain_text("Compliance")
    expect(nav).not_to_contain_text("Search")
    expect(nav).not_to_contain_text("Campaigns")


def test_signing_in_works_with_the_keyboard_alone(page: Page, admin: WebAccount) -> None:
    page.goto("/login")
    expect(page.get_by_label("E-mail")).to_be_focused()  # the form is ready to type into
    page.keyboard.type(admin.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(admin.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search$"))
    page.keyboard.press("Tab")  # on every page, the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.goto("/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users of acme")
    expect(page.get_by_role("cell", name=admin.email)).to_be_visible()


def test_an_admin_disables_a_recruiter_and_changes_their_own_password(
    page: Page,
    page_problems: BrowserProblems,
    admin: WebAccount,
    recruiter: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    sign_in(page, admin)
    page.get_by_role("link", name="Users").click()
    page.get_by_role("button", name=f"Disable {recruiter.email}").click()  # confirms
    expect(page.get_by_role("status")).to_contain_text(f"{recruiter.email} is disabled")
    expect(page.get_by_role("button", name=f"Enable {recruiter.email}")).to_be_visible()
    shot(page, "users")
    page.get_by_role("link", name=re.compile(admin.email)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    page_problems.expect(422, "/account/password")
    page.get_by_label("Current password").fill(admin.password)
    page.get_by_label(re.compile(r"^New password\W*$")).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("not the same one")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#e-confirm_password")).to_have_text(
        "the two new passwords are not the same"
    )
    page.get_by_label("Current password").fill(admin.password)
    page.get_by_label(re.compile(r"^New password\W*$")).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    shot(page, "account")
