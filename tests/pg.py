"""A throwaway PostgreSQL for the test session (see shared/docs/postgres-ci.md).

``CREATORMATCH_TEST_POSTGRES_URL`` points at a server someone else started. Otherwise, when
Debian's PostgreSQL binaries are installed and we are root, a cluster is started as the OS user
``postgres`` in a temporary folder, with fsync off, and stopped at the end. Without either the
PostgreSQL half of the suite is skipped, unless ``CREATORMATCH_REQUIRE_POSTGRES=1`` (CI), where
it fails instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bin_dir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return os.path.dirname(candidates[0]) if candidates else None


@contextmanager
def throwaway_cluster() -> Iterator[str | None]:
    """Yield a server URL (``postgresql://postgres@127.0.0.1:PORT/postgres``) or None."""
    given = os.environ.get("CREATORMATCH_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = _bin_dir()
    if bin_dir is None or os.geteuid() != 0 or shutil.which("runuser") is None:
        yield None
        return
    data = tempfile.mkdtemp(prefix="cm-pgdata-")
    shutil.chown(data, "postgres", "postgres")
    port = _free_port()

    def as_postgres(*args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    as_postgres(
        f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
    )
    # The port was free when asked; with several pytest workers another process may take it
    # before the server binds it, so a failed start tries a new port (three times at most).
    for attempt in range(3):
        options = (
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        try:
            as_postgres(
                f"{bin_dir}/pg_ctl",
                "-D",
                data,
                "-l",
                f"{data}/server.log",
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            )
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise
            port = _free_port()
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        as_postgres(f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)
