"""Learners' state version: one more on every write about a learner, so that a process can tell
whether what it kept in memory about them is still current (``storage/learnercache.py``).

Revision ID: 0005_state_version
Revises: 0004_rooms
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_state_version"
down_revision = "0004_rooms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.add_column(
            sa.Column("state_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("state_version")
