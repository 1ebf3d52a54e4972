"""Leader election for the scheduler: with several replicas on one PostgreSQL, one runs jobs.

APScheduler 3 cannot share a job store between processes (see ``postgres-ci.md`` in the shared
docs), so every replica keeps its own in-memory scheduler, started paused, and only the
holder of a PostgreSQL session-level advisory lock resumes it:

- a thread keeps **one dedicated connection** (outside the application's pool, autocommit)
  and every ``poll_seconds`` either tries ``pg_try_advisory_lock(LOCK_KEY)`` (a follower) or
  checks the connection with ``SELECT 1`` (the leader);
- the holder is the leader; when that connection fails the process stops being the leader
  at once (the server releases the lock when it drops the session), reconnects and tries
  again from the next poll on;
- a process that dies (even by SIGKILL) closes its socket, the server ends the session and
  the lock is free: a follower takes over within ``poll_seconds``.

Advisory locks are per database, so two creatormatch databases on one server each have
their own leader. This does not work through a PgBouncer in transaction-pooling mode (the
session, and so the lock, would be shared). While a leader's connection is cut but the
server has not noticed yet, no one else can take the lock; once the server dropped the
session, the old leader may still be inside a job for up to one poll: the jobs are
idempotent, which is what makes that window harmless.

SQLite has no lock server: the process is always the leader. Run one scheduler per SQLite
file (``creatormatch serve`` or ``creatormatch scheduler``, not several).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

__all__ = ["DEFAULT_POLL_SECONDS", "LOCK_KEY", "LeaderElector"]

_log = logging.getLogger("creatormatch.scheduler.leader")

# The advisory-lock key of the scheduler: the bytes b"cm-sched" as a signed 64-bit integer.
# Fixed forever: replicas of different versions must compete for the same lock.
LOCK_KEY = 0x636D2D7363686564
DEFAULT_POLL_SECONDS = 5.0

Listener = Callable[[bool], None]


class LeaderElector:
    """Tells whether this process is the scheduler's leader, and calls listeners on change.

    Listeners get ``True`` when the process becomes the leader and ``False`` when it is a
    follower: once after the first attempt (when the lock is taken by someone else or the
    database is unreachable) and whenever leadership is lost. They run on the elector's
    thread (or, for SQLite, in :meth:`start`); one that raises is logged and ignored.

    Args:
        database_url: the SQLAlchemy URL of the application's database.
        poll_seconds: how often a follower tries the lock and the leader checks its
            connection; a dead leader is replaced within about this long.
        key: the advisory-lock key (tests use their own).
        connect_timeout: seconds to wait for a new connection.
    """

    def __init__(
        self,
        database_url: str,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        key: int = LOCK_KEY,
        connect_timeout: float = 10.0,
    ) -> None:
        if poll_seconds <= 0:
            raise ValueError("poll_seconds must be > 0")
        url = make_url(database_url)
        self.dialect = url.get_backend_name()
        self.poll_seconds = poll_seconds
        self.key = key
        self.backend_pid: int | None = None  # the PostgreSQL session holding or trying
        self.leading = threading.Event()  # set while this process is the leader
        self._state: bool | None = None
        self._listeners: list[Listener] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        if self.dialect == "postgresql":
            if url.drivername == "postgresql":
                url = url.set(drivername="postgresql+psycopg")
            connect_args: dict[str, Any] = {
                "connect_timeout": max(1, round(connect_timeout)),
                "application_name": "creatormatch scheduler leader",
                # A silent network failure is noticed by both ends within about 25 s.
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
            }
            self._engine = create_engine(
                url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=connect_args
            )

    @property
    def is_leader(self) -> bool:
        return self.leading.is_set()

    def add_listener(self, listener: Listener, *, first: bool = False) -> None:
        """Call ``listener(is_leader)`` on every change, in the order added (``first``: before
        the others); add listeners before :meth:`start`."""
        if first:
            self._listeners.insert(0, listener)
        else:
            self._listeners.append(listener)

    def start(self) -> None:
        """Begin the election (for SQLite: become the leader now)."""
        if self._engine is None:
            self._set(True)
            return
        self._thread = threading.Thread(
            target=self._run, name="creatormatch-scheduler-leader", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Leave the election and release the lock (its connection is closed).

        Listeners are not called: the caller is shutting the scheduler down anyway, and
        should do so *before* this, so that no job of this process still runs when another
        one takes over."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._state = False
        self.leading.clear()
        if self._engine is not None:
            self._engine.dispose()

    def wait_leader(self, timeout: float | None = None) -> bool:
        """Block until this process leads (or ``timeout`` seconds passed); True if it leads."""
        return self.leading.wait(timeout)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        while True:
            self._poll()
            if self._stop.wait(self.poll_seconds):
                break
        self._close()

    def _poll(self) -> None:
        try:
            if self._connection is None:
                self._connection = self._connect()
            if self._state:
                self._connection.execute(text("SELECT 1"))
                return
            got = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
            self._set(bool(got))
        except (SQLAlchemyError, OSError) as exc:
            # The session is gone, and with it the lock (or we never had it).
            _log.warning("scheduler leader election: database connection failed: %s", exc)
            self._close()
            self._set(False)

    def _connect(self) -> Connection:
        assert self._engine is not None
        connection = self._engine.connect()
        self.backend_pid = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        return connection

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        self.backend_pid = None
        if connection is None:
            return
        try:
            # Closing the session releases the lock; unlocking first does not hurt.
            if self._state:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            connection.close()
        except (SQLAlchemyError, OSError):
            try:
                connection.invalidate()
            except SQLAlchemyError:
                _log.debug("scheduler leader connection already gone")

    def _set(self, leader: bool) -> None:
        if leader == self._state:
            return
        self._state = leader
        if leader:
            self.leading.set()
        else:
            self.leading.clear()
        _log.info("scheduler: %s", "leader" if leader else "follower")
        for listener in self._listeners:
            try:
                listener(leader)
            except Exception:  # a listener must not end the election
                _log.exception("scheduler leader listener failed")
