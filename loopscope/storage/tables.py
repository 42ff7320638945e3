"""The database schema: SQLAlchemy 2 declarative tables.

    learners           one row per anonymous learner who has done something (the id is the one
                       in the signed cookie); ``last_seen_at`` is their last real progress,
                       ``state_version`` counts their writes
    commitments        a committed prediction or myth verdict; the first one wins
    quiz_answers       one answer per question per quiz round; the first one wins
    lesson_progress    per learner and lesson: where they left off, and the current quiz round
    mode_visits        per learner, lesson and mode: first and last visit
    trace_runs         a recorded trace (its JSON, gzip-compressed), by run id; learner code's
                       runs name their learner, whose stored bytes have a budget
    drafts             a learner's code in the editor, per lesson and place (try, challenge/id)
    run_sources        the learner code a recorded run ran
    attempts           a checked attempt at a challenge or milestone, check by check (JSON)
    passes             per learner, lesson and place: the first attempt that passed

Unique constraints, not application checks, make a double-submitted form store once, and every
write is an upsert on them, so two requests racing on a first visit both succeed.

The schema changes only through Alembic revisions (``loopscope/storage/migrations/versions``);
a module that adds tables declares them on ``Base`` and adds a revision that creates them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(64)


class Base(DeclarativeBase):
    pass


class LearnerRow(Base):
    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # One more on every write about the learner (``loopscope.storage.learnercache``).
    state_version: Mapped[int] = mapped_column(Integer, server_default="0")


class CommitmentRow(Base):
    __tablename__ = "commitments"
    __table_args__ = (UniqueConstraint("learner_id", "lesson", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    lesson: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(16))  # "prompt" | "myth"
    item_id: Mapped[str] = mapped_column(ID)
    choice: Mapped[str] = mapped_column(ID)
    correct: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuizAnswerRow(Base):
    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("learner_id", "lesson", "question_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    lesson: Mapped[str] = mapped_column(ID)
    question_id: Mapped[str] = mapped_column(ID)
    round: Mapped[int]
    option_id: Mapped[str] = mapped_column(ID)
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LessonProgressRow(Base):
    __tablename__ = "lesson_progress"

    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    lesson: Mapped[str] = mapped_column(ID, primary_key=True)
    last_mode: Mapped[str] = mapped_column(String(16))
    last_item: Mapped[str | None] = mapped_column(ID)
    quiz_round: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ModeVisitRow(Base):
    __tablename__ = "mode_visits"

    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    lesson: Mapped[str] = mapped_column(ID, primary_key=True)
    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TraceRunRow(Base):
    __tablename__ = "trace_runs"
    __table_args__ = (
        Index("ix_trace_runs_request_key_created", "request_key", "created_at"),
        Index("ix_trace_runs_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # sha256 of (file content, call, watch): identical requests share it
    request_key: Mapped[str] = mapped_column(ID)
    lesson: Mapped[str] = mapped_column(ID)
    example: Mapped[str] = mapped_column(ID)
    call: Mapped[str] = mapped_column(Text)
    knobs: Mapped[str] = mapped_column(Text)  # JSON list of [id, value] pairs
    # The trace JSON, as ``loopscope trace --json``: rows from before 0007 hold it here as text;
    # newer rows leave it empty and hold it gzip-compressed in ``trace_gz``.
    trace: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trace_gz: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # The learner whose own code it ran (Try, Challenge, Project); empty for lesson examples.
    learner_id: Mapped[str | None] = mapped_column(ID, nullable=True, index=True)
    stored_bytes: Mapped[int] = mapped_column(Integer, server_default="0")


# --- a learner's own work (loopscope.storage.work) ---------------------------------------

PLACE = String(96)


class DraftRow(Base):
    __tablename__ = "drafts"

    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    lesson: Mapped[str] = mapped_column(ID, primary_key=True)
    place: Mapped[str] = mapped_column(PLACE, primary_key=True)
    code: Mapped[str] = mapped_column(Text)
    call: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunSourceRow(Base):
    __tablename__ = "run_sources"

    run_id: Mapped[str] = mapped_column(
        ForeignKey("trace_runs.id", ondelete="CASCADE"), primary_key=True
    )
    lesson: Mapped[str] = mapped_column(ID)
    code: Mapped[str] = mapped_column(Text)


class AttemptRow(Base):
    __tablename__ = "attempts"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    lesson: Mapped[str] = mapped_column(ID)
    place: Mapped[str] = mapped_column(PLACE)
    passed: Mapped[bool] = mapped_column(Boolean)
    checks: Mapped[str] = mapped_column(Text)  # JSON list of CheckOutcome
    code: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PassRow(Base):
    __tablename__ = "passes"

    learner_id: Mapped[str] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    lesson: Mapped[str] = mapped_column(ID, primary_key=True)
    place: Mapped[str] = mapped_column(PLACE, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ID)
    passed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
