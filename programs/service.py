"""Ambassador programs on the database. :class:`ProgramService` is what the API, the pages
and the command line call. It creates programs (deliverables from the cadence), lists,
pauses and renews them, and hands the rest to the module that does it:

- programs/submissions.py: posts submitted for deliverables (with the compliance check),
  their metrics, and conversions attributed by discount code or UTM tag;
- programs/reports.py: the figures of a period, the monthly reports, their CSV;
- programs/tick.py: :meth:`ProgramService.tick`, which the scheduler runs (reminders,
  overdue flags, renewal notices, monthly reports, re-checks, the notices' e-mails).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.errors import ConflictError, InvalidInputError, NotFoundError
from core.settings import Settings
from creators.record import Platform as CreatorPlatform
from models import Conversion, Deliverable, Program, ProgramNotice, ProgramReport, utcnow
from outreach.mailer import Mailer
from programs.reports import ReportService, money
from programs.schedule import add_months, parse_cadence, plan_deliverables, report_boundaries, zone
from programs.submissions import SubmissionService
from programs.tick import NoFetcher, PostFetcher, TickService, TickSummary
from storage.database import Database
from storage.repositories.campaigns import BrandRepository, CampaignRepository
from storage.repositories.creators import CreatorRepository
from storage.repositories.outreach import OutreachRepository
from storage.repositories.programs import ProgramRepository

__all__ = ["ProgramService"]

RENEWAL_NOTICE_DAYS = 30


class ProgramService:
    def __init__(
        self,
        settings: Settings,
        *,
        mailer: Mailer | None = None,
        fetcher: PostFetcher | None = None,
    ) -> None:
        self.settings = settings
        self.mailer = mailer
        self.fetcher = fetcher or NoFetcher()

    # ------------------------------------------------------- programs and deliverables

    def create(
        self,
        session: Session,
        organization_id: int,
        fields: Mapping[str, Any],
        *,
        now: datetime | None = None,
    ) -> Program:
        """Create a program and generate its deliverables from the cadence."""
        creator = CreatorRepository(session).get(organization_id, fields["creator_id"])
        if creator is None:
            raise NotFoundError(f"creator {fields['creator_id']} not found")
        # The other references must be the organisation's own too: a missing one would fail
        # the foreign key (a 500), another organisation's would leak across tenants.
        lookups: tuple[tuple[str, Callable[[int, int], object | None]], ...] = (
            ("brand_id", BrandRepository(session).get),
            ("campaign_id", CampaignRepository(session).get),
            ("contract_draft_id", OutreachRepository(session).draft),
        )
        for name, lookup in lookups:
            ref = fields.get(name)
            if ref is not None and lookup(organization_id, ref) is None:
                raise NotFoundError(f"{name.removesuffix('_id').replace('_', ' ')} {ref} not found")
        tz = zone(str(fields.get("timezone") or "UTC"))
        months = int(fields.get("months") or 12)
        if not 1 <= months <= 60:
            raise InvalidInputError.for_field("months", "1-60 months", value=months)
        cadence = parse_cadence(fields.get("cadence") or [], [p.value for p in CreatorPlatform])
        compensation = {
            "monthly_retainer": str(money(fields.get("monthly_retainer", 0), "monthly_retainer")),
            "per_deliverable": str(money(fields.get("per_deliverable", 0), "per_deliverable")),
            "commission_pct": str(money(fields.get("commission_pct", 0), "commission_pct")),
        }
        if Decimal(compensation["commission_pct"]) > 100:
            raise InvalidInputError.for_field(
                "commission_pct", "at most 100", value=fields.get("commission_pct")
            )
        code, utm = fields.get("discount_code"), fields.get("utm_tag")
        for name, value in (("discount_code", code), ("utm_tag", utm)):
            if value and ProgramRepository(session).by_attribution(
                organization_id, **{name: value}
            ):
                raise ConflictError(f"{name} {value!r} already belongs to another program")
        starts_on: date = fields["starts_on"]
        reminder_days = int(fields.get("reminder_days", 3))
        if not 0 <= reminder_days <= 30:
            raise InvalidInputError.for_field("reminder_days", "0-30 days", value=reminder_days)
        now = now or utcnow()
        boundaries = report_boundaries(starts_on, months, tz)
        ends_at = boundaries[-1]
        program = Program(
            organization_id=organization_id,
            brand_id=fields.get("brand_id"),
            creator_id=creator.id,
            campaign_id=fields.get("campaign_id"),
            contract_draft_id=fields.get("contract_draft_id"),
            name=str(fields["name"]),
            starts_on=starts_on,
            months=months,
            timezone=tz.key,
            cadence=[vars(item) for item in cadence],
            compensation=compensation,
            currency=str(fields.get("currency") or "USD"),
            discount_code=code,
            utm_tag=utm,
            jurisdiction=str(fields.get("jurisdiction") or "US"),
            reminder_days=reminder_days,
            recheck_days=int(fields.get("recheck_days", 7)),
            status=str(fields.get("status") or "active"),
            next_report_at=boundaries[1],
            reports_done=0,
            renewal_notice_at=ends_at - timedelta(days=RENEWAL_NOTICE_DAYS),
            ends_at=ends_at,
        )
        repository = ProgramRepository(session)
        repository.add(program)
        repository.add(
            *(
                Deliverable(
                    organization_id=organization_id,
                    program_id=program.id,
                    sequence=plan.sequence,
                    platform=plan.platform,
                    kind=plan.kind,
                    due_on=plan.due_on,
                    due_at=plan.due_at,
                    status="pending",
                    # A reminder that would already be late when the program is created is
                    # not sent for a deliverable already past due.
                    remind_at=plan.remind_at if plan.due_at > now else None,
                    overdue_at=plan.overdue_at,
                    metrics={},
                )
                for plan in plan_deliverables(
                    cadence, starts_on=starts_on, months=months, tz=tz, reminder_days=reminder_days
                )
            )
        )
        return program

    def get(self, session: Session, organization_id: int, program_id: int) -> Program:
        return ProgramRepository(session).get_or_raise(organization_id, program_id)

    def find(
        self,
        session: Session,
        organization_id: int,
        *,
        status: str | None = None,
        creator_id: int | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[Program]:
        return ProgramRepository(session).list(
            organization_id, status=status, creator_id=creator_id, after_id=after_id, limit=limit
        )

    def set_status(
        self, session: Session, organization_id: int, program_id: int, status: str
    ) -> Program:
        """Pause or resume (``paused`` / ``active``); ended and renewed programs stay so."""
        program = self.get(session, organization_id, program_id)
        if status not in ("active", "paused"):
            raise InvalidInputError.for_field("status", "set active or paused", value=status)
        if program.status in ("ended", "renewed"):
            raise ConflictError(f"program {program_id} is {program.status}")
        program.status = status
        session.flush()
        return program

    def renew(
        self,
        session: Session,
        organization_id: int,
        program_id: int,
        *,
        months: int | None = None,
        now: datetime | None = None,
    ) -> Program:
        """A successor program starting where this one ends, with the same terms; this one
        becomes ``renewed``."""
        old = self.get(session, organization_id, program_id)
        if old.status == "renewed":
            raise ConflictError(f"program {program_id} was already renewed")
        code, utm = old.discount_code, old.utm_tag
        old.discount_code = old.utm_tag = None  # attribution moves to the successor
        session.flush()
        successor = self.create(
            session,
            organization_id,
            {
                "creator_id": old.creator_id,
                "brand_id": old.brand_id,
                "campaign_id": old.campaign_id,
                "name": old.name,
                "starts_on": add_months(old.starts_on, old.months),
                "months": months or old.months,
                "timezone": old.timezone,
                "cadence": old.cadence,
                "currency": old.currency,
                "discount_code": code,
                "utm_tag": utm,
                "jurisdiction": old.jurisdiction,
                "reminder_days": old.reminder_days,
                "recheck_days": old.recheck_days,
                **old.compensation,
            },
            now=now,
        )
        old.status = "renewed"
        old.renewed_to_id = successor.id
        old.renewal_notice_at = None
        session.flush()
        return successor

    def deliverables(
        self, session: Session, organization_id: int, program_id: int, *, status: str | None = None
    ) -> list[Deliverable]:
        self.get(session, organization_id, program_id)
        return ProgramRepository(session).deliverables(organization_id, program_id, status=status)

    def deliverable(
        self, session: Session, organization_id: int, deliverable_id: int
    ) -> Deliverable:
        return ProgramRepository(session).deliverable_or_raise(organization_id, deliverable_id)

    def notices(
        self,
        session: Session,
        organization_id: int,
        program_id: int,
        *,
        after_id: int | None = None,
        limit: int = 100,
    ) -> list[ProgramNotice]:
        self.get(session, organization_id, program_id)
        return ProgramRepository(session).notices(
            organization_id, program_id, after_id=after_id, limit=limit
        )

    # ------------------------------------------------------- submissions and conversions

    def submit(
        self,
        session: Session,
        organization_id: int,
        deliverable_id: int,
        fields: Mapping[str, Any],
        *,
        now: datetime | None = None,
    ) -> Deliverable:
        """Record the creator's post for a deliverable and check its disclosure. A
        non-compliant post raises a ``compliance.violation`` notice. Submitting again
        replaces the post (and checks it again); on-time is decided by the first
        submission."""
        return SubmissionService().submit(session, organization_id, deliverable_id, fields, now=now)

    def update_metrics(
        self,
        session: Session,
        organization_id: int,
        deliverable_id: int,
        metrics: Mapping[str, Any],
    ) -> Deliverable:
        return SubmissionService().update_metrics(session, organization_id, deliverable_id, metrics)

    def record_conversion(
        self, session: Session, organization_id: int, fields: Mapping[str, Any]
    ) -> tuple[Conversion, bool]:
        """Attribute a sale by its discount code or UTM tag; (conversion, created). The same
        ``order_id`` again is the same conversion (a CRM retry), a different one a 409."""
        return SubmissionService().record_conversion(session, organization_id, fields)

    def conversions(
        self, session: Session, organization_id: int, program_id: int
    ) -> list[Conversion]:
        return SubmissionService().conversions(session, organization_id, program_id)

    # ------------------------------------------------------------------ reports

    def reports(
        self, session: Session, organization_id: int, program_id: int
    ) -> list[ProgramReport]:
        return ReportService().reports(session, organization_id, program_id)

    def to_date(
        self,
        session: Session,
        organization_id: int,
        program_id: int,
        *,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """The report figures from the program's start to ``now`` (or its end)."""
        return ReportService().to_date(session, organization_id, program_id, now=now)

    def figures(
        self, session: Session, program: Program, start: datetime, end: datetime
    ) -> dict[str, Any]:
        """The report figures of ``[start, end)``: deliverables due in it, conversions in it.
        Money is a string with two decimals; rates are strings with four."""
        return ReportService().figures(session, program, start, end)

    def write_reports(self, session: Session, program_id: int, now: datetime) -> bool:
        """Every month of the program that ended by ``now`` and has no report yet."""
        return ReportService().write_reports(session, program_id, now)

    # ------------------------------------------------------------------ the tick

    def tick(self, database: Database, *, now: datetime | None = None) -> TickSummary:
        """Process everything due at ``now`` (see programs/tick.py)."""
        return self._ticks().tick(database, now=now)

    def flag_overdue(self, session: Session, deliverable_id: int, now: datetime) -> bool:
        """Flag the deliverable overdue (with its notice) when it is pending past its
        overdue time at ``now``; the tick's step, also usable with a session (the demo)."""
        return self._ticks().flag_overdue(session, deliverable_id, now)

    def _ticks(self) -> TickService:
        # Built per call from the current attributes, so a mailer or fetcher set later counts.
        return TickService(self.settings, mailer=self.mailer, fetcher=self.fetcher)
