"""Rooms for a real class: a countdown per opened item, and learners' runs on code items.

    room_items         + deadline (a countdown's zero), lock_at_zero
    room_code_results  per room, learner and code item: the latest run or check of their code

Revision ID: 0006_room_countdowns_code
Revises: 0005_state_version
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_room_countdowns_code"
down_revision = "0005_state_version"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("room_items") as batch:
        batch.add_column(sa.Column("deadline", WHEN, nullable=True))
        batch.add_column(
            sa.Column("lock_at_zero", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_room_items_deadline", "room_items", ["deadline"])
    op.create_table(
        "room_code_results",
        sa.Column(
            "room_id",
            sa.Integer(),
            sa.ForeignKey("rooms.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("learner_id", sa.String(64), primary_key=True),
        sa.Column("item", sa.String(96), primary_key=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failed", sa.Text(), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("room_code_results")
    op.drop_index("ix_room_items_deadline", table_name="room_items")
    with op.batch_alter_table("room_items") as batch:
        batch.drop_column("lock_at_zero")
        batch.drop_column("deadline")
