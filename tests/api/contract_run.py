"""The command-line schemathesis run against a real ``creatormatch serve``, on SQLite or on a
throwaway PostgreSQL (tests/pg.py): the run of the closing note of a change to the API.

    .venv/bin/python -m tests.api.contract_run sqlite
    .venv/bin/python -m tests.api.contract_run postgresql --max-examples 20 -- --workers 2

It builds the suite's little world (tests/api/world.py: one object of each kind, a built
index) in a fresh database, serves it with ``creatormatch serve`` on a free port of
127.0.0.1, and runs ``schemathesis run .../openapi.json --checks all`` with every phase
(examples, coverage, fuzzing, stateful; ``--scenarios`` for the last), the settings of
``schemathesis.toml`` and a fresh admin key for every request
(tests/api/schemathesis_hooks.py). schemathesis' summary is the result (operations, cases,
failures by check, time); the exit status is its own. Arguments after ``--`` go to
``schemathesis run``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from core.settings import Settings
from storage.database import Database
from storage.migrate import upgrade
from tests.api.contract import ROOT
from tests.api.world import build_world
from tests.factories import add_key, make_org_with_key
from tests.pg import _free_port, throwaway_cluster

BIN = Path(sys.executable).parent


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'contract.db'}"
        return
    with throwaway_cluster() as server:
        if server is None:
            raise SystemExit("no PostgreSQL: install Debian's postgresql (tests/pg.py)")
        admin = create_engine(
            make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        name = f"cm_contract_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        yield make_url(server).set(database=name).render_as_string(hide_password=False)


def _world(settings: Settings) -> int:
    """Migrate and fill the database, build the index; the organisation's id."""
    database = Database(settings.resolved_database_url)
    upgrade(database.engine)
    app = create_app(settings, database=database)
    with TestClient(app) as client:
        api = make_org_with_key(client, settings, database, "acme", ["read"])
        admin = replace(api, key=add_key(settings, database, api.org_id, ["admin"]))
        build_world(admin, database, app.state.matcher)
    database.dispose()
    return api.org_id


@contextmanager
def _serving(env: dict[str, str], log: Path) -> Iterator[str]:
    port = _free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(BIN / "creatormatch"), "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None:
                    raise SystemExit(f"the server stopped: see {log}")
                time.sleep(0.5)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="Arguments after -- go to schemathesis run."
    )
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    parser.add_argument("--max-examples", type=int, default=10, help="per operation and phase")
    parser.add_argument("--scenarios", type=int, default=100, help="of the stateful phase")
    parser.add_argument("--seed", type=int, default=1)
    argv = sys.argv[1:] if argv is None else argv
    rest = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: len(argv) - len(rest) - (1 if rest else 0)])
    with tempfile.TemporaryDirectory(prefix="cm-contract-") as tmp:
        folder = Path(tmp)
        with _database(args.backend, folder) as url:
            settings = Settings(
                data_dir=folder / "var",
                database_url=url,
                rate_limit_per_minute=1_000_000,
                index_worker=False,
                scheduler=False,
                _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
            )
            org_id = _world(settings)
            env = {
                **os.environ,
                "CREATORMATCH_DATA_DIR": str(settings.data_dir),
                "CREATORMATCH_DATABASE_URL": url,
                "CREATORMATCH_RATE_LIMIT_PER_MINUTE": "1000000",
                "CREATORMATCH_LOG_LEVEL": "WARNING",
                "CREATORMATCH_CONTRACT_ORG_ID": str(org_id),
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
            }
            # schemathesis.toml, with more scenarios than the suite's few.
            config = folder / "schemathesis.toml"
            config.write_text(
                (ROOT / "schemathesis.toml").read_text()
                + f"\n[phases.stateful.generation]\nmax-examples = {args.scenarios}\n"
            )
            with _serving(env, folder / "server.log") as base:
                command = [
                    str(BIN / "schemathesis"),
                    "--config-file",
                    str(config),
                    "run",
                    f"{base}/openapi.json",
                    "--checks",
                    "all",
                    "--phases",
                    "examples,coverage,fuzzing,stateful",
                    "--max-examples",
                    str(args.max_examples),
                    "--seed",
                    str(args.seed),
                    *rest,
                ]
                print("$", " ".join(command), flush=True)
                hooks = {**env, "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks"}
                started = time.monotonic()
                status = subprocess.run(command, env=hooks, cwd=ROOT, check=False).returncode
                print(
                    f"{args.backend}: schemathesis exited {status} after "
                    f"{time.monotonic() - started:.0f} s",
                    flush=True,
                )
            errors = (folder / "server.log").read_text().count("unhandled error on")
            print(f"server log: {errors} unhandled errors (500)", flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
