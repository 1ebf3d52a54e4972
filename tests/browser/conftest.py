"""Browser tests: the real app served by uvicorn on 127.0.0.1, driven by Playwright through
Debian's Chromium (``/usr/bin/chromium``, headless; never ``playwright install``).

Every test gets a ``page`` that fails the test on any console error, failed request or
5xx answer, and a ``shot(name)`` that saves a full-page screenshot for review under
``var/screenshots/`` (``CREATORMATCH_SCREENSHOTS`` overrides the folder). The server's socket
is bound before the server starts, so the first request simply queues: no waiting.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from api.app import create_app
from core.settings import Settings
from matcher.service import MatchService
from storage.database import Database
from tests.live import serve
from tests.web_support import WebAccount, make_user

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(
    os.environ.get(
        "CREATORMATCH_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"
    )
)
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


@dataclass
class LiveServer:
    url: str
    database: Database
    settings: Settings
    matcher: MatchService


@pytest.fixture
def live_server(
    settings: Settings, database: Database, matcher: MatchService
) -> Iterator[LiveServer]:
    """The whole app (API and pages) on a free port of 127.0.0.1."""
    app = create_app(settings, database=database, matcher=matcher)
    with serve(app) as url:
        yield LiveServer(url, database, settings, matcher)


@dataclass
class BrowserProblems:
    """Console errors, failed requests and error answers seen by a page."""

    problems: list[str] = field(default_factory=list)
    # Answers a test provokes on purpose (a form with bad input answers 422): (status, path).
    expected: set[tuple[int, str]] = field(default_factory=set)

    def expect(self, status: int, path: str) -> None:
        self.expected.add((status, path))

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            text = message.text
            # Chromium logs an error status of the page itself as a console error too.
            if any(
                f"status of {status}" in text and path in (message.location or {}).get("url", "")
                for status, path in self.expected
            ):
                return
            self.problems.append(f"console error: {text} at {message.location}")

    def failed(self, request: Request) -> None:
        # ERR_ABORTED is Chromium cancelling a request itself: the page navigated away while
        # the favicon loaded, or a link turned into a download. Not the server failing.
        if request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def response(self, response: Response) -> None:
        path = "/" + response.url.split("/", 3)[-1] if response.url.count("/") >= 3 else "/"
        path = path.split("?")[0]
        if response.status >= 400 and (response.status, path) not in self.expected:
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )


def _new_page(
    browser: Browser, server: LiveServer, viewport: dict[str, int]
) -> tuple[Page, BrowserProblems]:
    context = browser.new_context(base_url=server.url, viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = BrowserProblems()
    page.on("console", problems.console)
    page.on("pageerror", lambda error: problems.problems.append(f"page error: {error}"))
    page.on("requestfailed", problems.failed)
    page.on("response", problems.response)
    # Buttons with data-confirm ask first: the tests say yes.
    page.on("dialog", lambda dialog: dialog.accept())
    return page, problems


@pytest.fixture
def problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A laptop-sized page; the test fails on any console error, failed request or error
    answer it did not expect (``page_problems.expect(422, "/path")``)."""
    page, found = _new_page(browser, live_server, LAPTOP)
    page._creatormatch_problems = found  # type: ignore[attr-defined]
    yield page
    page.context.close()
    assert not found.problems, "\n".join(found.problems)


@pytest.fixture
def page_problems(page: Page) -> BrowserProblems:
    found: BrowserProblems = page._creatormatch_problems  # type: ignore[attr-defined]
    return found


@pytest.fixture
def phone_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """Like ``page``, at a phone's width (390 x 844)."""
    page, found = _new_page(browser, live_server, PHONE)
    yield page
    page.context.close()
    assert not found.problems, "\n".join(found.problems)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def shot(screenshot_dir: Path, request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``shot(page, "search-results")`` saves a full-page PNG named after the page and the
    database backend, and returns its path."""
    backend = (
        request.node.callspec.params.get("database_url", "db")
        if hasattr(request.node, "callspec")
        else "db"
    )

    def take(page: Page, name: str) -> Path:
        path = screenshot_dir / f"{name}-{backend}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def recruiter(live_server: LiveServer) -> WebAccount:
    return make_user(live_server.database, "acme", "rita@acme.example", "recruiter")


@pytest.fixture
def reviewer(live_server: LiveServer) -> WebAccount:
    return make_user(live_server.database, "acme", "rob@acme.example", "reviewer")


@pytest.fixture
def admin(live_server: LiveServer) -> WebAccount:
    return make_user(live_server.database, "acme", "ada@acme.example", "admin")
