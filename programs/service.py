"""Ambassador programs on the database: create (deliverables from the cadence), submit posts
(with the compliance check), record conversions, report, and :meth:`ProgramService.tick`,
which the scheduler runs.

A tick does what is due at ``now`` and nothing else, each item in its own transaction:

1. reminders (``remind_at <= now``, still pending): a ``program.deliverable_due`` notice with
   a reminder e-mail to the creator;
2. overdue flags (``overdue_at <= now``, still pending): status ``overdue`` and a
   ``program.deliverable_overdue`` notice;
3. renewal notices (``renewal_notice_at <= now``): ``program.renewal_due`` with an e-mail to
   the brand team (the sender profile's reply-to);
4. monthly reports (``next_report_at <= now``, catching up every month that ended);
5. compliance re-checks of delivered posts (``next_recheck_at <= now``);
6. programs past their end become ``ended``;
7. the notices' e-mails are sent (or, in dry run, recorded).

Every notice is unique per (organisation, ``dedupe_key``) and the schedule field is cleared
or advanced in the same transaction, so a tick that is repeated, interrupted (even by
SIGKILL) or run by two schedulers emits nothing twice and, once rerun, misses nothing. An
e-mail is marked ``sending`` before the SMTP call and never retried from that state.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from compliance.checker import check_post
from compliance.disclosure_text import label_for
from compliance.types import ConnectionType, Jurisdiction, MaterialConnection, Media, Platform, Post
from core import csvsafe
from core.errors import ConflictError, InvalidInputError, NotFoundError
from core.settings import Settings
from creators.record import Platform as CreatorPlatform
from models import (
    Brand,
    Conversion,
    Creator,
    Deliverable,
    Program,
    ProgramNotice,
    ProgramReport,
    SenderProfile,
    utcnow,
)
from outreach.mailer import Mailer, OutgoingEmail, PermanentSendError, TemporarySendError
from outreach.notices import render_notice
from programs.schedule import (
    add_months,
    local_midnight,
    parse_cadence,
    plan_deliverables,
    report_boundaries,
    zone,
)
from storage.database import Database
from storage.repositories.campaigns import BrandRepository, CampaignRepository
from storage.repositories.creators import CreatorRepository
from storage.repositories.outreach import OutreachRepository
from storage.repositories.programs import ProgramRepository
from webhooks.service import emit

__all__ = [
    "PostFetcher",
    "ProgramService",
    "TickSummary",
    "report_csv",
]

_log = logging.getLogger("creatormatch.programs")

RENEWAL_NOTICE_DAYS = 30
# Delivered posts are re-checked every recheck_days until this long after the program ends.
RECHECK_AFTER_END = timedelta(days=90)
_ENGAGEMENT_KEYS = ("likes", "comments", "shares", "saves")
ROI_FORMULA = "ROI = (attributed revenue - cost) / cost"


class PostFetcher(Protocol):
    """Reads a published post's current caption from its platform (captions get edited
    after publication). Social platforms' APIs are out of reach here, so the default
    returns None and the re-check uses the caption last submitted; tests use a fake."""

    def current_caption(self, url: str | None, platform: str) -> str | None: ...


class NoFetcher:
    def current_caption(self, url: str | None, platform: str) -> str | None:
        return None


@dataclass
class TickSummary:
    reminders: int = 0
    overdue: int = 0
    renewals: int = 0
    reports: int = 0
    rechecks: int = 0
    violations: int = 0
    ended: int = 0
    emails_sent: int = 0
    emails_dry_run: int = 0
    emails_failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.reminders + self.overdue + self.renewals + self.reports + self.rechecks
            + self.ended + self.emails_sent + self.emails_dry_run + self.emails_failed
        )  # fmt: skip


def _money(value: object, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise InvalidInputError.for_field(name, "must be a number", value=value) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInputError.for_field(name, "must be >= 0", value=value)
    return amount.quantize(Decimal("0.01"))


def _engagements(metrics: Mapping[str, Any] | None) -> int:
    metrics = metrics or {}
    return int(sum(int(metrics.get(k) or 0) for k in _ENGAGEMENT_KEYS))


def _ratio(numerator: Decimal | int, denominator: Decimal | int) -> str | None:
    if not denominator:
        return None
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001")))


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

    # ------------------------------------------------------------------ programs

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
            "monthly_retainer": str(_money(fields.get("monthly_retainer", 0), "monthly_retainer")),
            "per_deliverable": str(_money(fields.get("per_deliverable", 0), "per_deliverable")),
            "commission_pct": str(_money(fields.get("commission_pct", 0), "commission_pct")),
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

    def to_date(
        self,
        session: Session,
        organization_id: int,
        program_id: int,
        *,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """The report figures from the program's start to ``now`` (or its end)."""
        program = self.get(session, organization_id, program_id)
        start = local_midnight(program.starts_on, zone(program.timezone))
        return self.figures(session, program, start, min(now or utcnow(), program.ends_at))

    def conversions(
        self, session: Session, organization_id: int, program_id: int
    ) -> list[Conversion]:
        self.get(session, organization_id, program_id)
        return ProgramRepository(session).conversions(program_id)

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

    # ------------------------------------------------------------------ submissions

    def _check(
        self, program: Program, deliverable: Deliverable, brand: str | None
    ) -> dict[str, Any]:
        media = deliverable.media or "image"
        post = Post(
            caption=deliverable.caption or "",
            platform=Platform(deliverable.platform),
            media=Media(media),
            material_connection=MaterialConnection(ConnectionType.PAID, brand),
            jurisdiction=Jurisdiction(program.jurisdiction),
            transcript=deliverable.transcript,
        )
        return check_post(post).to_dict()

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
        now = now or utcnow()
        deliverable = self.deliverable(session, organization_id, deliverable_id)
        program = self.get(session, organization_id, deliverable.program_id)
        platform = str(fields.get("platform") or deliverable.platform)
        if platform != deliverable.platform:
            raise ConflictError(
                f"deliverable {deliverable.id} is on {deliverable.platform}, not {platform}"
            )
        media = str(fields.get("media") or "image")
        if media not in {m.value for m in Media}:
            raise InvalidInputError.for_field(
                "media", f"one of {', '.join(m.value for m in Media)}", value=media
            )
        first = deliverable.submitted_at is None
        submitted_at = fields.get("submitted_at") or now
        deliverable.post_url = fields.get("post_url")
        deliverable.caption = str(fields.get("caption") or "")
        deliverable.transcript = fields.get("transcript")
        deliverable.media = media
        if fields.get("metrics") is not None:
            deliverable.metrics = dict(fields["metrics"])
        if first:
            deliverable.submitted_at = submitted_at
            deliverable.on_time = submitted_at <= deliverable.due_at
        deliverable.status = "submitted"
        deliverable.remind_at = None
        deliverable.overdue_at = None
        self._apply_check(session, program, deliverable, now)
        self._notice(
            session,
            program,
            "program.deliverable_submitted",
            f"submitted:{deliverable.id}:{_digest(deliverable.caption)}",
            deliverable=deliverable,
            now=now,
            payload={
                "on_time": deliverable.on_time,
                "post_url": deliverable.post_url,
                "compliance_verdict": deliverable.compliance_verdict,
            },
        )
        return deliverable

    def _apply_check(
        self, session: Session, program: Program, deliverable: Deliverable, now: datetime
    ) -> bool:
        """Check the deliverable's caption; returns True when a new violation was raised."""
        brand = self._brand_name(session, program)
        result = self._check(program, deliverable, brand)
        deliverable.compliance_result = result
        deliverable.compliance_verdict = result["verdict"]
        deliverable.last_checked_at = now
        recheck_until = program.ends_at + RECHECK_AFTER_END
        step = timedelta(days=program.recheck_days)
        deliverable.next_recheck_at = now + step if now + step <= recheck_until else None
        if result["verdict"] != "non_compliant":
            return False
        return self._notice(
            session,
            program,
            "compliance.violation",
            f"violation:{deliverable.id}:{_digest(deliverable.caption)}",
            deliverable=deliverable,
            now=now,
            payload={
                "post_url": deliverable.post_url,
                "reasons": result.get("reasons", []),
                "caption": deliverable.caption,
            },
        )

    def update_metrics(
        self,
        session: Session,
        organization_id: int,
        deliverable_id: int,
        metrics: Mapping[str, Any],
    ) -> Deliverable:
        deliverable = self.deliverable(session, organization_id, deliverable_id)
        if deliverable.status != "submitted":
            raise ConflictError("submit the post before its metrics")
        deliverable.metrics = {**(deliverable.metrics or {}), **metrics}
        session.flush()
        return deliverable

    # ------------------------------------------------------------------ conversions

    def record_conversion(
        self, session: Session, organization_id: int, fields: Mapping[str, Any]
    ) -> tuple[Conversion, bool]:
        """Attribute a sale by its discount code or UTM tag; (conversion, created). The same
        ``order_id`` again is the same conversion (a CRM retry), a different one a 409."""
        code, utm = fields.get("discount_code"), fields.get("utm_tag")
        if not code and not utm:
            raise InvalidInputError.for_field("discount_code", "give a discount_code or a utm_tag")
        repository = ProgramRepository(session)
        program = repository.by_attribution(organization_id, discount_code=code, utm_tag=utm)
        if program is None:
            which = "discount_code" if code else "utm_tag"
            raise NotFoundError(f"no program of this organisation uses the {which} {code or utm!r}")
        revenue = _money(fields.get("revenue"), "revenue")
        existing = repository.conversion_by_order(organization_id, fields["order_id"])
        if existing is not None:
            if existing.program_id != program.id or existing.revenue != revenue:
                raise ConflictError(f"order {fields['order_id']} was recorded with other values")
            return existing, False
        conversion = Conversion(
            organization_id=organization_id,
            program_id=program.id,
            order_id=str(fields["order_id"]),
            discount_code=code,
            utm_tag=utm,
            revenue=revenue,
            currency=str(fields.get("currency") or program.currency),
            occurred_at=fields.get("occurred_at") or utcnow(),
        )
        repository.add(conversion)
        return conversion, True

    # ------------------------------------------------------------------ reports

    def reports(
        self, session: Session, organization_id: int, program_id: int
    ) -> list[ProgramReport]:
        self.get(session, organization_id, program_id)
        return ProgramRepository(session).reports(program_id)

    def figures(
        self, session: Session, program: Program, start: datetime, end: datetime
    ) -> dict[str, Any]:
        """The report figures of ``[start, end)``: deliverables due in it, conversions in it.
        Money is a string with two decimals; rates are strings with four."""
        repository = ProgramRepository(session)
        due = repository.due_between(program.id, start, end)
        delivered = [d for d in due if d.submitted_at is not None]
        on_time = [d for d in delivered if d.on_time]
        checked = [d for d in delivered if d.compliance_verdict is not None]
        passed = [d for d in checked if d.compliance_verdict == "compliant"]
        engagements = sum(_engagements(d.metrics) for d in delivered)
        conversions = repository.conversions_between(program.id, start, end)
        revenue = sum((c.revenue for c in conversions), Decimal("0.00"))
        comp = program.compensation
        retainer = Decimal(comp["monthly_retainer"])
        per_piece = Decimal(comp["per_deliverable"]) * len(delivered)
        commission = (Decimal(comp["commission_pct"]) / 100 * revenue).quantize(Decimal("0.01"))
        cost = retainer + per_piece + commission
        return {
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "deliverables_due": len(due),
            "delivered": len(delivered),
            "delivered_on_time": len(on_time),
            "delivered_late": len(delivered) - len(on_time),
            "missing": len(due) - len(delivered),
            "on_time_rate": _ratio(len(on_time), len(due)),
            "compliance_checked": len(checked),
            "compliance_passed": len(passed),
            "compliance_pass_rate": _ratio(len(passed), len(checked)),
            "engagements": engagements,
            "views": sum(int((d.metrics or {}).get("views") or 0) for d in delivered),
            "cost": str(cost),
            "cost_breakdown": {
                "retainer": str(retainer),
                "per_deliverable": str(per_piece),
                "commission": str(commission),
            },
            "cost_per_engagement": _ratio(cost, engagements),
            "conversions": len(conversions),
            "revenue": str(revenue),
            "roi": _ratio(revenue - cost, cost),
            "roi_formula": ROI_FORMULA,
            "currency": program.currency,
        }

    # ------------------------------------------------------------------ the tick

    def tick(self, database: Database, *, now: datetime | None = None) -> TickSummary:
        """Process everything due at ``now`` (see the module docstring)."""
        now = now or utcnow()
        summary = TickSummary()
        steps: list[tuple[str, Callable[[Session, int, datetime], bool]]] = [
            ("reminders", self._remind),
            ("overdue", self.flag_overdue),
            ("renewals", self._renewal),
            ("reports", self.write_reports),
            ("rechecks", self._recheck),
            ("ended", self._end),
        ]
        for name, step in steps:
            for item_id in self._due_ids(database, name, now):
                try:
                    with database.session() as session:
                        done = step(session, item_id, now)
                except IntegrityError:
                    # Another scheduler emitted the same notice first: nothing to do.
                    continue
                except Exception as exc:  # one bad row must not stop the tick
                    _log.exception("program tick step %s failed for %s", name, item_id)
                    summary.errors.append(f"{name} {item_id}: {exc}")
                    continue
                if done:
                    setattr(summary, name, getattr(summary, name) + 1)
        self._send_emails(database, now, summary)
        return summary

    def _due_ids(self, database: Database, step: str, now: datetime) -> list[int]:
        with database.session() as session:
            repository = ProgramRepository(session)
            due: dict[str, Callable[[datetime], list[int]]] = {
                "reminders": repository.due_reminders,
                "overdue": repository.due_overdue,
                "renewals": repository.due_renewals,
                "reports": repository.due_reports,
                "rechecks": repository.due_rechecks,
                "ended": repository.due_to_end,
            }
            return due[step](now)

    def _notice(
        self,
        session: Session,
        program: Program,
        event: str,
        key: str,
        *,
        deliverable: Deliverable | None = None,
        payload: Mapping[str, Any] | None = None,
        email: tuple[str, str, str] | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Emit a notice once per key; False when it exists already."""
        repository = ProgramRepository(session)
        if repository.notice_exists(program.organization_id, key):
            return False
        notice = ProgramNotice(
            organization_id=program.organization_id,
            program_id=program.id,
            deliverable_id=deliverable.id if deliverable is not None else None,
            event=event,
            dedupe_key=key,
            payload={"program_id": program.id, **(payload or {})},
            email_status="none",
            created_at=now or utcnow(),
        )
        if email is not None:
            notice.email_to, notice.email_subject, notice.email_text = email
            notice.email_status = "queued"
        repository.add(notice)  # a concurrent insert of the same key fails here, and rolls back
        # webhooks: every new notice is an event of the same type, in this transaction
        emit(
            session,
            program.organization_id,
            event,
            {**notice.payload, "deliverable_id": notice.deliverable_id},
            now=notice.created_at,
        )
        return True

    def _sender(self, session: Session, organization_id: int) -> SenderProfile | None:
        return OutreachRepository(session).sender(organization_id)

    def _brand_name(self, session: Session, program: Program) -> str | None:
        if program.brand_id is None:
            return None
        brand = session.get(Brand, program.brand_id)
        return brand.name if brand is not None else None

    def _remind(self, session: Session, deliverable_id: int, now: datetime) -> bool:
        d = session.get(Deliverable, deliverable_id)
        if d is None or d.remind_at is None or d.remind_at > now or d.status != "pending":
            return False
        program = session.get(Program, d.program_id)
        assert program is not None
        creator = session.get(Creator, program.creator_id)
        sender = self._sender(session, program.organization_id)
        email = None
        if creator is not None and creator.email and sender is not None:
            brand = self._brand_name(session, program) or sender.company
            email = (
                creator.email,
                *render_notice(
                    "deliverable_reminder",
                    {
                        "creator_name": creator.display_name or creator.handle,
                        "sender_name": sender.sender_name,
                        "sender_company": sender.company,
                        "postal_address_lines": [
                            line.strip()
                            for line in sender.postal_address.splitlines()
                            if line.strip()
                        ],
                        "brand": brand,
                        "program_name": program.name,
                        "deliverable": f"{d.kind} on {CreatorPlatform(d.platform).value}",
                        "due_on": d.due_on,
                        "timezone": program.timezone,
                        "label": label_for(Jurisdiction(program.jurisdiction)),
                    },
                ),
            )
        d.remind_at = None
        return self._notice(
            session,
            program,
            "program.deliverable_due",
            f"reminder:{d.id}",
            deliverable=d,
            payload={"due_on": d.due_on.isoformat(), "platform": d.platform, "kind": d.kind},
            email=email,
            now=now,
        )

    def flag_overdue(self, session: Session, deliverable_id: int, now: datetime) -> bool:
        """Flag the deliverable overdue (with its notice) when it is pending past its
        overdue time at ``now``; the tick's step, also usable with a session (the demo)."""
        d = session.get(Deliverable, deliverable_id)
        if d is None or d.overdue_at is None or d.overdue_at > now or d.status != "pending":
            return False
        program = session.get(Program, d.program_id)
        assert program is not None
        d.status = "overdue"
        d.overdue_at = None
        d.remind_at = None
        return self._notice(
            session,
            program,
            "program.deliverable_overdue",
            f"overdue:{d.id}",
            deliverable=d,
            payload={"due_on": d.due_on.isoformat(), "platform": d.platform, "kind": d.kind},
            now=now,
        )

    def _renewal(self, session: Session, program_id: int, now: datetime) -> bool:
        program = session.get(Program, program_id)
        if program is None or program.renewal_notice_at is None or program.renewal_notice_at > now:
            return False
        sender = self._sender(session, program.organization_id)
        creator = session.get(Creator, program.creator_id)
        tz = zone(program.timezone)
        ends_on = program.ends_at.astimezone(tz).date()
        so_far = self.figures(session, program, local_midnight(program.starts_on, tz), now)
        email = None
        if sender is not None and creator is not None:
            email = (
                sender.reply_to,
                *render_notice(
                    "renewal_due",
                    {
                        "program_name": program.name,
                        "program_id": program.id,
                        "creator_name": creator.display_name or creator.handle,
                        "handle": creator.handle,
                        "ends_on": ends_on,
                        "days_left": max((program.ends_at - now).days, 0),
                        "delivered": so_far["delivered"],
                        "due_so_far": so_far["deliverables_due"],
                        "on_time": so_far["delivered_on_time"],
                        "pass_rate": so_far["compliance_pass_rate"] or "n/a",
                    },
                ),
            )
        program.renewal_notice_at = None
        return self._notice(
            session,
            program,
            "program.renewal_due",
            f"renewal:{program.id}",
            payload={"ends_on": ends_on.isoformat()},
            email=email,
            now=now,
        )

    def write_reports(self, session: Session, program_id: int, now: datetime) -> bool:
        """Every month of the program that ended by ``now`` and has no report yet."""
        program = session.get(Program, program_id)
        if program is None:
            return False
        boundaries = report_boundaries(program.starts_on, program.months, zone(program.timezone))
        made = False
        while program.next_report_at is not None and program.next_report_at <= now:
            month = program.reports_done + 1
            start, end = boundaries[month - 1], boundaries[month]
            figures = self.figures(session, program, start, end)
            ProgramRepository(session).add(
                ProgramReport(
                    organization_id=program.organization_id,
                    program_id=program.id,
                    month=month,
                    period_start=start,
                    period_end=end,
                    figures=figures,
                    created_at=now,
                )
            )
            self._notice(
                session,
                program,
                "program.report",
                f"report:{program.id}:{month}",
                payload={"month": month, **figures},
                now=now,
            )
            program.reports_done = month
            program.next_report_at = boundaries[month + 1] if month < program.months else None
            made = True
        return made

    def _recheck(self, session: Session, deliverable_id: int, now: datetime) -> bool:
        d = session.get(Deliverable, deliverable_id)
        if d is None or d.next_recheck_at is None or d.next_recheck_at > now:
            return False
        program = session.get(Program, d.program_id)
        assert program is not None
        current = self.fetcher.current_caption(d.post_url, d.platform)
        if current is not None:
            d.caption = current
        self._apply_check(session, program, d, now)
        return True

    def _end(self, session: Session, program_id: int, now: datetime) -> bool:
        program = session.get(Program, program_id)
        if program is None or program.ends_at > now or program.status not in ("active", "paused"):
            return False
        program.status = "ended"
        return True

    def _send_emails(self, database: Database, now: datetime, summary: TickSummary) -> None:
        with database.session() as session:
            queued = ProgramRepository(session).queued_notice_ids()
        for notice_id in queued:
            with database.session() as session:
                notice = session.get(ProgramNotice, notice_id)
                if notice is None or notice.email_status != "queued":
                    continue
                sender = self._sender(session, notice.organization_id)
                dry = self.settings.outreach_dry_run or self.mailer is None or sender is None
                # Claim the notice with a conditional update: of two schedulers that both
                # read "queued", exactly one moves it on and sends.
                claimed = ProgramRepository(session).claim_notice(
                    notice_id, "dry_run" if dry else "sending"
                )
                if not claimed:
                    continue
                if dry:
                    summary.emails_dry_run += 1
                    continue
                assert sender is not None
                assert self.mailer is not None
                mailer = self.mailer
                mail = OutgoingEmail(
                    from_name=f"{sender.sender_name}, {sender.company}",
                    from_email=sender.from_email,
                    reply_to=sender.reply_to,
                    to_email=notice.email_to or "",
                    subject=notice.email_subject or "",
                    text=notice.email_text or "",
                    html="<pre>" + _escape(notice.email_text or "") + "</pre>",
                    message_id=f"<notice-{notice.id}.{notice.organization_id}@{sender.from_email.rpartition('@')[2]}>",
                    unsubscribe_url=f"mailto:{sender.reply_to}?subject=unsubscribe",
                    date=now,
                )
            status, error = "sent", None
            try:
                mailer.send(mail)
            except TemporarySendError as exc:
                status, error = "queued", str(exc)
            except PermanentSendError as exc:
                status, error = "failed", str(exc)
            with database.session() as session:
                notice = session.get(ProgramNotice, notice_id)
                assert notice is not None
                notice.email_status, notice.email_error = status, error
            if status == "sent":
                summary.emails_sent += 1
            elif status == "failed":
                summary.emails_failed += 1


def _digest(text: str | None) -> str:
    """A short hash of a caption: a new caption is a new submission or violation notice."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:12]


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


def _report_cell(value: object, *, number: bool) -> object:
    """A figure as a CSV cell: money and rates (strings in the figures) as Decimals."""
    if value is None:
        return ""
    if number and isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value  # not a number after all: written as (escaped) text
    return value


def report_csv(reports: Sequence[ProgramReport]) -> str:
    """Monthly reports as CSV, one row a month, the money and rates as in the JSON.

    Money and rates are kept as strings in the figures; they are written as the numbers they
    are (a negative ROI stays ``-0.5000``), every text cell escaped against formulas
    (core/csvsafe.py)."""
    columns = [
        "month", "period_start", "period_end", "deliverables_due", "delivered",
        "delivered_on_time", "delivered_late", "missing", "on_time_rate", "compliance_checked",
        "compliance_passed", "compliance_pass_rate", "engagements", "views", "cost",
        "cost_per_engagement", "conversions", "revenue", "roi", "currency",
    ]  # fmt: skip
    text_columns = {"period_start", "period_end", "currency"}
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for report in reports:
        row = {"month": report.month, **report.figures}
        writer.writerow([_report_cell(row.get(c), number=c not in text_columns) for c in columns])
    return out.getvalue()
