"""A learner's own work: drafts, the code of their runs, checked attempts and passes.

Revision ID: 0003_learner_work
Revises: 0002_retention
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_learner_work"
down_revision = "0002_retention"
branch_labels = None
depends_on = None

ID = sa.String(64)
PLACE = sa.String(96)
WHEN = sa.DateTime(timezone=True)


def _learner() -> sa.Column[str]:
    return sa.Column(
        "learner_id", ID, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "drafts",
        _learner(),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("place", PLACE, nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("call", sa.Text(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("learner_id", "lesson", "place"),
    )
    op.create_table(
        "run_sources",
        sa.Column(
            "run_id", ID, sa.ForeignKey("trace_runs.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
    )
    op.create_table(
        "attempts",
        sa.Column("id", ID, primary_key=True),
        _learner(),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("place", PLACE, nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("checks", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_attempts_learner_id", "attempts", ["learner_id"])
    op.create_table(
        "passes",
        _learner(),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("place", PLACE, nullable=False),
        sa.Column("attempt_id", ID, nullable=False),
        sa.Column("passed_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("learner_id", "lesson", "place"),
    )


def downgrade() -> None:
    op.drop_table("passes")
    op.drop_index("ix_attempts_learner_id", table_name="attempts")
    op.drop_table("attempts")
    op.drop_table("run_sources")
    op.drop_table("drafts")
