from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from accounts.service import AccountService
from core.settings import Settings
from creators.service import CreatorService, ImportRejectedError
from models import Creator
from storage.database import Database
from tests.factories import creator_record, jsonl


@pytest.fixture
def org_id(settings: Settings, database: Database) -> int:
    with database.session() as session:
        accounts = AccountService(settings.api_key_pepper.get_secret_value())
        return accounts.create_organization(session, "acme").id


def run_import(database: Database, org_id: int, data: bytes, **kw: object):  # type: ignore[no-untyped-def]
    with database.session() as session:
        return CreatorService().import_stream(session, org_id, [data], batch_size=3, **kw)  # type: ignore[arg-type]


def count(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Creator)) or 0)


class TestImportService:
    def test_created_updated_unchanged(self, database: Database, org_id: int) -> None:
        rows = [creator_record(handle=f"h{i}", followers=1000 + i) for i in range(7)]
        first = run_import(database, org_id, jsonl(rows))
        assert (first.created, first.updated, first.unchanged) == (7, 0, 0)
        rows[2]["followers"] = 99_999
        rows[5]["bio"] = "new bio"
        rows[6]["updated_at"] = "2026-11-01T00:00:00Z"  # a new timestamp alone changes nothing
        rows.append(creator_record(handle="h7"))
        second = run_import(database, org_id, jsonl(rows))
        assert (second.created, second.updated, second.unchanged) == (1, 2, 5)
        with database.session() as session:
            bio = session.scalar(select(Creator.bio).where(Creator.handle == "h5"))
        assert bio == "new bio"

    def test_a_creator_twice_in_one_file_ends_with_the_last_version(
        self, database: Database, org_id: int
    ) -> None:
        rows = [
            creator_record(handle="dup", followers=1),
            creator_record(handle="@DUP", followers=2),
        ]
        summary = run_import(database, org_id, jsonl(rows))
        assert (summary.created, summary.updated) == (1, 1)
        with database.session() as session:
            assert session.scalar(select(Creator.followers)) == 2

    def test_all_or_nothing_writes_nothing_and_reports_every_error(
        self, database: Database, org_id: int
    ) -> None:
        rows = [creator_record(handle=f"h{i}") for i in range(10)]
        rows[1]["followers"] = -1
        rows[8]["country"] = "XX"
        with pytest.raises(ImportRejectedError) as info:
            run_import(database, org_id, jsonl(rows))
        assert [(e.line, e.field) for e in info.value.errors] == [(2, "followers"), (9, "country")]
        assert info.value.summary.rejected == 2
        assert count(database) == 0

    def test_skip_invalid_writes_valid_rows(self, database: Database, org_id: int) -> None:
        rows = [creator_record(handle=f"h{i}") for i in range(5)]
        rows[3]["platform"] = "friendster"
        summary = run_import(database, org_id, jsonl(rows), skip_invalid=True)
        assert (summary.created, summary.rejected) == (4, 1)
        assert summary.errors[0].line == 4 and summary.errors[0].field == "platform"
        assert count(database) == 4

    def test_empty_file_is_an_empty_import(self, database: Database, org_id: int) -> None:
        summary = run_import(database, org_id, b"\n\n")
        assert summary.rows == 0


def _wait_for_progress(proc: subprocess.Popen[bytes], rows: int) -> int:
    """Read the CLI's progress bar until it reports at least ``rows`` rows."""
    assert proc.stderr is not None
    seen = b""
    while True:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            raise AssertionError(f"import ended before {rows} rows: {seen[-500:]!r}")
        seen += chunk
        numbers = [int(n) for n in re.findall(rb"import: (\d+) rows", seen)]
        if numbers and max(numbers) >= rows:
            return max(numbers)


def test_sigkill_mid_import_leaves_the_database_consistent_and_a_rerun_finishes(
    tmp_path: Path, settings: Settings, database: Database, org_id: int
) -> None:
    total = 6000
    path = tmp_path / "big.jsonl"
    path.write_bytes(jsonl([creator_record(handle=f"c{i}", followers=i) for i in range(total)]))
    env = {
        **os.environ,
        "CREATORMATCH_DATABASE_URL": settings.resolved_database_url,
        "CREATORMATCH_DATA_DIR": str(settings.data_dir),
        "CREATORMATCH_IMPORT_BATCH_SIZE": "100",
    }
    command = [sys.executable, "-m", "cli.main", "creators", "import", str(path), "--org", "acme"]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as proc:
        try:
            reached = _wait_for_progress(proc, 1500)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert reached < total
    # Rows had been written inside the transaction, but none were committed.
    assert count(database) == 0
    if database.dialect == "sqlite":
        with database.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    rerun = subprocess.run(
        [*command, "--json", "--quiet"], env=env, capture_output=True, check=True, timeout=300
    )
    assert b'"created": 6000' in rerun.stdout
    assert count(database) == total
    again = subprocess.run(
        [*command, "--json", "--quiet"], env=env, capture_output=True, check=True, timeout=300
    )
    assert b'"unchanged": 6000' in again.stdout
