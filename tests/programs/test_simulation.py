"""A 12-month ambassador program simulated end to end with a frozen clock: the creator posts
on time, late or not at all, some captions lack the disclosure, sales come in by discount
code, and the scheduler ticks once a day (twice on some days, not at all for a week). Every
reminder goes out exactly once, overdue flags and the renewal notice appear when due, and
the twelve monthly reports carry the numbers computed here independently."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.settings import Settings
from models import Deliverable, ProgramNotice, ProgramReport
from programs.service import ProgramService
from storage.database import Database
from tests.programs.conftest import ProgramWorld

TZ = ZoneInfo("America/New_York")
START = date(2027, 1, 1)
CADENCE = [
    {"platform": "instagram", "kind": "feed post", "count": 2, "per": "month"},
    {"platform": "instagram", "kind": "story", "count": 4, "per": "month"},
    {"platform": "youtube", "kind": "video", "count": 1, "per": "quarter"},
]
GOOD = "#ad My morning routine with the new Verdant SPF @verdant"
BAD = "Loving my morning routine with this SPF #skincare @verdant"
# Videos say it on camera too; the checker cannot watch them, so a video is at best
# "needs review" (VIDEO_NOT_SHOWN) and never counts as a compliance pass.
TRANSCRIPT = "This video is sponsored by Verdant. Here is my morning routine."


def month_bounds(i: int) -> tuple[datetime, datetime]:
    """Program month i (0-based) as UTC instants, computed here from first principles."""
    y, m = divmod(i, 12)
    start = datetime(2027 + y, m + 1, 1, tzinfo=TZ)
    y2, m2 = divmod(i + 1, 12)
    end = datetime(2027 + y2, m2 + 1, 1, tzinfo=TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass
class Plan:
    """What the creator does with deliverable ``sequence``."""

    fate: str  # on_time | late | never
    caption: str


def plan_for(sequence: int) -> Plan:
    if sequence % 11 == 0:
        return Plan("never", GOOD)
    if sequence % 7 == 0:
        return Plan("late", GOOD)
    return Plan("on_time", BAD if sequence % 9 == 0 else GOOD)


def metrics_for(sequence: int) -> dict[str, int]:
    return {"likes": 100 + sequence, "comments": 10, "shares": 2, "saves": 3, "views": 2000}


@pytest.fixture
def program(program_world: ProgramWorld, database: Database, settings: Settings) -> int:
    with database.session() as session:
        created = ProgramService(settings).create(
            session,
            program_world.org,
            {
                "creator_id": program_world.creator,
                "brand_id": program_world.brand,
                "name": "Verdant ambassadors 2027",
                "starts_on": START,
                "months": 12,
                "timezone": "America/New_York",
                "cadence": CADENCE,
                "monthly_retainer": "1500",
                "per_deliverable": "100",
                "commission_pct": "10",
                "discount_code": "MAYA10",
                "reminder_days": 3,
            },
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
        return created.id


def test_a_twelve_month_program_end_to_end(
    program: int, program_world: ProgramWorld, database: Database, settings: Settings
) -> None:
    service = ProgramService(settings)
    org = program_world.org
    with database.session() as session:
        deliverables = {
            d.sequence: (d.id, d.due_on, d.due_at, d.platform)
            for d in service.deliverables(session, org, program)
        }
    assert len(deliverables) == 12 * 2 + 12 * 4 + 4  # the cadence, for a year
    # Sales: five $40 orders on the 15th of every month.
    with database.session() as session:
        for i in range(12):
            start, _end = month_bounds(i)
            for n in range(5):
                service.record_conversion(
                    session,
                    org,
                    {
                        "discount_code": "MAYA10",
                        "order_id": f"order-{i}-{n}",
                        "revenue": "40.00",
                        "occurred_at": start + timedelta(days=14, hours=n),
                    },
                )

    def posted_at(sequence: int) -> datetime | None:
        plan = plan_for(sequence)
        if plan.fate == "never":
            return None
        due_on = deliverables[sequence][1]
        local_day = due_on if plan.fate == "on_time" else due_on + timedelta(days=2)
        return datetime.combine(local_day, time(12, 0), tzinfo=TZ).astimezone(UTC)

    def submit_due(now: datetime) -> None:
        for sequence, (did, _due_on, _due_at, platform) in deliverables.items():
            plan = plan_for(sequence)
            at = posted_at(sequence)
            if at is not None and now - timedelta(days=1) < at <= now:
                with database.session() as session:
                    service.submit(
                        session,
                        org,
                        did,
                        {
                            "post_url": f"https://{platform}.example/p/{sequence}",
                            "caption": plan.caption,
                            "media": "video" if platform == "youtube" else "image",
                            "transcript": TRANSCRIPT if platform == "youtube" else None,
                            "metrics": metrics_for(sequence),
                            "submitted_at": at,
                        },
                        now=at,
                    )

    # The clock: a tick at 15:00 UTC every day from Dec 2026 to Feb 2028 (09:00-11:00 in New
    # York), with a second tick on every 10th day and no tick at all 10-16 May (missed ticks).
    day = datetime(2026, 12, 1, 15, tzinfo=UTC)
    ticks = 0
    while day < datetime(2028, 2, 1, tzinfo=UTC):
        submit_due(day)
        if not (datetime(2027, 5, 10, tzinfo=UTC) <= day < datetime(2027, 5, 17, tzinfo=UTC)):
            summary = service.tick(database, now=day)
            assert summary.errors == []
            ticks += 1
            if day.day % 10 == 0:
                again = service.tick(database, now=day)
                assert again.total == 0, vars(again)  # a repeated tick does nothing
        day += timedelta(days=1)
    assert ticks > 400

    with database.session() as session:
        notices = list(
            session.scalars(select(ProgramNotice).where(ProgramNotice.program_id == program))
        )
        reports = list(
            session.scalars(
                select(ProgramReport)
                .where(ProgramReport.program_id == program)
                .order_by(ProgramReport.month)
            )
        )
        final = {d.sequence: d for d in session.scalars(select(Deliverable))}
    by_event = Counter(n.event for n in notices)

    # Every reminder exactly once, on its day (09:00 local, 3 days before), by e-mail (dry run).
    # A deliverable posted during the missed week before its reminder's catch-up tick needs
    # no reminder any more.
    resumed = datetime(2027, 5, 17, 15, tzinfo=UTC)

    def posted_before_catch_up(seq: int) -> bool:
        _did, due_on, _due_at, _platform = deliverables[seq]
        reminder_day = due_on - timedelta(days=3)
        fate = plan_for(seq).fate
        posted = due_on if fate == "on_time" else due_on + timedelta(days=2)
        return (
            date(2027, 5, 10) <= reminder_day <= date(2027, 5, 16)
            and fate != "never"
            and datetime.combine(posted, time(12), tzinfo=TZ) < resumed
        )

    skipped = {s for s in deliverables if posted_before_catch_up(s)}
    assert skipped, "the missed week should swallow at least one reminder"
    reminders = [n for n in notices if n.event == "program.deliverable_due"]
    reminded = Counter(n.deliverable_id for n in reminders)
    assert sorted(reminded) == sorted(v[0] for s, v in deliverables.items() if s not in skipped)
    assert set(reminded.values()) == {1}
    for n in reminders:
        seq = next(s for s, v in deliverables.items() if v[0] == n.deliverable_id)
        reminder_day = deliverables[seq][1] - timedelta(days=3)
        sent_day = n.created_at.astimezone(TZ).date()
        missed = date(2027, 5, 10) <= reminder_day <= date(2027, 5, 16)
        assert sent_day == (date(2027, 5, 17) if missed else reminder_day), seq
        assert n.email_status == "dry_run" and "due" in (n.email_subject or "")

    # Overdue exactly for the late and the never-delivered ones, the day after the due day.
    overdue = {n.deliverable_id for n in notices if n.event == "program.deliverable_overdue"}
    expected_overdue = {
        deliverables[s][0] for s in deliverables if plan_for(s).fate in ("late", "never")
    }
    assert overdue == expected_overdue
    assert by_event["program.deliverable_overdue"] == len(expected_overdue)
    for seq, d in final.items():
        fate = plan_for(seq).fate
        assert d.status == ("overdue" if fate == "never" else "submitted")
        assert d.on_time is (None if fate == "never" else fate == "on_time")

    # Violations: one per non-compliant caption (they stay as they are: the rechecks find
    # the same caption and do not alert again).
    bad = {
        deliverables[s][0]
        for s in deliverables
        if plan_for(s).caption == BAD and plan_for(s).fate != "never"
    }
    assert {n.deliverable_id for n in notices if n.event == "compliance.violation"} == bad
    assert by_event["compliance.violation"] == len(bad)

    # The renewal notice once, 30 days before the end (1 Jan 2028 in New York).
    (renewal,) = [n for n in notices if n.event == "program.renewal_due"]
    ends = datetime(2028, 1, 1, tzinfo=TZ).astimezone(UTC)
    assert ends - timedelta(days=31) < renewal.created_at <= ends - timedelta(days=29)

    # Twelve monthly reports with the right numbers.
    assert [r.month for r in reports] == list(range(1, 13))
    assert by_event["program.report"] == 12
    for i, report in enumerate(reports):
        start, end = month_bounds(i)
        assert (report.period_start, report.period_end) == (start, end)
        due = [s for s, v in deliverables.items() if start < v[2] <= end]
        # The report is made by the first tick after the month ends (15:00 UTC that day): a
        # post submitted later counts as missing in it.
        made_at = datetime.combine(end.date(), time(15), tzinfo=UTC)
        assert report.created_at == made_at
        delivered = [s for s in due if (posted_at(s) or made_at + timedelta(1)) <= made_at]
        on_time = [s for s in delivered if plan_for(s).fate == "on_time"]
        passed = [
            s for s in delivered if plan_for(s).caption == GOOD and deliverables[s][3] != "youtube"
        ]
        engagements = sum(
            sum(v for k, v in metrics_for(s).items() if k != "views") for s in delivered
        )
        revenue = Decimal("200.00")
        cost = Decimal("1500") + Decimal("100") * len(delivered) + Decimal("0.10") * revenue
        f: dict[str, Any] = report.figures
        assert f["deliverables_due"] == len(due) == (6 + (1 if i % 3 == 2 else 0))
        assert delivered, "every month delivers something: the rates below are defined"
        assert (f["delivered"], f["delivered_on_time"], f["missing"]) == (
            len(delivered),
            len(on_time),
            len(due) - len(delivered),
        )
        assert Decimal(f["compliance_pass_rate"]) == round(Decimal(len(passed)) / len(delivered), 4)
        assert f["engagements"] == engagements
        assert (f["conversions"], Decimal(f["revenue"])) == (5, revenue)
        assert Decimal(f["cost"]) == cost
        assert Decimal(f["cost_per_engagement"]) == round(cost / engagements, 4)
        assert Decimal(f["roi"]) == round((revenue - cost) / cost, 4)
        assert f["roi_formula"] == "ROI = (attributed revenue - cost) / cost"
    with database.session() as session:
        assert service.get(session, org, program).status == "ended"
