"""Alembic migrations; run them with ``creatormatch db upgrade``."""
