"""Baseline: the schema as ``create_all`` made it before migrations existed.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)
WHEN = sa.DateTime(timezone=True)


def _learner_fk() -> sa.ForeignKey:
    return sa.ForeignKey("learners.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", ID, primary_key=True),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_table(
        "trace_runs",
        sa.Column("id", ID, primary_key=True),
        sa.Column("request_key", ID, nullable=False),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("example", ID, nullable=False),
        sa.Column("call", sa.Text(), nullable=False),
        sa.Column("knobs", sa.Text(), nullable=False),
        sa.Column("trace", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index(
        "ix_trace_runs_request_key_created", "trace_runs", ["request_key", "created_at"]
    )
    op.create_table(
        "commitments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", ID, _learner_fk(), nullable=False),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", ID, nullable=False),
        sa.Column("choice", ID, nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.UniqueConstraint("learner_id", "lesson", "kind", "item_id"),
    )
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", ID, _learner_fk(), nullable=False),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("question_id", ID, nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("option_id", ID, nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", WHEN, nullable=False),
        sa.UniqueConstraint("learner_id", "lesson", "question_id", "round"),
    )
    op.create_table(
        "lesson_progress",
        sa.Column("learner_id", ID, _learner_fk(), primary_key=True),
        sa.Column("lesson", ID, primary_key=True),
        sa.Column("last_mode", sa.String(16), nullable=False),
        sa.Column("last_item", ID, nullable=True),
        sa.Column("quiz_round", sa.Integer(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    op.create_table(
        "mode_visits",
        sa.Column("learner_id", ID, _learner_fk(), primary_key=True),
        sa.Column("lesson", ID, primary_key=True),
        sa.Column("mode", sa.String(16), primary_key=True),
        sa.Column("first_at", WHEN, nullable=False),
        sa.Column("last_at", WHEN, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "mode_visits",
        "lesson_progress",
        "quiz_answers",
        "commitments",
        "trace_runs",
        "learners",
    ):
        op.drop_table(table)
