"""Start-up stays lazy: ``creatormatch --help`` and the commands that need no model import none
of the libraries that cost seconds (issue 16 item 8). Each case runs the command in a fresh
interpreter and looks at ``sys.modules`` afterwards; the timings themselves are measured by
``bench/bench_cli.py``, not asserted here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.service import AccountService
from cli import scheduler as cli_scheduler
from programs import leader
from storage.database import Database

ROOT = Path(__file__).resolve().parents[2]

# What only matching, serving or fitting needs.
MODEL_STACK = frozenset(
    {
        "torch",
        "sentence_transformers",
        "transformers",
        "onnxruntime",
        "faiss",
        "sklearn",
        "scipy",
        "numpy",
        "fastapi",
        "uvicorn",
        "jinja2",
        "apscheduler",
        "docx",
        "argon2",
    }
)
# Help needs no database either.
HELP = MODEL_STACK | {"sqlalchemy", "alembic", "pydantic_settings", "models", "storage"}
# Listing rows needs SQLAlchemy and the models, not the migrations.
LISTS = MODEL_STACK | {"alembic"}

_PROBE = """
import json, sys
from cli.main import app
try:
    app(sys.argv[2:], prog_name="creatormatch")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}, fh)
"""


@pytest.fixture
def env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    """A data directory and a migrated SQLite database with organisation ``acme``."""
    path = tmp_path / "cli.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    database = Database(url)
    with database.session() as session:
        AccountService("pepper").create_organization(session, "acme")
    database.dispose()
    base = {k: v for k, v in os.environ.items() if not k.startswith("CREATORMATCH_")}
    return {
        **base,
        "CREATORMATCH_DATA_DIR": str(tmp_path / "var"),
        "CREATORMATCH_DATABASE_URL": url,
    }


def imported_by(args: list[str], env: dict[str, str], tmp_path: Path) -> tuple[object, set[str]]:
    """The exit code of ``creatormatch ARGS`` and the top-level modules it imported."""
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.exists(), done.stderr
    found = json.loads(out.read_text())
    return found["code"], set(found["modules"])


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        (["--help"], HELP),
        (["compliance", "--help"], HELP),
        (["match", "--help"], HELP),
        (["outreach", "draft", "--help"], HELP),
        (["programs", "submit", "--help"], HELP),
        (["scheduler", "--help"], HELP),
        (["users", "create", "--help"], HELP),
        (["orgs", "list"], LISTS),
        (["keys", "list", "--org", "acme"], LISTS),
        (["users", "list", "--org", "acme"], LISTS),
        (["db", "upgrade"], MODEL_STACK),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_command_imports_no_heavy_module(
    args: list[str], forbidden: frozenset[str], env: dict[str, str], tmp_path: Path
) -> None:
    code, modules = imported_by(args, env, tmp_path)
    assert code == 0
    assert sorted(modules & forbidden) == []


def test_the_probe_sees_what_a_command_imports(env: dict[str, str], tmp_path: Path) -> None:
    # The same probe on a command that must load the database layer finds it: an empty
    # answer above means "not imported", not "not looked at".
    code, modules = imported_by(["orgs", "list"], env, tmp_path)
    assert code == 0
    assert {"sqlalchemy", "models", "pydantic_settings"} <= modules


def test_scheduler_help_shows_the_leader_poll_default_of_programs_leader() -> None:
    # cli/scheduler.py repeats the constant so that `--help` need not import SQLAlchemy.
    assert cli_scheduler.DEFAULT_POLL_SECONDS == leader.DEFAULT_POLL_SECONDS
