"""``creatormatch scheduler`` as real processes, killed with SIGKILL in the middle of a tick.

Each test gives one tick hundreds of due reminders (one program per creator, the first
deliverable's reminder already past, every due date ahead) whose e-mails go to a real SMTP
server on 127.0.0.1. The server can hold one message in the middle of its DATA command: the
scheduler is then inside the SMTP call of a notice it has committed as ``sending``, and the
test kills it right there. Afterwards:

- every due reminder has exactly one notice (nothing lost, nothing doubled);
- the SMTP server received each notice's e-mail at most once (Message-IDs are per notice);
- every notice whose e-mail never arrived is the one in doubt, in status ``sending``, and
  there is at most one: a notice is committed as ``sending`` before its SMTP call and never
  retried from that state, because after a crash nobody knows whether the server took the
  message. That instant is at-most-once; everything around it is exactly-once.

Nothing sleeps: the tests wait on the children's output lines (``select`` with a deadline)
and on events the SMTP server sets.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select as sql_select
from sqlalchemy import update

from core.settings import Settings
from creators.record import CreatorRecord
from creators.service import CreatorService
from models import Deliverable, ProgramNotice
from programs.service import ProgramService
from storage.database import Database
from tests.factories import creator_record
from tests.outreach.smtp import Inbox
from tests.programs.conftest import make_program_world

REPO = Path(__file__).resolve().parents[2]
CREATORS = 150  # one due reminder each: one tick sends 150 e-mails
HOLD_AFTER = 40  # the SMTP server holds the 41st message
TIMEOUT = 40.0  # for any one awaited line or event
MESSAGE_ID = re.compile(r"<notice-(\d+)\.\d+@")


# ---------------------------------------------------------------------------- SMTP server


@dataclass
class GatedInbox(Inbox):
    """An inbox that, once ``hold_after`` messages arrived, holds the next one inside DATA
    until ``release`` is set, then drops it (451): the sender never gets an answer. (When
    the sender dies meanwhile, aiosmtpd cancels the handler: the message is dropped too.)"""

    hold_after: int | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        holding = self.hold_after is not None and not self.release.is_set()
        if holding and len(self.messages) >= (self.hold_after or 0):
            self.held.append(envelope.rcpt_tos[0])
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            return "451 4.3.0 held by the test, then dropped"
        answer = await super().handle_DATA(server, session, envelope)
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.reached.set()
        return answer


@contextmanager
def gated_smtp(hold_after: int | None) -> Iterator[tuple[GatedInbox, int]]:
    inbox = GatedInbox(hold_after=hold_after)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.release.set()  # never leave a held message blocking the server's shutdown
        controller.stop()


# ---------------------------------------------------------------------------- processes


class Child:
    """``creatormatch scheduler`` in its own process, its stdout read line by line."""

    def __init__(self, name: str, env: dict[str, str], logs: Path, *args: str) -> None:
        self.name = name
        self.stderr_path = logs / f"{name}.stderr"
        with self.stderr_path.open("wb") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from cli.main import app; app()", "scheduler", *args],
                cwd=logs,
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        self._buffer = b""
        self._eof = False
        self.lines: list[str] = []
        self._read = 0

    def expect(self, predicate: Callable[[str], bool], what: str) -> str:
        """The next unread line that satisfies ``predicate``; fails after TIMEOUT seconds."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            while self._read < len(self.lines):
                line = self.lines[self._read]
                self._read += 1
                if predicate(line):
                    return line
            if self._eof:
                self.fail(f"exited ({self.proc.wait()}) before {what}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail(f"timed out after {TIMEOUT}s waiting for {what}")
            ready, _, _ = select.select([self._fd], [], [], remaining)
            if ready:
                self._feed()

    def drain(self) -> list[str]:
        """Every line printed so far (reads what is in the pipe without waiting)."""
        while not self._eof and select.select([self._fd], [], [], 0)[0]:
            self._feed()
        return self.lines

    def _feed(self) -> None:
        chunk = os.read(self._fd, 65536)
        if not chunk:
            self._eof = True
            return
        self._buffer += chunk
        *complete, self._buffer = self._buffer.split(b"\n")
        self.lines += [line.decode() for line in complete]

    def fail(self, message: str) -> None:
        stderr = self.stderr_path.read_text(errors="replace")[-3000:]
        pytest.fail(f"{self.name}: {message}\nstdout: {self.lines}\nstderr tail:\n{stderr}")

    def state(self) -> str:
        return self.expect(lambda line: line in ("leader", "follower"), "leader or follower")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=TIMEOUT) == -signal.SIGKILL

    def stop(self) -> None:
        """SIGTERM: the scheduler finishes its job, releases the lock and exits 0."""
        self.proc.send_signal(signal.SIGTERM)
        self.expect(lambda line: line == "scheduler stopped", "the stop")
        assert self.proc.wait(timeout=TIMEOUT) == 0


