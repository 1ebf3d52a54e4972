"""The tick of ambassador programs, which the scheduler (jobs/scheduler.py) runs.

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

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from compliance.disclosure_text import label_for
from compliance.types import Jurisdiction
from core.settings import Settings
from creators.record import Platform as CreatorPlatform
from models import Creator, Deliverable, Program, ProgramNotice, utcnow
from outreach.mailer import Mailer, OutgoingEmail, PermanentSendError, TemporarySendError
from outreach.notices import render_notice
from programs.notices import notify
from programs.reports import ReportService
from programs.schedule import local_midnight, zone
from programs.submissions import apply_check, brand_name
from storage.database import Database
from storage.repositories.outreach import OutreachRepository
from storage.repositories.programs import ProgramRepository

__all__ = ["NoFetcher", "PostFetcher", "TickService", "TickSummary"]

_log = logging.getLogger("creatormatch.programs")


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


class TickService:
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
        self.reports = ReportService()

    def tick(self, database: Database, *, now: datetime | None = None) -> TickSummary:
        """Process everything due at ``now`` (see the module docstring)."""
        now = now or utcnow()
        summary = TickSummary()
        steps: list[tuple[str, Callable[[Session, int, datetime], bool]]] = [
            ("reminders", self._remind),
            ("overdue", self.flag_overdue),
            ("renewals", self._renewal),
            ("reports", self.reports.write_reports),
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

    def _remind(self, session: Session, deliverable_id: int, now: datetime) -> bool:
        d = session.get(Deliverable, deliverable_id)
        if d is None or d.remind_at is None or d.remind_at > now or d.status != "pending":
            return False
        program = session.get(Program, d.program_id)
        assert program is not None
        creator = session.get(Creator, program.creator_id)
        sender = OutreachRepository(session).sender(program.organization_id)
        email = None
        if creator is not None and creator.email and sender is not None:
            brand = brand_name(session, program) or sender.company
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
        return notify(
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
        return notify(
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
        sender = OutreachRepository(session).sender(program.organization_id)
        creator = session.get(Creator, program.creator_id)
        tz = zone(program.timezone)
        ends_on = program.ends_at.astimezone(tz).date()
        so_far = self.reports.figures(session, program, local_midnight(program.starts_on, tz), now)
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
        return notify(
            session,
            program,
            "program.renewal_due",
            f"renewal:{program.id}",
            payload={"ends_on": ends_on.isoformat()},
            email=email,
            now=now,
        )

    def _recheck(self, session: Session, deliverable_id: int, now: datetime) -> bool:
        d = session.get(Deliverable, deliverable_id)
        if d is None or d.next_recheck_at is None or d.next_recheck_at > now:
            return False
        program = session.get(Program, d.program_id)
        assert program is not None
        current = self.fetcher.current_caption(d.post_url, d.platform)
        if current is not None:
            d.caption = current
        apply_check(session, program, d, now)
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
                sender = OutreachRepository(session).sender(notice.organization_id)
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


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
