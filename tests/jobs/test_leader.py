"""Leader election of the scheduler: on PostgreSQL two electors on separate connections (as
two replicas would have) never both lead, and a leader that leaves or loses its connection
hands over; on SQLite the process always leads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jobs.leader import LOCK_KEY, LeaderElector
from jobs.scheduler import start_elected, stop_elected

TIMEOUT = 20.0
POLL = 0.1


class Changes:
    """Every (elector name, is_leader) the listeners reported, in order."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []
        self._cond = threading.Condition()

    def listener(self, name: str) -> Callable[[bool], None]:
        def record(leading: bool) -> None:
            with self._cond:
                self.seen.append((name, leading))
                self._cond.notify_all()

        return record

    def wait(self, predicate: Callable[[], bool], what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(predicate, timeout=TIMEOUT):
                pytest.fail(f"timed out waiting for {what}; changes: {self.seen}")


@pytest.fixture
def pg_url(database_url: str) -> str:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("leader election with a lock server is PostgreSQL's")
    return database_url


@pytest.fixture
def electors(pg_url: str) -> Iterator[tuple[dict[str, LeaderElector], Changes]]:
    changes = Changes()
    pair = {name: LeaderElector(pg_url, poll_seconds=POLL) for name in ("a", "b")}
    for name, elector in pair.items():
        elector.add_listener(changes.listener(name))
    yield pair, changes
    for elector in pair.values():
        elector.stop()


def lock_holder(url: str) -> list[int]:
    """The backend pids holding the scheduler's advisory lock, seen from another session."""
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = "
                    "current_database()) "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": LOCK_KEY},
            )
            return [int(pid) for (pid,) in rows]
    finally:
        engine.dispose()


def both_decided(changes: Changes) -> bool:
    return {name for name, _ in changes.seen} == {"a", "b"}


class TestPostgresElection:
    def test_only_one_of_two_leads(
        self, electors: tuple[dict[str, LeaderElector], Changes], pg_url: str
    ) -> None:
        pair, changes = electors
        for elector in pair.values():
            elector.start()
        changes.wait(lambda: both_decided(changes), "both electors to decide")
        leaders = [name for name, e in pair.items() if e.is_leader]
        assert len(leaders) == 1, changes.seen
        assert sorted(state for _, state in changes.seen) == [False, True]
        assert lock_holder(pg_url) == [pair[leaders[0]].backend_pid]

    def test_a_leader_that_stops_hands_over(
        self, electors: tuple[dict[str, LeaderElector], Changes], pg_url: str
    ) -> None:
        pair, changes = electors
        for elector in pair.values():
            elector.start()
        changes.wait(lambda: both_decided(changes), "both electors to decide")
        leader = next(name for name, e in pair.items() if e.is_leader)
        other = "b" if leader == "a" else "a"

        pair[leader].stop()  # closes its connection: the server releases the lock

        assert pair[other].wait_leader(TIMEOUT), changes.seen
        assert not pair[leader].is_leader
        assert changes.seen[-1] == (other, True)
        assert lock_holder(pg_url) == [pair[other].backend_pid]

    def test_a_leader_whose_connection_drops_stops_leading(
        self, electors: tuple[dict[str, LeaderElector], Changes], pg_url: str
    ) -> None:
        pair, changes = electors
        for elector in pair.values():
            elector.start()
        changes.wait(lambda: both_decided(changes), "both electors to decide")
        leader = next(name for name, e in pair.items() if e.is_leader)
        pid = pair[leader].backend_pid
        assert pid is not None
        decided = len(changes.seen)

        # The server ends the leader's session, as a restart or a network cut would.
        admin = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"))
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        admin.dispose()

        changes.wait(
            lambda: (leader, False) in changes.seen[decided:], "the leader to notice the drop"
        )
        changes.wait(lambda: any(state for _, state in changes.seen[decided:]), "a new leader")
        leaders = [e for e in pair.values() if e.is_leader]
        assert len(leaders) == 1, changes.seen
        assert lock_holder(pg_url) == [leaders[0].backend_pid]
        assert leaders[0].backend_pid != pid

    def test_only_the_leaders_scheduler_runs_jobs(self, pg_url: str) -> None:
        runs: list[str] = []
        ran = threading.Condition()

        def job(name: str) -> None:
            with ran:
                runs.append(name)
                ran.notify_all()

        def wait_runs(count: int, what: str) -> None:
            with ran:
                if not ran.wait_for(lambda: len(runs) >= count, timeout=TIMEOUT):
                    pytest.fail(f"timed out waiting for {what}; runs: {runs}")

        pair: dict[str, tuple[BackgroundScheduler, LeaderElector]] = {}
        for name in ("a", "b"):
            scheduler = BackgroundScheduler(timezone="UTC")
            scheduler.add_job(job, "interval", seconds=0.1, id="job", args=[name])
            pair[name] = (scheduler, LeaderElector(pg_url, poll_seconds=POLL))
        try:
            for scheduler, elector in pair.values():
                start_elected(scheduler, elector)
            wait_runs(5, "five runs")
            with ran:
                first = set(runs)
            assert len(first) == 1, runs
            leader = first.pop()
            other = "b" if leader == "a" else "a"

            stop_elected(*pair[leader])
            with ran:
                before = len(runs)
            wait_runs(before + 5, "five runs after the handover")
            with ran:
                assert set(runs[before:]) == {other}, runs
        finally:
            for scheduler, elector in pair.values():
                if scheduler.running:
                    stop_elected(scheduler, elector)


def test_sqlite_always_leads(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("SQLite's case")
    changes = Changes()
    elector = LeaderElector(database_url, poll_seconds=POLL)
    elector.add_listener(changes.listener("only"))
    elector.start()
    try:
        assert elector.is_leader
        assert changes.seen == [("only", True)]
    finally:
        elector.stop()


def test_a_new_leader_runs_every_job_at_once(database_url: str) -> None:
    """Catch-up: the jobs run when leadership starts, not one interval later."""
    ran = threading.Event()
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(ran.set, "interval", seconds=3600, id="hourly")
    elector = LeaderElector(database_url, poll_seconds=POLL)
    start_elected(scheduler, elector)
    try:
        assert ran.wait(TIMEOUT)
    finally:
        stop_elected(scheduler, elector)


def test_serve_runs_the_scheduler_through_the_election(database_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.settings import Settings

    settings = Settings(
        environment="test",
        data_dir=tmp_path / "var",
        database_url=database_url,
        index_worker=False,
        scheduler=True,
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
    )
    app = create_app(settings)
    with TestClient(app):
        elector = app.state.scheduler_leader
        assert elector.wait_leader(TIMEOUT)
        assert app.state.scheduler.running
    assert not elector.is_leader
    assert not app.state.scheduler.running
