"""A server killed mid-request (kill -9) must not leave an ``Idempotency-Key`` stuck: once
the dead request's lease runs out, the documented safe retry runs. Real ``creatormatch
serve`` processes on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from accounts.service import AccountService
from core.settings import Settings
from models import IdempotencyRecord
from storage.database import Database
from tests.factories import creator_record, jsonl

LEASE_S = 1.0
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CREATORMATCH_ENVIRONMENT": "test",
        "CREATORMATCH_DATABASE_URL": settings.resolved_database_url,
        "CREATORMATCH_DATA_DIR": str(settings.data_dir),
        "CREATORMATCH_API_KEY_PEPPER": settings.api_key_pepper.get_secret_value(),
        "CREATORMATCH_INDEX_WORKER": "false",
        "CREATORMATCH_SCHEDULER": "false",
        "CREATORMATCH_IDEMPOTENCY_LEASE_SECONDS": str(LEASE_S),
        "CREATORMATCH_LOG_LEVEL": "WARNING",
    }
    command = [str(Path(sys.executable).parent / "creatormatch"), "serve", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
        if process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"the server did not start: {log.read_text()[-2000:]}")


def _holds_key(database: Database, key: str) -> bool:
    with database.session() as session:
        found = session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
        return found is not None and found.status_code is None


@pytest.fixture
def key(settings: Settings, database: Database) -> str:
    accounts = AccountService(settings.api_key_pepper.get_secret_value())
    with database.session() as session:
        org = accounts.create_organization(session, "acme")
        return accounts.create_key(session, org, ["read", "write"]).secret


def test_a_retry_runs_after_the_server_was_killed_mid_request(
    settings: Settings, database: Database, key: str, tmp_path: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {
        "Authorization": f"Bearer {key}",
        "Idempotency-Key": "import-1",
        "Content-Type": "application/x-ndjson",
    }
    body = jsonl([creator_record(handle=f"crash.{n}") for n in range(3)])
    server = _start(settings, port, tmp_path / "first.log")
    release = threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield body[:10]
        release.wait(30)  # the server dies while it waits for the rest
        yield body[10:]

    def send_slowly() -> None:
        # the server dies under it: that is the point
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(f"{base}/v1/creators/import", content=slow_body(), headers=headers)

    client = threading.Thread(target=send_slowly, daemon=True)
    try:
        client.start()
        # Once the first request holds the key, a retry is told to wait.
        deadline = time.monotonic() + 20
        while not _holds_key(database, "import-1") and time.monotonic() < deadline:
            time.sleep(0.05)
        busy = httpx.post(f"{base}/v1/creators/import", content=body, headers=headers)
        assert busy.status_code == 409, busy.text
        assert busy.json()["code"] == "idempotency_in_progress"
        assert int(busy.headers["retry-after"]) >= 1
        server.send_signal(signal.SIGKILL)
        server.wait(10)
    finally:
        release.set()
        if server.poll() is None:
            server.kill()
        client.join(10)

    restarted = _start(settings, port, tmp_path / "second.log")
    try:
        time.sleep(LEASE_S * 1.5)  # the dead request's lease runs out
        retry = httpx.post(f"{base}/v1/creators/import", content=body, headers=headers)
        assert retry.status_code == 200, retry.text
        assert retry.json()["created"] == 3
        again = httpx.post(f"{base}/v1/creators/import", content=body, headers=headers)
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json() == retry.json()
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(20)
