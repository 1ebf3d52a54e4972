"""The background scheduler of ``creatormatch serve`` (APScheduler 3).

Jobs carry stable ids and are registered with ``replace_existing=True``; every job reads
what is due from the database, so a restart loses nothing and a missed run is made up by
the next one (``coalesce=True``: a backlog runs once, not once per missed tick;
``max_instances=1``: a slow run is never overlapped by the next).

Jobs:

- ``outreach.run_due`` (every ``scheduler_interval_seconds``): send the outreach e-mails
  that are due (:meth:`outreach.service.OutreachService.run_due`).
- ``programs.tick`` (every ``scheduler_interval_seconds``): ambassador-program reminders,
  overdue flags, renewal notices, monthly reports and re-checks
  (:meth:`programs.service.ProgramService.tick`).
- ``webhooks.deliver_due`` (every ``scheduler_interval_seconds``, when a webhook service is
  given): deliver the webhook events that are due, with retries
  (:meth:`webhooks.service.WebhookService.deliver_due`).

Each job returns its summary (``RunSummary`` / ``TickSummary`` / ``DeliverySummary``), which
APScheduler hands to ``EVENT_JOB_EXECUTED`` listeners (the ``creatormatch scheduler`` command
prints them).

With PostgreSQL several processes may run a scheduler; :func:`start_elected` starts it
paused and lets :class:`jobs.leader.LeaderElector` resume it in the one process that
holds the lock (see ``docs/scheduler.md``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from jobs.leader import LeaderElector
from outreach.service import OutreachService, RunSummary
from programs.service import ProgramService
from programs.tick import TickSummary
from storage.database import Database
from webhooks.service import DeliverySummary, WebhookService

__all__ = [
    "JOB_DEFAULTS",
    "JOB_IDS",
    "build_scheduler",
    "did_something",
    "run_outreach",
    "run_programs",
    "run_webhooks",
    "start_elected",
    "stop_elected",
    "summary_dict",
]

_log = logging.getLogger("creatormatch.scheduler")

JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
JOB_IDS: tuple[str, ...] = ("outreach.run_due", "programs.tick", "webhooks.deliver_due")
Summary = RunSummary | TickSummary | DeliverySummary


def summary_dict(summary: Summary) -> dict[str, Any]:
    """A job's summary as JSON-ready values."""
    return asdict(summary)


def did_something(summary: Summary) -> bool:
    """True when the run sent, emitted, deferred or failed anything."""
    return any(bool(value) for value in asdict(summary).values())


def run_outreach(
    outreach: OutreachService, database: Database, *, now: datetime | None = None
) -> RunSummary:
    summary = outreach.run_due(database, now=now)
    if did_something(summary):
        _log.info("outreach run: %s", summary_dict(summary))
    return summary


def run_programs(
    programs: ProgramService, database: Database, *, now: datetime | None = None
) -> TickSummary:
    summary = programs.tick(database, now=now)
    if did_something(summary):
        _log.info("programs tick: %s", summary_dict(summary))
    return summary


def run_webhooks(
    webhooks: WebhookService, database: Database, *, now: datetime | None = None
) -> DeliverySummary:
    summary = webhooks.deliver_due(database, now=now)
    if did_something(summary):
        _log.info("webhook deliveries: %s", summary_dict(summary))
    return summary


def build_scheduler(
    outreach: OutreachService,
    programs: ProgramService,
    database: Database,
    *,
    interval_seconds: float,
    webhooks: WebhookService | None = None,
) -> BackgroundScheduler:
    """A scheduler with every job registered, not started."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults=JOB_DEFAULTS)
    scheduler.add_job(
        run_outreach,
        "interval",
        seconds=interval_seconds,
        id="outreach.run_due",
        name="send due outreach e-mails",
        args=[outreach, database],
        replace_existing=True,
    )
    scheduler.add_job(
        run_programs,
        "interval",
        seconds=interval_seconds,
        id="programs.tick",
        name="ambassador programs: reminders, overdue, renewals, reports, re-checks",
        args=[programs, database],
        replace_existing=True,
    )
    if webhooks is not None:
        scheduler.add_job(
            run_webhooks,
            "interval",
            seconds=interval_seconds,
            id="webhooks.deliver_due",
            name="deliver due webhooks (signed POSTs, retries)",
            args=[webhooks, database],
            replace_existing=True,
        )
    return scheduler


def start_elected(scheduler: BaseScheduler, elector: LeaderElector) -> None:
    """Start ``scheduler`` paused and the election; the scheduler runs while this process
    leads, beginning with one run of every job (a new leader catches up at once instead of
    waiting an interval), and pauses when it stops leading."""

    def follow(leading: bool) -> None:
        if not leading:
            scheduler.pause()
            return
        now = datetime.now(UTC)
        for job in scheduler.get_jobs():
            job.modify(next_run_time=now)
        scheduler.resume()

    # First among the listeners: the scheduler has resumed before anyone hears "leader".
    elector.add_listener(follow, first=True)
    scheduler.start(paused=True)
    elector.start()


def stop_elected(scheduler: BaseScheduler, elector: LeaderElector) -> None:
    """Wait for the running jobs, then leave the election: no job of this process is still
    running when another process takes the lock."""
    scheduler.shutdown(wait=True)
    elector.stop()
