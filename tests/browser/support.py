"""What browser tests share besides fixtures: signing in through the form, and keeping a
screenshot for the docs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Page

from tests.web_support import WebAccount

__all__ = ["keep", "sign_in"]


def sign_in(page: Page, account: WebAccount) -> None:
    """Sign in through the login form; the page ends on the user's landing page."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def keep(path: Path, name: str) -> None:
    """Copy a screenshot to ``docs/screenshots/<name>.png`` when CREATORMATCH_UPDATE_DOCS=1
    (how the README's pictures are refreshed)."""
    if os.environ.get("CREATORMATCH_UPDATE_DOCS") == "1":
        target = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
