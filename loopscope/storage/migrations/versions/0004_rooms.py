"""Workshop rooms: rooms, their opened items, participants, answers and numbered events.

Revision ID: 0004_rooms
Revises: 0003_learner_work
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_rooms"
down_revision = "0003_learner_work"
branch_labels = None
depends_on = None

ID = sa.String(64)
ITEM = sa.String(96)
WHEN = sa.DateTime(timezone=True)


def _room_fk() -> sa.ForeignKey:
    return sa.ForeignKey("rooms.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "rooms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("lesson", ID, nullable=False),
        sa.Column("host_token_hash", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("current_item", ITEM, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
    )
    op.create_index("ix_rooms_updated_at", "rooms", ["updated_at"])
    op.create_table(
        "room_items",
        sa.Column("room_id", sa.Integer(), _room_fk(), primary_key=True),
        sa.Column("item", ITEM, primary_key=True),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("run_id", ID, nullable=True),
        sa.Column("first_opened_seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "room_participants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), _room_fk(), nullable=False),
        sa.Column("learner_id", ID, nullable=False),
        sa.Column("nickname", sa.String(64), nullable=False),
        sa.Column("nickname_key", sa.String(128), nullable=False),
        sa.Column("joined_at", WHEN, nullable=False),
        sa.UniqueConstraint("room_id", "learner_id"),
        sa.UniqueConstraint("room_id", "nickname_key"),
    )
    op.create_index("ix_room_participants_room_id", "room_participants", ["room_id"])
    op.create_table(
        "room_answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("room_id", sa.Integer(), _room_fk(), nullable=False),
        sa.Column("learner_id", ID, nullable=False),
        sa.Column("item", ITEM, nullable=False),
        sa.Column("choice", ID, nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", WHEN, nullable=False),
        sa.UniqueConstraint("room_id", "learner_id", "item"),
    )
    op.create_index("ix_room_answers_room_id", "room_answers", ["room_id"])
    op.create_table(
        "room_events",
        sa.Column("room_id", sa.Integer(), _room_fk(), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("event", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("room_events")
    op.drop_index("ix_room_answers_room_id", table_name="room_answers")
    op.drop_table("room_answers")
    op.drop_index("ix_room_participants_room_id", table_name="room_participants")
    op.drop_table("room_participants")
    op.drop_table("room_items")
    op.drop_index("ix_rooms_updated_at", table_name="rooms")
    op.drop_table("rooms")
