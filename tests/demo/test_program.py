"""The demo organisation's ambassador program: made once, on the demo roster, with delivered,
overdue and upcoming deliverables, attributed sales and the reports of the months that
ended, all by the program service's own rules."""

from __future__ import annotations

from datetime import timedelta

from core.settings import Settings
from core.tiers import Tier, tier_for_followers
from demo.load import load_demo
from demo.program import load_demo_program
from models import Creator, utcnow
from programs.schedule import add_months, report_boundaries, zone
from programs.service import ProgramService
from storage.database import Database
from storage.repositories.organizations import OrganizationRepository


def test_the_demo_program_is_made_once_and_has_overdue_work(
    settings: Settings, database: Database
) -> None:
    demo = load_demo(settings, database, org="demo", creators=60, seed=11)
    assert demo.summary.created == 60
    program_id = demo.program_id  # `creatormatch demo` makes the program
    assert program_id is not None
    with database.session() as session:
        organization_id = OrganizationRepository(session).get_by_name_or_raise("demo").id
        assert load_demo_program(session, settings, organization_id) is None
    assert load_demo(settings, database, org="demo", creators=60, seed=11).program_id is None

    service = ProgramService(settings)
    now = utcnow()
    with database.session() as session:
        program = service.get(session, organization_id, program_id)
        assert [p.id for p in service.find(session, organization_id)] == [program_id]
        creator = session.get(Creator, program.creator_id)
        assert creator is not None and not creator.is_virtual
        assert tier_for_followers(creator.followers) is Tier.MICRO
        tz = zone(program.timezone)
        today = now.astimezone(tz).date()
        assert add_months(today, -3) < program.starts_on <= add_months(today, -2)
        rows = service.deliverables(session, organization_id, program_id)
        late = {d.id for d in rows if d.due_at <= now and d.submitted_at is None}
        overdue = {d.id for d in rows if d.status == "overdue"}
        assert overdue, "the calendar needs an overdue deliverable"
        assert overdue == late
        assert any(d.due_at > now for d in rows), "and upcoming ones"
        submitted = [d for d in rows if d.submitted_at is not None]
        verdicts = {d.compliance_verdict for d in submitted}
        assert {"compliant", "non_compliant"} <= verdicts
        assert any(d.on_time and d.compliance_verdict == "compliant" for d in submitted)
        bad = next(d for d in submitted if d.compliance_verdict == "non_compliant")
        assert bad.compliance_result is not None
        assert "NO_DISCLOSURE" in bad.compliance_result["reasons"]
        assert service.conversions(session, organization_id, program_id)
        reports = service.reports(session, organization_id, program_id)
        boundaries = report_boundaries(program.starts_on, program.months, tz)
        ended = [b for b in boundaries[1:] if b <= now]
        assert [r.period_end for r in reports] == ended
        last = reports[-1]
        # Last month's report, with the figures the service computes for that month.
        assert last.period_end <= now < last.period_end + timedelta(days=32)
        assert last.figures == service.figures(session, program, last.period_start, last.period_end)
        assert any(r.figures["conversions"] for r in reports)
        assert program.reports_done == len(reports)

    # The scheduler finds nothing left over for the months already reported.
    summary = service.tick(database, now=now)
    assert summary.reports == 0 and summary.overdue == 0
    with database.session() as session:
        assert len(service.reports(session, organization_id, program_id)) == len(reports)
