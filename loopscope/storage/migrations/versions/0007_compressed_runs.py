"""Recorded traces stored gzip-compressed, and learner code's runs counted against a budget.

Old rows keep their JSON text in ``trace`` and are read as before; new rows leave it empty and
hold the compressed JSON in ``trace_gz``. ``learner_id`` names the learner whose own code a run
ran (empty for lesson examples), ``stored_bytes`` what the row holds.

Revision ID: 0007_compressed_runs
Revises: 0006_room_countdowns_code
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_compressed_runs"
down_revision = "0006_room_countdowns_code"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trace_runs") as batch:
        batch.add_column(sa.Column("trace_gz", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("learner_id", sa.String(64), nullable=True))
        batch.add_column(
            sa.Column("stored_bytes", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_index("ix_trace_runs_learner_id", ["learner_id"])


def downgrade() -> None:
    with op.batch_alter_table("trace_runs") as batch:
        batch.drop_index("ix_trace_runs_learner_id")
        batch.drop_column("stored_bytes")
        batch.drop_column("learner_id")
        batch.drop_column("trace_gz")
