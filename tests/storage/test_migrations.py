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


def _downgrade(database: Database, revision: str) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    config = alembic_config(database.engine.url.render_as_string(hide_password=False))
    with database.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_0013_keys_the_reason_codes_of_existing_checks(database: Database) -> None:
    """Checks stored before the reviewer's workflow get their reason-code key (the code
    filter of the queue reads it), and keep working without an assignee."""
    from sqlalchemy import text

    _downgrade(database, "0012")
    with database.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organizations (name, created_at) VALUES ('o', :t)"),
            {"t": "2026-01-01 00:00:00"},
        )
        org = conn.execute(text("SELECT id FROM organizations")).scalar_one()
        for reasons, status in (
            ('["NO_DISCLOSURE", "NOT_UPFRONT"]', "pending"),
            ("[]", "not_required"),
        ):
            conn.execute(
                text(
                    "INSERT INTO compliance_checks (organization_id, platform, jurisdiction, "
                    "verdict, priority, reasons, post, result, checked_by, created_at, "
                    "review_status, final_verdict) VALUES (:org, 'instagram', 'US', "
                    "'non_compliant', 0, :reasons, '{}', '{}', 'api-key:x', :t, :status, "
                    "'non_compliant')"
                ),
                {"org": org, "reasons": reasons, "t": "2026-01-01 00:00:00", "status": status},
            )
    upgrade(database.engine)
    with database.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT reason_key, assignee FROM compliance_checks ORDER BY id")
        ).all()
    assert [tuple(r) for r in rows] == [("|NO_DISCLOSURE|NOT_UPFRONT|", None), ("", None)]
