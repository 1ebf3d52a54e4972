"""the reviewer's workflow: an assignee, a creator and a reason-code key per compliance check;
one-off outbox messages (the suggested fix sent to a creator)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("compliance_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_key", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("assignee", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("assigned_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("creator_id", _ID, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_compliance_checks_creator_id_creators"),
            "creators",
            ["creator_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            "ix_compliance_checks_assignee", ["organization_id", "assignee"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_compliance_checks_creator_id"), ["creator_id"], unique=False
        )

    # The reason-code key of the checks made so far, from their reasons.
    checks = sa.table(
        "compliance_checks",
        sa.column("id", _ID),
        sa.column("reasons", models.base.JsonType),
        sa.column("reason_key", sa.Text()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(checks.c.id, checks.c.reasons)).all()
    for check_id, reasons in rows:
        if reasons:
            connection.execute(
                checks.update()
                .where(checks.c.id == check_id)
                .values(reason_key="|" + "|".join(str(code) for code in reasons) + "|")
            )

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=40), nullable=False, server_default="sequence")
        )
        batch_op.alter_column("entry_id", existing_type=_ID, nullable=True)
        batch_op.add_column(sa.Column("creator_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("compliance_check_id", _ID, nullable=True))
        batch_op.add_column(
            sa.Column("next_attempt_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_creator_id_creators"),
            "creators",
            ["creator_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_messages_compliance_check_id_compliance_checks"),
            "compliance_checks",
            ["compliance_check_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_outbox_kind_status", ["kind", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_creator_id"), ["creator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_compliance_check_id"),
            ["compliance_check_id"],
            unique=False,
        )


def downgrade() -> None:
    # One-off messages have no pipeline entry: they cannot exist in the older schema.
    op.execute(sa.text("DELETE FROM outbox_messages WHERE entry_id IS NULL"))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_compliance_check_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_creator_id"))
        batch_op.drop_index("ix_outbox_kind_status")
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_compliance_check_id_compliance_checks"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_messages_creator_id_creators"), type_="foreignkey"
        )
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("compliance_check_id")
        batch_op.drop_column("creator_id")
        batch_op.alter_column("entry_id", existing_type=_ID, nullable=False)
        batch_op.drop_column("kind")

    # Decisions made with the new names read as the old ones: a confirmed violation was a
    # rejection of the post, a cleared post an override to compliant.
    op.execute(
        sa.text(
            "UPDATE compliance_checks SET review_status = 'rejected' "
            "WHERE review_status = 'confirmed'"
        )
    )
    op.execute(
        sa.text(
            "UPDATE compliance_checks SET review_status = 'overridden' "
            "WHERE review_status = 'cleared'"
        )
    )
    with op.batch_alter_table("compliance_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compliance_checks_creator_id"))
        batch_op.drop_index("ix_compliance_checks_assignee")
        batch_op.drop_constraint(
            batch_op.f("fk_compliance_checks_creator_id_creators"), type_="foreignkey"
        )
        batch_op.drop_column("creator_id")
        batch_op.drop_column("assigned_at")
        batch_op.drop_column("assignee")
        batch_op.drop_column("reason_key")
