"""Persistence: the engine and sessions (with the SQLite/PostgreSQL differences in one place),
the Alembic migrations runner, and the repositories that hold every query."""