@pytest.fixture
def spawn(tmp_path: Path, settings: Settings) -> Iterator[Callable[..., Child]]:
    children: list[Child] = []

    def start(name: str, smtp_port: int, *args: str) -> Child:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREATORMATCH_")}
        env.update(
            PYTHONPATH=str(REPO),
            CREATORMATCH_DATABASE_URL=settings.resolved_database_url,
            CREATORMATCH_DATA_DIR=str(settings.data_dir),
            CREATORMATCH_INDEX_WORKER="false",
            CREATORMATCH_OUTREACH_DRY_RUN="false",
            CREATORMATCH_SMTP_HOST="127.0.0.1",
            CREATORMATCH_SMTP_PORT=str(smtp_port),
            CREATORMATCH_SMTP_SECURITY="none",
            CREATORMATCH_SCHEDULER_INTERVAL_SECONDS="1",
        )
        child = Child(name, env, tmp_path, *args)
        children.append(child)
        return child

    yield start
    for child in children:
        if child.proc.poll() is None:
            child.proc.kill()
            child.proc.wait()
        if child.proc.stdout is not None:
            child.proc.stdout.close()


# ---------------------------------------------------------------------------- the data


def due_reminders(database: Database, settings: Settings, creators: int) -> dict[int, str]:
    """``creators`` programs whose first deliverable's reminder is due now; returns
    {deliverable id: the creator's e-mail address}."""
    world = make_program_world(database, settings)
    service = ProgramService(settings)
    now = datetime.now(UTC)
    program_ids = []
    with database.session() as session:
        for i in range(creators):
            creator = CreatorService().create(
                session,
                world.org,
                CreatorRecord.model_validate(
                    creator_record(handle=f"creator{i}", email=f"creator{i}@creators.example")
                ),
            )
            program = service.create(
                session,
                world.org,
                {
                    "creator_id": creator.id,
                    "brand_id": world.brand,
                    "name": f"Verdant ambassadors {i}",
                    # Everything is ahead: due dates, overdue flags, reports, renewal.
                    "starts_on": (now + timedelta(days=2)).date(),
                    "months": 2,
                    "cadence": [
                        {"platform": "instagram", "kind": "feed post", "count": 1, "per": "month"}
                    ],
                },
                now=now,
            )
            program_ids.append(program.id)
    with database.session() as session:
        session.execute(update(Deliverable).values(remind_at=None))
        session.execute(
            update(Deliverable)
            .where(Deliverable.sequence == 1)
            .values(remind_at=now - timedelta(minutes=1))
        )
        due = {
            d.id: f"creator{program_ids.index(d.program_id)}@creators.example"
            for d in session.scalars(sql_select(Deliverable).where(Deliverable.sequence == 1))
        }
    assert len(due) == creators
    return due


def assert_exactly_once(
    database: Database, inbox: GatedInbox, due: dict[int, str]
) -> dict[int, str | None]:
    """Every due reminder has one notice, each e-mail arrived at most once, and the only
    notices whose e-mail did not arrive are in doubt (``sending``, at most one). Returns
    {notice id: recipient} of the e-mails that did not arrive."""
    with database.session() as session:
        notices = list(
            session.scalars(
                sql_select(ProgramNotice).where(ProgramNotice.event == "program.deliverable_due")
            )
        )
    by_deliverable = Counter(n.deliverable_id for n in notices)
    assert set(by_deliverable) == set(due), "a due reminder has no notice"
    assert max(by_deliverable.values()) == 1, "a reminder was emitted twice"
    by_id = {n.id: n for n in notices}

    received = Counter()
    for message in inbox.messages:
        match = MESSAGE_ID.match(str(message["Message-ID"]))
        assert match is not None, message["Message-ID"]
        notice = by_id[int(match.group(1))]
        assert message["To"] == notice.email_to == due[notice.deliverable_id]
        received[notice.id] += 1
    doubled = {notice_id: n for notice_id, n in received.items() if n > 1}
    assert not doubled, f"e-mails sent twice: {doubled}"

    in_doubt = {n.id for n in notices if n.email_status == "sending"}
    missing = set(by_id) - set(received)
    assert len(in_doubt) <= 1, f"more than one notice in doubt: {in_doubt}"
    assert missing <= in_doubt, f"e-mails lost: {missing - in_doubt}"
    statuses = Counter(n.email_status for n in notices if n.id not in in_doubt)
    assert statuses == {"sent": len(notices) - len(in_doubt)}, statuses
    return {notice_id: by_id[notice_id].email_to for notice_id in missing}


