"""at most one compliance fix of a check to a creator waiting to go out (two clicks at the
same moment)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WAITING = "kind = 'compliance_fix' AND status IN ('queued', 'sending')"


def upgrade() -> None:
    # Duplicates written before this guard: keep the oldest waiting one, cancel the rest.
    connection = op.get_bind()
    outbox = sa.table(
        "outbox_messages",
        sa.column("id", sa.Integer()),
        sa.column("organization_id", sa.Integer()),
        sa.column("compliance_check_id", sa.Integer()),
        sa.column("creator_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("status", sa.String()),
        sa.column("error", sa.Text()),
    )
    rows = connection.execute(
        sa.select(
            outbox.c.id,
            outbox.c.organization_id,
            outbox.c.compliance_check_id,
            outbox.c.creator_id,
        )
        .where(sa.text(_WAITING))
        .order_by(outbox.c.id)
    ).all()
    seen: set[tuple[int, int | None, int | None]] = set()
    for message_id, org, check, creator in rows:
        key = (org, check, creator)
        if key in seen:
            connection.execute(
                outbox.update()
                .where(outbox.c.id == message_id)
                .values(status="failed", error="a second fix of the same check waiting to go out")
            )
        seen.add(key)
    op.create_index(
        "uq_outbox_fix_waiting",
        "outbox_messages",
        ["organization_id", "compliance_check_id", "creator_id"],
        unique=True,
        sqlite_where=sa.text(_WAITING),
        postgresql_where=sa.text(_WAITING),
    )


def downgrade() -> None:
    op.drop_index("uq_outbox_fix_waiting", table_name="outbox_messages")
