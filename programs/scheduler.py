"""The background scheduler of ``creatormatch serve`` (APScheduler 3).

Jobs carry stable ids and are registered with ``replace_existing=True``; every job reads
what is due from the database, so a restart loses nothing and a missed run is made up by
the next one (``coalesce=True``: a backlog runs once, not once per missed tick;
``max_instances=1``: a slow run is never overlapped by the next).

Jobs:

- ``outreach.run_due`` (every ``scheduler_interval_seconds``): send the outreach e-mails
  that are due (:meth:`outreach.service.OutreachService.run_due`).
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from outreach.service import OutreachService
from storage.database import Database

__all__ = ["JOB_DEFAULTS", "build_scheduler", "run_outreach"]

_log = logging.getLogger("creatormatch.scheduler")

JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def run_outreach(outreach: OutreachService, database: Database) -> None:
    summary = outreach.run_due(database)
    if summary.sent or summary.dry_run or summary.failed or summary.errors:
        _log.info("outreach run: %s", vars(summary))


def build_scheduler(
    outreach: OutreachService, database: Database, *, interval_seconds: float
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
    return scheduler
