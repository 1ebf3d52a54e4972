"""What every ``creatormatch`` sub-command module shares: the settings, a database for one
command, and how a command fails. Sub-command modules import from here, never from
``cli.main`` (which imports them).

Start-up stays fast because the CLI modules import at their top only what every command needs
(typer and the standard library); each command imports its services, SQLAlchemy, the
matcher and so on in its body. ``tests/cli/test_startup.py`` keeps it so."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from core.settings import Settings
    from matcher.service import MatchService
    from storage.database import Database

__all__ = ["DEMO_ORG", "fail", "fitted_models", "load_settings", "open_database"]

DEMO_ORG = "demo"


def load_settings() -> Settings:
    from core.settings import Settings

    return Settings()


@contextlib.contextmanager
def fitted_models(settings: Settings | None) -> Iterator[None]:
    """Keep the fitted compliance classifiers in ``<data_dir>/cache`` (core/fitcache.py): a
    command that checks a post then loads them instead of fitting them (~1.4 s) again."""
    from core.fitcache import use_directory

    with use_directory(settings.data_dir / "cache" if settings is not None else None):
        yield


@contextlib.contextmanager
def open_database() -> Iterator[tuple[Settings, Database]]:
    from storage.database import Database

    settings = load_settings()
    database = Database(settings.resolved_database_url)
    try:
        with fitted_models(settings):
            yield settings, database
    finally:
        database.dispose()


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def match_service(settings: Settings, *, batch: bool = False) -> MatchService:
    """The matcher of a command. A batch job (index build) may use every core for FAISS; a
    single match uses one. Commands call it as ``common.match_service`` so a test can put a
    matcher of its own in its place."""
    from matcher.service import default_matcher

    return default_matcher(settings, faiss_threads=None if batch else 1)
