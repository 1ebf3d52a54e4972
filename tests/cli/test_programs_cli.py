"""``creatormatch programs``: create a 12-month program on the demo roster, submit, attribute
a sale, and see reminders, overdue flags and a report appear as time is advanced with the
scheduler's ``--now``-driven tick."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from core.settings import Settings
from models import Creator
from programs.service import ProgramService
from storage.database import Database
from tests.cli.test_cli import invoke


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> CliRunner:
    monkeypatch.setenv("CREATORMATCH_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CREATORMATCH_DATA_DIR", str(settings.data_dir))
    return CliRunner()


def test_a_program_from_the_command_line(
    runner: CliRunner, database: Database, settings: Settings
) -> None:
    code, _out, err = invoke(runner, "demo", "--creators", "20", "--seed", "3")
    assert code == 0, err
    with database.session() as session:
        creator = session.scalar(select(Creator.id).where(Creator.email.is_not(None)))
    code, out, err = invoke(
        runner, "programs", "create", "--creator", str(creator), "--name", "Ambassadors 2027",
        "--start", "2027-01-01", "--months", "12", "--timezone", "America/New_York",
        "--cadence", "instagram:feed post:2/month", "--cadence", "youtube:video:1/quarter",
        "--retainer", "1000", "--commission", "10", "--code", "DEMO10",
        "--now", "2026-12-01T00:00:00Z",
    )  # fmt: skip
    assert code == 0, err
    found = re.search(r"program (\d+): .* 28 deliverables", out)
    assert found is not None, out
    program = found.group(1)
    code, out, err = invoke(runner, "programs", "create", "--creator", str(creator), "--name",
                            "x", "--start", "2027-01-01", "--cadence", "instagram:post:2/year")  # fmt: skip
    assert code == 1 and "cadence[0].per" in err

    # Advance time: three days before the first due date (16 Jan) the reminder goes out.
    service = ProgramService(settings)
    service.tick(database, now=datetime(2027, 1, 13, 15, tzinfo=UTC))
    code, out, _ = invoke(runner, "programs", "show", program)
    assert out.count("program.deliverable_due") == 1
    first_id = re.search(r"#1\s+id (\d+)", out)
    assert first_id is not None
    code, out, err = invoke(
        runner, "programs", "submit", first_id.group(1), "--caption",
        "#ad My morning routine with the new Verdant SPF @verdant", "--likes", "250",
        "--comments", "30", "--now", "2027-01-16T17:00:00Z",
    )  # fmt: skip
    assert code == 0 and "on time, compliance compliant" in out, err
    code, out, err = invoke(
        runner, "programs", "conversion", "--order-id", "A-1", "--revenue", "200", "--code",
        "DEMO10", "--at", "2027-01-20T10:00:00Z",
    )  # fmt: skip
    assert code == 0 and "to program" in out, err
    service.tick(database, now=datetime(2027, 2, 1, 15, tzinfo=UTC))
    code, out, _ = invoke(runner, "programs", "show", program)
    assert out.count("program.deliverable_overdue") == 1  # the 31 January post never came
    assert "program.report" in out
    code, out, _ = invoke(runner, "programs", "report", program)
    (january,) = json.loads(out)
    assert (january["delivered"], january["missing"], january["revenue"]) == (1, 1, "200.00")
    assert january["cost"] == "1020.00"
    code, out, _ = invoke(runner, "programs", "report", program, "--csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["engagements"] == "280"
