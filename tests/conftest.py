"""Fixtures: a fresh database per test, on SQLite and on PostgreSQL.

Tests that take ``database`` (or anything built on it) run once per backend. The schema comes
from the Alembic migrations (migrated once into a template, then copied per test), so every
test also exercises the migrations.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from accounts import users
from api.app import create_app
from core.settings import Settings
from matcher.embedder import Embedder, SentenceTransformerEmbedder
from matcher.service import MatchService
from storage.database import Database
from storage.migrate import upgrade
from tests.factories import ApiClient, make_org_with_key
from tests.pg import throwaway_cluster

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at its smallest cost in tests: the same code path, ~100 times faster (the
    suite creates users and signs in hundreds of times; production keeps the defaults)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    with throwaway_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str | None) -> str | None:
    if postgres_server is None:
        return None
    admin = create_engine(
        make_url(postgres_server).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    name = f"cm_template_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return name


def _require_postgres() -> None:
    if os.environ.get("CREATORMATCH_REQUIRE_POSTGRES") == "1":
        pytest.fail("PostgreSQL is required (CREATORMATCH_REQUIRE_POSTGRES=1) but unavailable")
    pytest.skip("no PostgreSQL available: install postgresql or set CREATORMATCH_TEST_POSTGRES_URL")


@contextmanager
def fresh_database(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[str]:
    """A URL to a fresh, migrated, empty database of ``backend`` (an SQLite file in
    ``folder``, or a database on the session's PostgreSQL server, dropped afterwards)."""
    if backend == "sqlite":
        path = folder / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    if server is None or template is None:
        _require_postgres()
    admin = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = f"cm_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to a fresh, migrated, empty database of each backend."""
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "var",
        database_url=database_url,
        max_upload_bytes=2 * 1024 * 1024,
        import_batch_size=50,
        index_worker=False,
        scheduler=False,
        _env_file=None,  # type: ignore[call-arg]  # pydantic-settings' init-only option
    )


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.resolved_database_url)
    yield db
    db.dispose()


class CachingEmbedder:
    """The real model, with each distinct text encoded once per test session (the suite
    encodes the same demo documents in many tests and on both databases)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: dict[str, Any] = {}

    def encode(self, texts: Any, *, batch_size: int = 64, show_progress: bool = False) -> Any:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, row in zip(
                missing, self.inner.encode(missing, batch_size=batch_size), strict=True
            ):
                self._cache[text] = row
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(np.stack([self._cache[t] for t in texts]))

    def encode_query(self, text: str) -> Any:
        return self.inner.encode_query(text)


@pytest.fixture(scope="session")
def embedder() -> CachingEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once per test session."""
    return CachingEmbedder(SentenceTransformerEmbedder())


@pytest.fixture
def matcher(settings: Settings, request: pytest.FixtureRequest) -> MatchService:
    """A match service over this test's index folder; the model loads on first use only."""

    def factory() -> Embedder:
        loaded: Embedder = request.getfixturevalue("embedder")
        return loaded

    return MatchService(settings.index_dir, factory)


@pytest.fixture
def client(settings: Settings, database: Database, matcher: MatchService) -> Iterator[TestClient]:
    app = create_app(settings, database=database, matcher=matcher)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def acme(client: TestClient, settings: Settings, database: Database) -> ApiClient:
    """Organisation "acme" with a read/write key, as an API client."""
    return make_org_with_key(client, settings, database, "acme", ["read", "write"])


@pytest.fixture
def globex(client: TestClient, settings: Settings, database: Database) -> ApiClient:
    """A second organisation, to prove that tenants never see each other."""
    return make_org_with_key(client, settings, database, "globex", ["read", "write"])