# ---------------------------------------------------------------------------- the tests


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["inside_smtp_call", "anywhere"])
def test_sigkill_mid_tick_then_restart(
    kill_at: str, database: Database, settings: Settings, spawn: Callable[..., Child]
) -> None:
    """SIGKILL in the middle of a tick's e-mails, restart: nothing lost, nothing twice."""
    due = due_reminders(database, settings, CREATORS)
    with gated_smtp(HOLD_AFTER) as (inbox, port):
        if kill_at == "anywhere":
            inbox.release.set()  # no holding: the kill lands wherever the sender is
        first = spawn("first", port)
        assert first.state() == "leader"  # alone: on SQLite always, on PostgreSQL the lock
        sent_enough = inbox.holding if kill_at == "inside_smtp_call" else inbox.reached
        if not sent_enough.wait(TIMEOUT):
            first.fail(f"the SMTP server got only {len(inbox.messages)} messages")

        first.kill()
        before_restart = len(inbox.messages)
        assert before_restart < len(due), "the tick had finished: the kill tested nothing"
        inbox.release.set()

        second = spawn("second", port)
        assert second.state() == "leader"
        summary = second.expect(lambda line: line.startswith("programs.tick: {"), "a tick")
        assert '"reminders": 0' in summary  # the first process emitted them all
        second.expect(lambda line: line == "programs.tick: idle", "nothing left to do")
        second.stop()

    missing = assert_exactly_once(database, inbox, due)
    if kill_at == "inside_smtp_call":
        # The held message: committed as sending, never answered, and not sent again.
        assert list(missing.values()) == inbox.held
        assert len(inbox.messages) == len(due) - 1


@pytest.mark.slow
def test_two_schedulers_on_postgresql_one_leads_and_the_other_takes_over(
    database: Database, settings: Settings, spawn: Callable[..., Child]
) -> None:
    """Two processes on one PostgreSQL: one leads and works; SIGKILL it mid-tick, the other
    takes over and finishes; every reminder and e-mail exactly once (but the one in doubt)."""
    if database.dialect != "postgresql":
        pytest.skip("several schedulers need PostgreSQL's advisory lock")
    due = due_reminders(database, settings, CREATORS)
    with gated_smtp(HOLD_AFTER) as (inbox, port):
        pair = [spawn(name, port, "--leader-poll", "0.2") for name in ("a", "b")]
        states = {child.name: child.state() for child in pair}
        assert sorted(states.values()) == ["follower", "leader"], states
        leader = next(c for c in pair if states[c.name] == "leader")
        follower = next(c for c in pair if states[c.name] == "follower")
        if not inbox.holding.wait(TIMEOUT):
            leader.fail(f"the SMTP server got only {len(inbox.messages)} messages")
        # The follower did nothing while the leader worked.
        assert not any(line.startswith(("programs.", "outreach.")) for line in follower.drain())

        leader.kill()
        assert len(inbox.messages) == HOLD_AFTER
        inbox.release.set()

        follower.expect(lambda line: line == "leader", "the follower to take over")
        summary = follower.expect(lambda line: line.startswith("programs.tick: {"), "a tick")
        assert '"reminders": 0' in summary
        follower.expect(lambda line: line == "programs.tick: idle", "nothing left to do")
        follower.stop()

    missing = assert_exactly_once(database, inbox, due)
    assert list(missing.values()) == inbox.held  # the message the old leader was sending
    assert len(inbox.messages) == len(due) - 1


class TestOnce:
    """``--once --now``: the demo's way to advance time (in process: no SMTP, dry run)."""

    def run(self, settings: Settings, *args: str) -> Any:
        from typer.testing import CliRunner

        from cli.main import app

        env = {
            "CREATORMATCH_DATABASE_URL": settings.resolved_database_url,
            "CREATORMATCH_DATA_DIR": str(settings.data_dir),
            "CREATORMATCH_OUTREACH_DRY_RUN": "true",
        }
        return CliRunner().invoke(app, ["scheduler", *args], env=env)

    def test_runs_what_is_due_at_the_given_time_once(
        self, database: Database, settings: Settings
    ) -> None:
        due = due_reminders(database, settings, 3)
        with database.session() as session:
            remind_at = session.scalars(
                sql_select(Deliverable.remind_at).where(Deliverable.id.in_(due))
            ).first()
        assert remind_at is not None
        at = (remind_at.replace(tzinfo=UTC) + timedelta(seconds=1)).isoformat()

        first = self.run(settings, "--once", "--now", at)
        assert first.exit_code == 0, first.output
        summary = json.loads(first.stdout)
        assert summary["now"] == at
        assert summary["programs.tick"]["reminders"] == 3
        assert summary["programs.tick"]["emails_dry_run"] == 3
        assert summary["outreach.run_due"]["errors"] == []

        again = self.run(settings, "--once", "--now", at)
        assert again.exit_code == 0, again.output
        assert json.loads(again.stdout)["programs.tick"]["reminders"] == 0

    def test_now_needs_once(self, settings: Settings) -> None:
        result = self.run(settings, "--now", "2027-02-01T15:00:00Z")
        assert result.exit_code == 2
        assert "--now needs --once" in result.output

    def test_now_must_be_iso_8601(self, settings: Settings) -> None:
        result = self.run(settings, "--once", "--now", "next tuesday")
        assert result.exit_code == 2
        assert "ISO 8601" in result.output
