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
    from storage.database import Database

__all__ = ["DEMO_ORG", "_database", "_fail", "_fitted_models", "_settings"]

DEMO_ORG = "demo"


def _settings() -> Settings:
    from core.settings import Settings

    return Settings()


@contextlib.contextmanager
def _fitted_models(settings: Settings | None) -> Iterator[None]:
    """Keep the fitted compliance classifiers in ``<data_dir>/cache`` (core/fitcache.py): a
    command that checks a post then loads them instead of fitting them (~1.4 s) again."""
    from core.fitcache import use_directory

    with use_directory(settings.data_dir / "cache" if settings is not None else None):
        yield


@contextlib.contextmanager
def _database() -> Iterator[tuple[Settings, Database]]:
    from storage.database import Database

    settings = _settings()
    database = Database(settings.resolved_database_url)
    try:
        with _fitted_models(settings):
            yield settings, database
    finally:
        database.dispose()


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)
