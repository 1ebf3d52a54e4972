from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from models import Base
from storage.database import Database
from storage.migrate import current_revision, head_revision, upgrade


def test_migrations_build_exactly_the_models_schema(database: Database) -> None:
    # The database fixture was migrated with Alembic; autogenerate must find nothing to do.
    assert current_revision(database.engine) == head_revision()
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(database: Database) -> None:
    upgrade(database.engine, "head")
    from alembic import command

    from storage.migrate import alembic_config

    config = alembic_config(database.engine.url.render_as_string(hide_password=False))
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert "creators" not in inspect(database.engine).get_table_names()
    upgrade(database.engine)
    assert "creators" in inspect(database.engine).get_table_names()


def test_sqlite_pragmas_are_on(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/p.db")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    db.dispose()
