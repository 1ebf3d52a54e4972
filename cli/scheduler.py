"""``creatormatch scheduler``: the background jobs without the HTTP server.

Without ``--once`` it runs until SIGTERM or SIGINT and prints one line, flushed, per event:

- ``scheduler started: pid N, DIALECT, every Xs`` and, at the end, ``scheduler stopped``;
- ``leader`` / ``follower`` when this process becomes or stops being the leader (PostgreSQL
  leader election; with SQLite the process is always the leader);
- ``JOB_ID: {JSON summary}`` after a run of a job that did something;
- ``JOB_ID: idle`` after the first run that found nothing to do (once, until it has work again);
- ``JOB_ID: failed: ERROR`` when a run raised.

``--once`` runs every job once at ``--now`` (default: the current time), prints one JSON
object with both summaries and exits: 0, or 1 when an item failed.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import fail, open_database

if TYPE_CHECKING:
    from apscheduler.events import JobExecutionEvent

__all__ = ["scheduler_command"]

# jobs.leader.DEFAULT_POLL_SECONDS, which imports SQLAlchemy: `--help` should not (a test
# checks that the two agree).
DEFAULT_POLL_SECONDS = 5.0


class _Reporter:
    """Prints the scheduler's events, one flushed line each, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[str, bool] = {}

    def say(self, line: str) -> None:
        with self._lock:
            typer.echo(line)
            # Supervisors and tests read these lines as they come.
            typer.get_text_stream("stdout").flush()

    def state(self, leading: bool) -> None:
        with self._lock:
            self._idle.clear()
        self.say("leader" if leading else "follower")

    def job(self, event: JobExecutionEvent) -> None:
        from jobs.scheduler import did_something, summary_dict

        job_id = event.job_id
        if event.exception is not None:
            with self._lock:
                self._idle[job_id] = False
            self.say(f"{job_id}: failed: {event.exception!r}")
            return
        summary = event.retval
        if summary is not None and did_something(summary):
            with self._lock:
                self._idle[job_id] = False
            self.say(f"{job_id}: {json.dumps(summary_dict(summary))}")
            return
        with self._lock:
            already = self._idle.get(job_id, False)
            self._idle[job_id] = True
        if not already:
            self.say(f"{job_id}: idle")


def _parse_now(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"--now: not an ISO 8601 time: {value!r}", 2) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def scheduler_command(
    once: Annotated[
        bool, typer.Option("--once", help="Run every job once (at --now) and exit.")
    ] = False,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="With --once: the time to run at, ISO 8601 (e.g. 2027-02-01T15:00:00Z; "
            "without a zone: UTC). Default: now.",
        ),
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option(
            "--interval",
            min=1.0,
            help="Seconds between runs (default: CREATORMATCH_SCHEDULER_INTERVAL_SECONDS).",
        ),
    ] = None,
    leader_poll: Annotated[
        float,
        typer.Option(
            "--leader-poll",
            min=0.1,
            help="PostgreSQL: seconds between leader-lock attempts (a dead leader is "
            "replaced within about this long).",
        ),
    ] = DEFAULT_POLL_SECONDS,
) -> None:
    """Run the background jobs (outreach sends, programs, webhooks) without the HTTP
    server."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from jobs.leader import LeaderElector
    from jobs.scheduler import (
        build_scheduler,
        run_outreach,
        run_programs,
        run_webhooks,
        start_elected,
        stop_elected,
        summary_dict,
    )
    from outreach.service import OutreachService, mailer_for
    from programs.service import ProgramService
    from webhooks.service import WebhookService

    if now is not None and not once:
        raise fail("--now needs --once (a running scheduler always uses the clock)", 2)
    at = _parse_now(now) if now is not None else datetime.now(UTC)
    with open_database() as (settings, database):
        outreach = OutreachService(settings, mailer=mailer_for(settings))
        programs = ProgramService(settings, mailer=mailer_for(settings))
        webhooks = WebhookService(settings)
        if once:
            sent = run_outreach(outreach, database, now=at)
            ticked = run_programs(programs, database, now=at)
            delivered = run_webhooks(webhooks, database, now=at)
            typer.echo(
                json.dumps(
                    {
                        "now": at.isoformat(),
                        "outreach.run_due": summary_dict(sent),
                        "programs.tick": summary_dict(ticked),
                        "webhooks.deliver_due": summary_dict(delivered),
                    }
                )
            )
            if sent.errors or ticked.errors or delivered.errors:
                raise typer.Exit(1)
            return
        seconds = interval or settings.scheduler_interval_seconds
        scheduler = build_scheduler(
            outreach, programs, database, interval_seconds=seconds, webhooks=webhooks
        )
        elector = LeaderElector(database.url, poll_seconds=leader_poll)
        reporter = _Reporter()
        elector.add_listener(reporter.state)
        scheduler.add_listener(reporter.job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        stop = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            stop.set()

        previous: dict[int, Any] = {
            sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        reporter.say(
            f"scheduler started: pid {os.getpid()}, {database.dialect}, every {seconds:g}s"
        )
        start_elected(scheduler, elector)
        try:
            while not stop.wait(1.0):
                pass
        finally:
            stop_elected(scheduler, elector)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            reporter.say("scheduler stopped")
