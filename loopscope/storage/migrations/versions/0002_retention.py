"""Retention: when a learner last made progress, and runs findable by age.

Revision ID: 0002_retention
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_retention"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_learners_last_seen_at", ["last_seen_at"])
    op.create_index("ix_trace_runs_created_at", "trace_runs", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_trace_runs_created_at", table_name="trace_runs")
    with op.batch_alter_table("learners") as batch:
        batch.drop_index("ix_learners_last_seen_at")
        batch.drop_column("last_seen_at")
