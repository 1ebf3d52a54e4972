"""The programs pages: the list and the new-program form, a program's calendar with overdue
deliverables flagged, submitting posts through the disclosure check, the monthly reports,
and who may see and change what."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from creators.record import CreatorRecord
from creators.service import CreatorService
from models import utcnow
from programs.schedule import add_months, local_midnight, zone
from programs.service import ProgramService
from storage.database import Database
from tests.factories import creator_record
from tests.web_support import WebAccount, make_user, sign_in

TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class Seeded:
    recruiter: WebAccount
    reviewer: WebAccount
    outsider: WebAccount
    creator_id: int
    handle: str
    program_id: int


@dataclass(frozen=True)
class Due:
    id: int
    kind: str
    due_on: date
    due_at: datetime
    status: str


def _creator(database: Database, org: int, handle: str, **extra: Any) -> int:
    with database.session() as session:
        record = CreatorRecord.model_validate(creator_record(handle=handle, **extra))
        return CreatorService().create(session, org, record).id


def _program(
    settings: Settings, database: Database, org: int, creator_id: int, **extra: Any
) -> int:
    today = utcnow().date()
    with database.session() as session:
        program = ProgramService(settings).create(
            session,
            org,
            {
                "name": "Lena ambassadors",
                "creator_id": creator_id,
                # Started a month and a half ago: deliverables behind and ahead of today.
                "starts_on": add_months(today, -1) - timedelta(days=15),
                "timezone": TIMEZONE,
                "cadence": [
                    {"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"},
                    {"platform": "instagram", "kind": "story", "count": 1, "per": "week"},
                ],
                "monthly_retainer": "800",
                "per_deliverable": "25",
                "commission_pct": "10",
                "discount_code": "LENA10",
                **extra,
            },
        )
        return program.id


def _deliverables(settings: Settings, database: Database, org: int, program_id: int) -> list[Due]:
    with database.session() as session:
        return [
            Due(d.id, d.kind, d.due_on, d.due_at, d.status)
            for d in ProgramService(settings).deliverables(session, org, program_id)
        ]


@pytest.fixture
def seeded(client: TestClient, settings: Settings, database: Database) -> Seeded:
    recruiter = make_user(database, "acme", "rita@acme.example", "recruiter")
    reviewer = make_user(database, "acme", "rob@acme.example", "reviewer")
    outsider = make_user(database, "globex", "gus@globex.example", "recruiter")
    creator_id = _creator(database, recruiter.organization_id, "lena.greenkitchen")
    program_id = _program(settings, database, recruiter.organization_id, creator_id)
    return Seeded(recruiter, reviewer, outsider, creator_id, "lena.greenkitchen", program_id)


def _cell(html: str, day: date) -> str:
    found = re.search(rf'<td data-date="{day.isoformat()}"[^>]*>(.*?)</td>', html, re.S)
    assert found, f"no calendar cell for {day}"
    return found.group(0)


def _past_and_future(rows: list[Due]) -> tuple[Due, Due]:
    """A deliverable overdue for over a day and one due in over a day (so the page, which
    reads the clock a moment later, agrees)."""
    now = utcnow()
    overdue = next(d for d in rows if d.due_at < now - timedelta(days=1))
    upcoming = next(d for d in rows if d.due_at > now + timedelta(days=1))
    return overdue, upcoming


class TestList:
    def test_the_list_shows_the_program_with_its_overdue_count(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        sign_in(client, seeded.recruiter)
        page = client.get("/programs")
        assert page.status_code == 200
        html = page.text
        assert f'href="/programs/{seeded.program_id}">Lena ambassadors</a>' in html
        assert f"@{seeded.handle}" in html
        rows = _deliverables(
            settings, database, seeded.recruiter.organization_id, seeded.program_id
        )
        now = utcnow()
        overdue = sum(1 for d in rows if d.due_at <= now)
        assert overdue > 0
        assert f"{overdue} overdue" in html
        following = next(d for d in rows if d.due_at > now)
        assert f"{following.due_on}: {following.kind} on instagram" in html
        assert 'action="/programs"' in html  # the new-program form

    def test_a_status_filter_and_the_empty_states(self, client: TestClient, seeded: Seeded) -> None:
        sign_in(client, seeded.recruiter)
        paused = client.get("/programs", params={"status": "paused"}).text
        assert "No paused programs" in paused
        assert "Lena ambassadors" not in paused
        client.cookies.clear()
        sign_in(client, seeded.outsider)
        empty = client.get("/programs").text
        assert "No ambassador programs yet" in empty
        assert "Lena ambassadors" not in empty

    def test_a_new_program_from_the_form(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.recruiter)
        form = {
            "csrf_token": csrf,
            "name": "Spring push",
            "creator_id": str(seeded.creator_id),
            "starts_on": (utcnow().date() + timedelta(days=10)).isoformat(),
            "months": "3",
            "timezone": "Europe/Berlin",
            "cadence_0_platform": "instagram",
            "cadence_0_kind": "reel",
            "cadence_0_count": "2",
            "cadence_0_per": "month",
            "cadence_1_platform": "tiktok",
            "cadence_1_kind": "video",
            "cadence_1_count": "1",
            "cadence_1_per": "week",
            "monthly_retainer": "500",
            "per_deliverable": "0",
            "commission_pct": "5",
            "currency": "EUR",
            "discount_code": "SPRING5",
            "jurisdiction": "EU",
        }
        response = client.post("/programs", data=form, follow_redirects=False)
        assert response.status_code == 303, response.text
        program_id = int(response.headers["location"].rsplit("/", 1)[1])
        with database.session() as session:
            program = ProgramService(settings).get(
                session, seeded.recruiter.organization_id, program_id
            )
            assert (program.name, program.timezone, program.discount_code) == (
                "Spring push",
                "Europe/Berlin",
                "SPRING5",
            )
            assert [c["kind"] for c in program.cadence] == ["reel", "video"]
        rows = _deliverables(settings, database, seeded.recruiter.organization_id, program_id)
        page = client.get(response.headers["location"])
        assert f"created with {len(rows)} deliverables" in page.text
        assert "2 × reel on instagram per month" in page.text
        assert "EUR 500.00 a month" in page.text

    def test_a_creator_by_handle(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.recruiter)
        other = _creator(
            database, seeded.recruiter.organization_id, "mara.moves", platform="tiktok"
        )
        response = client.post(
            "/programs",
            data={
                "csrf_token": csrf,
                "name": "By handle",
                "creator_handle": "@mara.moves",
                "starts_on": "2027-03-01",
                "cadence_0_platform": "tiktok",
                "cadence_0_kind": "video",
                "cadence_0_count": "1",
                "cadence_0_per": "month",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        program_id = int(response.headers["location"].rsplit("/", 1)[1])
        with database.session() as session:
            program = ProgramService(settings).get(
                session, seeded.recruiter.organization_id, program_id
            )
            assert program.creator_id == other

    @pytest.mark.parametrize(
        ("change", "control", "label", "kept"),
        [
            ({"cadence_0_count": "0"}, "cadence_0_count", "Row 1: how many", 'value="0"'),
            ({"timezone": "Mars/Olympus"}, "timezone", "Time zone", 'value="Mars/Olympus"'),
            (
                {"creator_handle": "@nobody.here"},
                "creator_handle",
                "Creator handle",
                'value="@nobody.here"',
            ),
            ({"commission_pct": "120"}, "commission_pct", "Commission %", 'value="120"'),
            ({"starts_on": ""}, "starts_on", "Start date", 'value="Bad input kept"'),
            (
                {"cadence_0_platform": "myspace"},
                "cadence_0_platform",
                "Row 1: platform",
                'value="Bad input kept"',
            ),
        ],
    )
    def test_bad_input_names_the_field_and_keeps_what_was_typed(
        self,
        client: TestClient,
        settings: Settings,
        database: Database,
        seeded: Seeded,
        change: dict[str, str],
        control: str,
        label: str,
        kept: str,
    ) -> None:
        csrf = sign_in(client, seeded.recruiter)
        form = {
            "csrf_token": csrf,
            "name": "Bad input kept",
            "creator_id": str(seeded.creator_id),
            "starts_on": "2027-01-01",
            "timezone": "UTC",
            "cadence_0_platform": "instagram",
            "cadence_0_kind": "feed post",
            "cadence_0_count": "2",
            "cadence_0_per": "month",
            "commission_pct": "10",
            **change,
        }
        response = client.post("/programs", data=form)
        assert response.status_code == 422, response.text
        html = response.text
        assert f'id="e-{control}"' in html, html
        # The summary names the field and links to it; the message sits under the field.
        assert f'<a href="#f-{control}">{label}</a>:' in html
        assert f'id="f-{control}"' in html
        assert kept in html
        with database.session() as session:
            programs = ProgramService(settings).find(session, seeded.recruiter.organization_id)
            assert [p.id for p in programs] == [seeded.program_id]

    def test_a_taken_discount_code_is_an_error_on_that_field(
        self, client: TestClient, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.recruiter)
        response = client.post(
            "/programs",
            data={
                "csrf_token": csrf,
                "name": "Twin",
                "creator_id": str(seeded.creator_id),
                "starts_on": "2027-01-01",
                "cadence_0_platform": "instagram",
                "cadence_0_kind": "post",
                "cadence_0_count": "1",
                "cadence_0_per": "month",
                "discount_code": "LENA10",
            },
        )
        assert response.status_code == 422
        assert re.search(r'id="e-discount_code">already belongs to another program', response.text)


class TestCalendar:
    def test_deliverables_sit_on_their_due_day_and_the_overdue_one_is_flagged(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        sign_in(client, seeded.recruiter)
        rows = _deliverables(
            settings, database, seeded.recruiter.organization_id, seeded.program_id
        )
        overdue, upcoming = _past_and_future(rows)
        page = client.get(
            f"/programs/{seeded.program_id}", params={"month": overdue.due_on.strftime("%Y-%m")}
        )
        assert page.status_code == 200
        html = page.text
        assert '<table class="calendar">' in html
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
            assert f'<span class="sr-only">{day}</span></th>' in html
        cell = _cell(html, overdue.due_on)
        assert 'class="has-overdue"' in cell
        assert re.search(
            rf'class="item overdue" href="/programs/{seeded.program_id}/deliverables/{overdue.id}"',
            cell,
        )
        assert f'{overdue.kind} · </span><span class="item-state">overdue' in cell
        # The same deliverables as a list below the calendar.
        assert (
            f'Submit post<span class="sr-only"> for the {overdue.kind} due {overdue.due_on}' in html
        )
        later = client.get(
            f"/programs/{seeded.program_id}", params={"month": upcoming.due_on.strftime("%Y-%m")}
        ).text
        upcoming_cell = _cell(later, upcoming.due_on)
        assert "overdue" not in upcoming_cell
        assert (
            f'/deliverables/{upcoming.id}"><span class="item-kind">{upcoming.kind}' in upcoming_cell
        )
        # Days without a deliverable are empty.
        empty_day = next(
            d
            for d in (upcoming.due_on - timedelta(days=n) for n in range(1, 7))
            if d.month == upcoming.due_on.month and all(r.due_on != d for r in rows)
        )
        assert "item" not in _cell(later, empty_day)

    def test_the_month_links_and_a_bad_month(self, client: TestClient, seeded: Seeded) -> None:
        sign_in(client, seeded.recruiter)
        html = client.get(f"/programs/{seeded.program_id}").text
        today = utcnow().astimezone(zone(TIMEZONE)).date()  # the program's today
        assert f"?month={add_months(today.replace(day=1), -1).strftime('%Y-%m')}" in html
        assert f"?month={add_months(today.replace(day=1), 1).strftime('%Y-%m')}" in html
        bad = client.get(f"/programs/{seeded.program_id}", params={"month": "2026-13"})
        assert bad.status_code == 422
        assert "month" in bad.text

    def test_pause_and_resume(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.recruiter)
        url = f"/programs/{seeded.program_id}/status"
        paused = client.post(url, data={"csrf_token": csrf, "status": "paused"})
        assert "Program paused." in paused.text
        assert "Resume program" in paused.text
        with database.session() as session:
            program = ProgramService(settings).get(
                session, seeded.recruiter.organization_id, seeded.program_id
            )
            assert program.status == "paused"
        resumed = client.post(url, data={"csrf_token": csrf, "status": "active"})
        assert "Program resumed." in resumed.text


class TestSubmissions:
    def test_a_caption_without_disclosure_is_non_compliant(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.recruiter)
        rows = _deliverables(
            settings, database, seeded.recruiter.organization_id, seeded.program_id
        )
        target, _ = _past_and_future(rows)
        url = f"/programs/{seeded.program_id}/deliverables/{target.id}"
        response = client.post(
            url,
            data={
                "csrf_token": csrf,
                "post_url": "https://www.instagram.com/p/xyz",
                "caption": "Love this serum #skincare @verdant",
                "media": "image",
                "likes": "120",
                "comments": "8",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        with database.session() as session:
            row = ProgramService(settings).deliverable(
                session, seeded.recruiter.organization_id, target.id
            )
            verdict, result = row.compliance_verdict, row.compliance_result
            assert row.metrics == {"likes": 120, "comments": 8}
        assert verdict == "non_compliant"
        assert result is not None
        page = client.get(response.headers["location"]).text
        assert "Disclosure check: non compliant." in page
        assert '<span class="badge non_compliant">non compliant</span>' in page
        for finding in result["findings"]:
            assert finding["code"] in page
        assert result["suggested_fix"] in page
        # On the calendar it is submitted now (late: it was overdue).
        cal = client.get(
            f"/programs/{seeded.program_id}", params={"month": target.due_on.strftime("%Y-%m")}
        ).text
        assert 'class="item submitted"' in _cell(cal, target.due_on)
        assert "submitted late" in _cell(cal, target.due_on)

    def test_a_disclosed_caption_is_compliant_and_bad_metrics_are_refused(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.recruiter)
        rows = _deliverables(
            settings, database, seeded.recruiter.organization_id, seeded.program_id
        )
        _, target = _past_and_future(rows)
        url = f"/programs/{seeded.program_id}/deliverables/{target.id}"
        bad = client.post(
            url,
            data={"csrf_token": csrf, "caption": "#ad Morning SPF @verdant", "likes": "lots"},
        )
        assert bad.status_code == 422
        assert re.search(r'id="e-likes">a whole number', bad.text)
        assert "#ad Morning SPF @verdant</textarea>" in bad.text
        assert (
            _deliverables(settings, database, seeded.recruiter.organization_id, seeded.program_id)[
                rows.index(target)
            ].status
            == "pending"
        )
        good = client.post(
            url,
            data={
                "csrf_token": csrf,
                "caption": "#ad My morning routine with the new Verdant SPF @verdant",
                "submitted_at": (utcnow() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            },
        )
        assert good.status_code == 200
        assert "Disclosure check: compliant." in good.text
        assert '<span class="badge compliant">compliant</span>' in good.text


class TestReports:
    def test_the_report_shows_the_service_figures_and_charts(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        org = seeded.recruiter.organization_id
        service = ProgramService(settings)
        rows = _deliverables(settings, database, org, seeded.program_id)
        first, second = rows[0], rows[1]
        with database.session() as session:
            for due, caption in ((first, "#ad SPF day @verdant"), (second, "SPF day @verdant")):
                service.submit(
                    session,
                    org,
                    due.id,
                    {"caption": caption, "metrics": {"likes": 400, "comments": 25}},
                    now=due.due_at - timedelta(hours=3),
                )
            program = service.get(session, org, seeded.program_id)
            start = local_midnight(program.starts_on, zone(TIMEZONE))
            service.record_conversion(
                session,
                org,
                {
                    "order_id": "A-1",
                    "discount_code": "LENA10",
                    "revenue": Decimal("80.00"),
                    "occurred_at": start + timedelta(days=3),
                },
            )
        service.tick(database, now=utcnow())
        with database.session() as session:
            reports = service.reports(session, org, seeded.program_id)
            figures = reports[0].figures
            month = reports[0].period_start.astimezone(zone(TIMEZONE)).strftime("%Y-%m")
        sign_in(client, seeded.reviewer)  # reviewers may read reports
        listing = client.get(f"/programs/{seeded.program_id}/reports").text
        assert f'href="/programs/{seeded.program_id}/reports/{month}"' in listing
        page = client.get(f"/programs/{seeded.program_id}/reports/{month}")
        assert page.status_code == 200
        html = page.text
        for key in (
            "deliverables_due", "delivered", "delivered_on_time", "delivered_late", "missing",
            "compliance_checked", "compliance_passed", "engagements", "views", "cost",
            "conversions", "revenue", "cost_per_engagement",
        ):  # fmt: skip
            value = "n/a" if figures[key] is None else str(figures[key])
            assert f'id="fig-{key}">{value}</dd>' in html, key
        for key in ("on_time_rate", "compliance_pass_rate", "roi"):
            value = "n/a" if figures[key] is None else f"{Decimal(figures[key]) * 100:.1f}%"
            assert f'id="fig-{key}">{value}</dd>' in html, key
        assert figures["delivered"] == 2 and figures["conversions"] == 1
        assert figures["roi_formula"] in html
        assert html.count("<svg") >= 3  # the share bars and the charts
        assert 'id="chart-deliverables"' in html
        # The page CSP forbids inline styles and scripts: the charts have neither.
        assert "style=" not in html
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']
        csv_download = client.get(f"/programs/{seeded.program_id}/reports.csv")
        assert csv_download.headers["content-type"].startswith("text/csv")
        assert csv_download.text.splitlines()[1].startswith(
            f"1,{reports[0].figures['period_start']}"
        )
        html_download = client.get(f"/programs/{seeded.program_id}/reports.html")
        assert "style-src 'unsafe-inline'" in html_download.headers["content-security-policy"]
        missing = client.get(f"/programs/{seeded.program_id}/reports/1999-01")
        assert missing.status_code == 404

    def test_no_reports_yet_is_an_empty_state(self, client: TestClient, seeded: Seeded) -> None:
        sign_in(client, seeded.recruiter)
        html = client.get(f"/programs/{seeded.program_id}/reports").text
        assert "No monthly report yet" in html


class TestAccess:
    def test_a_reviewer_may_look_but_not_change(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.reviewer)
        page = client.get(f"/programs/{seeded.program_id}")
        assert page.status_code == 200
        assert "Pause program" not in page.text and "Submit post" not in page.text
        assert "New program" not in client.get("/programs").text
        rows = _deliverables(
            settings, database, seeded.recruiter.organization_id, seeded.program_id
        )
        for url, data in (
            (f"/programs/{seeded.program_id}/status", {"status": "paused"}),
            (f"/programs/{seeded.program_id}/renew", {}),
            (f"/programs/{seeded.program_id}/deliverables/{rows[0].id}", {"caption": "#ad x"}),
            ("/programs", {"name": "x"}),
        ):
            response = client.post(url, data={"csrf_token": csrf, **data})
            assert response.status_code == 403, url
        with database.session() as session:
            service = ProgramService(settings)
            org = seeded.recruiter.organization_id
            assert service.get(session, org, seeded.program_id).status == "active"
            assert service.deliverable(session, org, rows[0].id).submitted_at is None
            assert len(service.find(session, org)) == 1

    def test_another_organisations_program_is_not_found(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        csrf = sign_in(client, seeded.outsider)
        rows = _deliverables(
            settings, database, seeded.recruiter.organization_id, seeded.program_id
        )
        base = f"/programs/{seeded.program_id}"
        for url in (
            base,
            f"{base}/deliverables/{rows[0].id}",
            f"{base}/reports",
            f"{base}/reports.csv",
        ):
            assert client.get(url).status_code == 404, url
        response = client.post(f"{base}/status", data={"csrf_token": csrf, "status": "paused"})
        assert response.status_code == 404
        # A deliverable of one program under another program's address is not found either.
        own_creator = _creator(database, seeded.outsider.organization_id, "own.creator")
        own = _program(settings, database, seeded.outsider.organization_id, own_creator)
        assert client.get(f"/programs/{own}/deliverables/{rows[0].id}").status_code == 404
        with database.session() as session:
            assert (
                ProgramService(settings)
                .get(session, seeded.recruiter.organization_id, seeded.program_id)
                .status
                == "active"
            )

    def test_a_post_without_the_csrf_token_is_refused_and_writes_nothing(
        self, client: TestClient, settings: Settings, database: Database, seeded: Seeded
    ) -> None:
        sign_in(client, seeded.recruiter)
        rows = _deliverables(
            settings, database, seeded.recruiter.organization_id, seeded.program_id
        )
        created = client.post(
            "/programs",
            data={
                "name": "No token",
                "creator_id": str(seeded.creator_id),
                "starts_on": "2027-01-01",
                "cadence_0_platform": "instagram",
                "cadence_0_kind": "post",
                "cadence_0_count": "1",
                "cadence_0_per": "month",
            },
        )
        assert created.status_code == 403
        submitted = client.post(
            f"/programs/{seeded.program_id}/deliverables/{rows[0].id}",
            data={"caption": "#ad no token"},
        )
        assert submitted.status_code == 403
        with database.session() as session:
            service = ProgramService(settings)
            org = seeded.recruiter.organization_id
            assert [p.name for p in service.find(session, org)] == ["Lena ambassadors"]
            assert service.deliverable(session, org, rows[0].id).caption is None
