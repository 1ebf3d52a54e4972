"""Start-up stays lazy (issue 16): ``creatormatch --help``, every sub-command's ``--help`` and
the commands that need no model import none of the libraries that cost seconds, and ``match``
and ``compliance check`` import only what they use. Each case runs in a fresh interpreter and
reads ``sys.modules`` afterwards; the timings themselves are measured by
``bench/bench_cli.py``, not asserted here."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from accounts.service import AccountService
from cli import scheduler as cli_scheduler
from creators.formats import parse_records
from creators.service import CreatorService
from jobs import leader
from storage.database import Database
from tests.factories import creator_record, jsonl

ROOT = Path(__file__).resolve().parents[2]

# What only matching, serving, fitting or the background jobs need.
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
        "starlette",
        "uvicorn",
        "api",
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
# A match needs the database, numpy, scikit-learn, faiss and its encoder; not the web or torch
# (the encoder here is a fake: the real one is the int8 ONNX export, see bench/bench_cli.py).
MATCH = frozenset(
    {
        "torch",
        "sentence_transformers",
        "transformers",
        "fastapi",
        "starlette",
        "uvicorn",
        "api",
        "jinja2",
        "apscheduler",
        "docx",
        "argon2",
        "alembic",
    }
)
# Checking a post needs the fitted classifiers (scikit-learn), not the database.
CHECK = MATCH | {"sqlalchemy", "models", "storage", "faiss", "onnxruntime", "matcher"}

_PROBE = r"""
import contextlib, io, json, sys

mode, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
from cli.main import app
import cli.common
import cli.main


def run(argv):
    try:
        app(argv, prog_name="creatormatch")
    except SystemExit as exc:
        return exc.code
    return 0


class HashEmbedder:
    # A stand-in for the model: the match path without loading the encoder.
    name = "hash-32"
    dim = 32

    def encode(self, texts, *, batch_size=64, show_progress=False):
        import numpy as np
        rows = np.full((len(texts), self.dim), 1e-3, dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                rows[i, sum(word.encode()) % self.dim] += 1.0
        return np.ascontiguousarray(rows / np.linalg.norm(rows, axis=1, keepdims=True))

    def encode_query(self, text):
        return self.encode([text])[0]


def hash_matcher(settings, **_kw):
    from matcher.service import MatchService
    return MatchService(settings.index_dir, HashEmbedder)


codes = []
if mode == "every-help":
    import typer.main

    paths = []

    def walk(command, path):
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    with contextlib.redirect_stdout(io.StringIO()):
        for path in paths:
            codes.append([" ".join(path), run([*path, "--help"])])
else:
    if mode == "hash-embedder":
        cli.common.match_service = hash_matcher
    with contextlib.redirect_stdout(io.StringIO()):
        codes.append([" ".join(args), run(args)])
with open(out, "w") as fh:
    json.dump({"codes": codes, "modules": sorted({m.split(".")[0] for m in sys.modules})}, fh)
"""


@pytest.fixture
def env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    """A data directory and a migrated SQLite database with organisation ``acme`` and three
    creators."""
    path = tmp_path / "cli.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    database = Database(url)
    records = [
        creator_record(handle="lena.greenkitchen"),
        creator_record(handle="plantglow.maya", bio="Vegan skincare and clean beauty."),
        creator_record(platform="tiktok", handle="trail.tom", bio="Hiking gear reviews."),
    ]
    with database.session() as session:
        org = AccountService("pepper").create_organization(session, "acme")
        CreatorService().import_rows(session, org.id, parse_records([jsonl(records)]))
    database.dispose()
    base = {k: v for k, v in os.environ.items() if not k.startswith("CREATORMATCH_")}
    return {
        **base,
        "CREATORMATCH_DATA_DIR": str(tmp_path / "var"),
        "CREATORMATCH_DATABASE_URL": url,
    }


def probe(mode: str, args: list[str], env: dict[str, str], tmp_path: Path) -> dict[str, Any]:
    """Run ``creatormatch ARGS`` (or every ``--help``) in a new interpreter: the exit codes
    and the top-level modules it imported."""
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, mode, str(out), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.exists(), done.stderr
    found: dict[str, Any] = json.loads(out.read_text())
    return found


def test_every_help_imports_no_heavy_module(env: dict[str, str], tmp_path: Path) -> None:
    found = probe("every-help", [], env, tmp_path)
    commands = {path for path, _code in found["codes"]}
    # the walk reached the nested commands, so the list below is every command's --help
    assert {"", "match", "compliance check", "outreach draft", "scheduler"} <= commands
    assert [c for c in found["codes"] if c[1] != 0] == []
    assert sorted(set(found["modules"]) & HELP) == []


@pytest.mark.parametrize(
    ("args", "forbidden"),
    [
        pytest.param(["orgs", "list"], LISTS, id="orgs list"),
        pytest.param(["keys", "list", "--org", "acme"], LISTS, id="keys list"),
        pytest.param(["users", "list", "--org", "acme"], LISTS, id="users list"),
        pytest.param(["db", "upgrade"], MODEL_STACK, id="db upgrade"),
    ],
)
def test_command_imports_no_heavy_module(
    args: list[str], forbidden: frozenset[str], env: dict[str, str], tmp_path: Path
) -> None:
    found = probe("plain", args, env, tmp_path)
    assert found["codes"] == [[" ".join(args), 0]]
    assert sorted(set(found["modules"]) & forbidden) == []


def test_match_imports_what_a_match_needs_only(env: dict[str, str], tmp_path: Path) -> None:
    found = probe("hash-embedder", ["match", "vegan skincare", "--org", "acme"], env, tmp_path)
    assert found["codes"] == [["match vegan skincare --org acme", 0]]
    modules = set(found["modules"])
    assert {"sqlalchemy", "numpy", "faiss", "matcher"} <= modules  # it did match
    assert sorted(modules & MATCH) == []


def test_compliance_check_imports_no_database_and_no_matcher(
    env: dict[str, str], tmp_path: Path
) -> None:
    post = tmp_path / "post.jsonl"
    post.write_text(
        json.dumps(
            {
                "id": "p1",
                "caption": "Love this serum #ad",
                "platform": "instagram",
                "media": "image",
                "material_connection": {"type": "paid", "brand": "GlowLab"},
                "jurisdiction": "US",
            }
        )
        + "\n"
    )
    found = probe("plain", ["compliance", "check", str(post)], env, tmp_path)
    assert found["codes"][0][1] in (0, 1)
    modules = set(found["modules"])
    assert "sklearn" in modules  # it did check, with the sponsored-post classifier
    assert sorted(modules & CHECK) == []


def test_the_probe_sees_what_a_command_imports(env: dict[str, str], tmp_path: Path) -> None:
    # The same probe on a command that must load the database layer finds it: an empty
    # answer above means "not imported", not "not looked at".
    found = probe("plain", ["orgs", "list"], env, tmp_path)
    assert found["codes"] == [["orgs list", 0]]
    assert {"sqlalchemy", "models", "pydantic_settings"} <= set(found["modules"])


def test_scheduler_help_shows_the_leader_poll_default_of_jobs_leader() -> None:
    # cli/scheduler.py repeats the constant so that `--help` need not import SQLAlchemy.
    assert cli_scheduler.DEFAULT_POLL_SECONDS == leader.DEFAULT_POLL_SECONDS
