"""Following an ambassador program in a real browser: the list, the calendar with an overdue
deliverable, submitting a post and seeing its disclosure check, the monthly report with
charts; and the calendar at phone width."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from creators.record import CreatorRecord
from creators.service import CreatorService
from models import utcnow
from programs.schedule import add_months, local_midnight, zone
from programs.service import ProgramService
from tests.browser.conftest import BrowserProblems, LiveServer
from tests.browser.support import keep
from tests.factories import creator_record
from tests.web_support import WebAccount

TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class Followed:
    program_id: int
    overdue_id: int
    overdue_on: date
    overdue_kind: str
    report_month: str
    report_cost: str


@pytest.fixture
def followed(live_server: LiveServer, recruiter: WebAccount) -> Followed:
    """A program that started ten weeks ago, with two months reported by the scheduler."""
    service = ProgramService(live_server.settings)
    org = recruiter.organization_id
    now = utcnow()
    with live_server.database.session() as session:
        record = CreatorRecord.model_validate(creator_record(handle="lena.greenkitchen"))
        creator = CreatorService().create(session, org, record)
        program = service.create(
            session,
            org,
            {
                "name": "Lena ambassadors",
                "creator_id": creator.id,
                "starts_on": add_months(now.date(), -2) - timedelta(days=15),
                "timezone": TIMEZONE,
                "cadence": [
                    {"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"},
                    {"platform": "instagram", "kind": "story", "count": 1, "per": "week"},
                ],
                "monthly_retainer": "800",
                "per_deliverable": "25",
                "commission_pct": "10",
                "discount_code": "LENA10",
            },
        )
        rows = service.deliverables(session, org, program.id)
        # Most of the first two months went up on time; one post lacked the disclosure.
        done = [d for d in rows if d.due_at < now - timedelta(days=20)][:-2]
        for n, d in enumerate(done):
            caption = "Loving my SPF @verdant" if n == 2 else "#ad My SPF routine @verdant"
            service.submit(
                session,
                org,
                d.id,
                {"caption": caption, "metrics": {"likes": 300 + 40 * n, "comments": 20 + n}},
                now=d.due_at - timedelta(hours=5),
            )
        for n, days in enumerate((5, 12, 33, 41, 50)):
            service.record_conversion(
                session,
                org,
                {
                    "order_id": f"A-{n}",
                    "discount_code": "LENA10",
                    "revenue": Decimal(180 + 70 * n),
                    "occurred_at": local_midnight(program.starts_on, zone(TIMEZONE))
                    + timedelta(days=days, hours=15),
                },
            )
        # The latest deliverable overdue for over a day (the page reads the clock later).
        overdue = [
            d for d in rows if d.submitted_at is None and d.due_at < now - timedelta(days=1)
        ][-1]
        program_id = program.id
        target = (overdue.id, overdue.due_on, overdue.kind)
    service.tick(live_server.database, now=now)
    with live_server.database.session() as session:
        report = service.reports(session, org, program_id)[-1]
        month = report.period_start.astimezone(zone(TIMEZONE)).strftime("%Y-%m")
        cost = str(report.figures["cost"])
    return Followed(program_id, *target, report_month=month, report_cost=cost)


def _sign_in_to_programs(page: Page, account: WebAccount) -> None:
    page.goto("/login?next=/programs")
    page.get_by_label("E-mail").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/programs$"))


def _open_month(page: Page, day: date) -> None:
    """Step back with the month links to the month of ``day``."""
    heading = page.get_by_role("heading", level=2, name=re.compile("^Deliverables in"))
    wanted = f"Deliverables in {day.strftime('%B %Y')}"
    for _ in range(3):
        if heading.text_content() == wanted:
            return
        page.get_by_role("link", name="‹ Previous month").click()
    expect(heading).to_have_text(wanted)


def test_follow_a_program(
    page: Page,
    recruiter: WebAccount,
    followed: Followed,
    shot: Callable[[Page, str], Path],
) -> None:
    _sign_in_to_programs(page, recruiter)
    row = page.get_by_role("row", name=re.compile("Lena ambassadors"))
    expect(row).to_contain_text("@lena.greenkitchen")
    expect(row).to_contain_text(re.compile(r"\d+ overdue"))
    row.get_by_role("link", name="Lena ambassadors").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lena ambassadors")
    _open_month(page, followed.overdue_on)
    cell = page.locator(f'table.calendar td[data-date="{followed.overdue_on.isoformat()}"]')
    item = cell.locator("a.item.overdue")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("overdue")
    expect(page.get_by_role("columnheader", name="Monday")).to_be_visible()
    keep(shot(page, "program-calendar"), "program-calendar")

    # The list below the calendar has the same deliverable; submit its post from there.
    page.get_by_role(
        "link",
        name=f"Submit post for the {followed.overdue_kind} due {followed.overdue_on.isoformat()}",
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(followed.overdue_on.isoformat())
    page.get_by_label("Post URL").fill("https://www.instagram.com/p/lena-spf")
    page.get_by_label("Caption").fill("Obsessed with this SPF, zero white cast #skincare @verdant")
    page.get_by_label("Likes").fill("380")
    page.get_by_role("button", name="Submit and check").click()
    expect(page.get_by_role("status")).to_have_text(
        "Post submitted. Disclosure check: non compliant."
    )
    check = page.get_by_role("region", name="Disclosure check")
    expect(check).to_contain_text("non compliant")
    expect(check).to_contain_text("NO_DISCLOSURE")
    expect(check.get_by_role("heading", name="Suggested caption")).to_be_visible()
    shot(page, "program-submission")

    page.get_by_role("link", name="Lena ambassadors").click()
    page.get_by_role("link", name="Monthly reports").click()
    page.get_by_role("link", name=re.compile(r"^\w+ \d{4}$")).last.click()
    expect(page).to_have_url(re.compile(rf"/reports/{followed.report_month}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("report: Lena ambassadors")
    expect(page.locator("#fig-cost")).to_have_text(followed.report_cost)
    expect(page.get_by_role("img", name=re.compile("Deliverables per month"))).to_be_visible()
    keep(shot(page, "program-report"), "program-report")


def test_the_calendar_at_phone_width(
    phone_page: Page, recruiter: WebAccount, followed: Followed
) -> None:
    _sign_in_to_programs(phone_page, recruiter)
    phone_page.get_by_role("link", name="Lena ambassadors").click()
    _open_month(phone_page, followed.overdue_on)
    calendar = phone_page.locator("table.calendar")
    expect(calendar).to_be_visible()
    item = calendar.locator(f'td[data-date="{followed.overdue_on.isoformat()}"] a.item.overdue')
    # Narrow cells keep the state in words; the kind is in the list below.
    expect(item).to_have_text(re.compile("overdue"))
    expect(item.locator(".item-kind")).to_be_hidden()
    expect(phone_page.get_by_role("table", name=re.compile("as a list"))).to_be_visible()
    wide = phone_page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right).slice(0, 15)"
    )
    assert phone_page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), wide
    box = calendar.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_create_a_program_fixing_a_mistake(
    page: Page,
    page_problems: BrowserProblems,
    live_server: LiveServer,
    recruiter: WebAccount,
    shot: Callable[[Page, str], Path],
) -> None:
    with live_server.database.session() as session:
        record = CreatorRecord.model_validate(creator_record(handle="mara.moves"))
        creator_id = CreatorService().create(session, recruiter.organization_id, record).id
    page_problems.expect(422, "/programs")
    _sign_in_to_programs(page, recruiter)
    expect(page.get_by_text("No ambassador programs yet")).to_be_visible()
    page.get_by_label("Name").fill("Mara ambassadors")
    page.get_by_label("Creator", exact=True).select_option(str(creator_id))
    page.get_by_label("Start date").fill("2027-01-01")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_label("Row 1: platform").select_option("instagram")
    page.get_by_label("Row 1: kind").fill("feed post")
    page.get_by_label("Row 1: how many").fill("2")
    page.get_by_label("Monthly retainer").fill("900")
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("alert")).to_contain_text("Time zone")
    zone_field = page.get_by_label("Time zone")
    expect(zone_field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-timezone")).to_contain_text("not an IANA time zone")
    expect(page.get_by_label("Name")).to_have_value("Mara ambassadors")
    shot(page, "programs-new-error")
    zone_field.fill("Europe/Berlin")
    page.get_by_role("button", name="Create program").click()
    # Two a month for the default twelve months.
    expect(page.get_by_role("status")).to_contain_text("created with 24 deliverables")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mara ambassadors")
    expect(page.get_by_role("heading", name="Deliverables in January 2027")).to_be_visible()
