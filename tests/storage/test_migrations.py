"""Alembic migrations: a database made by the pre-migration schema upgrades with its rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine

from loopscope.storage import Store
from loopscope.storage.migrate import current_revision, head_revision, upgrade
from loopscope.storage.tables import Base

pytestmark = pytest.mark.anyio

# What ``Base.metadata.create_all`` made before migrations existed (copied from sqlite_master),
# frozen here so that this test keeps meaning the old schema when the tables change.
TODAYS_SCHEMA = """
CREATE TABLE learners (
    id VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id));
CREATE TABLE trace_runs (
    id VARCHAR(64) NOT NULL, request_key VARCHAR(64) NOT NULL, lesson VARCHAR(64) NOT NULL,
    example VARCHAR(64) NOT NULL, call TEXT NOT NULL, knobs TEXT NOT NULL, trace TEXT NOT NULL,
    created_at DATETIME NOT NULL, PRIMARY KEY (id));
CREATE INDEX ix_trace_runs_request_key_created ON trace_runs (request_key, created_at);
CREATE TABLE commitments (
    id INTEGER NOT NULL, learner_id VARCHAR(64) NOT NULL, lesson VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL, item_id VARCHAR(64) NOT NULL, choice VARCHAR(64) NOT NULL,
    correct BOOLEAN NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id),
    UNIQUE (learner_id, lesson, kind, item_id),
    FOREIGN KEY(learner_id) REFERENCES learners (id) ON DELETE CASCADE);
CREATE TABLE quiz_answers (
    id INTEGER NOT NULL, learner_id VARCHAR(64) NOT NULL, lesson VARCHAR(64) NOT NULL,
    question_id VARCHAR(64) NOT NULL, round INTEGER NOT NULL, option_id VARCHAR(64) NOT NULL,
    correct BOOLEAN NOT NULL, answered_at DATETIME NOT NULL, PRIMARY KEY (id),
    UNIQUE (learner_id, lesson, question_id, round),
    FOREIGN KEY(learner_id) REFERENCES learners (id) ON DELETE CASCADE);
CREATE TABLE lesson_progress (
    learner_id VARCHAR(64) NOT NULL, lesson VARCHAR(64) NOT NULL, last_mode VARCHAR(16) NOT NULL,
    last_item VARCHAR(64), quiz_round INTEGER NOT NULL, updated_at DATETIME NOT NULL,
    PRIMARY KEY (learner_id, lesson),
    FOREIGN KEY(learner_id) REFERENCES learners (id) ON DELETE CASCADE);
CREATE TABLE mode_visits (
    learner_id VARCHAR(64) NOT NULL, lesson VARCHAR(64) NOT NULL, mode VARCHAR(16) NOT NULL,
    first_at DATETIME NOT NULL, last_at DATETIME NOT NULL, PRIMARY KEY (learner_id, lesson, mode),
    FOREIGN KEY(learner_id) REFERENCES learners (id) ON DELETE CASCADE);
"""
ROWS = """
INSERT INTO learners VALUES ('l1', '2026-01-01 10:00:00.000000');
INSERT INTO commitments VALUES (1, 'l1', 'x', 'prompt', 'p1', 'b', 1, '2026-01-01 10:01:00.000000');
INSERT INTO quiz_answers VALUES (1, 'l1', 'x', 'q1', 1, 'a', 0, '2026-01-01 10:02:00.000000');
INSERT INTO lesson_progress VALUES ('l1', 'x', 'recall', 'q-q1', 1, '2026-01-01 10:02:00.000000');
INSERT INTO mode_visits VALUES ('l1', 'x', 'recall', '2026-01-01 10:00:00.000000',
                                '2026-01-01 10:02:00.000000');
INSERT INTO trace_runs VALUES ('run-0001', 'k1', 'x', 'canonical', 'f()', '[]', '{}',
                               '2026-01-01 10:03:00.000000');
"""


def old_database(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.executescript(TODAYS_SCHEMA + ROWS)
    connection.close()
    return path


async def test_a_database_from_before_migrations_keeps_its_rows(tmp_path: Path) -> None:
    path = old_database(tmp_path / "old.sqlite3")
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        progress = (await store.progress("l1"))["x"]
        assert (progress.last_mode, progress.last_item, progress.visited) == (
            "recall",
            "q-q1",
            {"recall"},
        )
        kept = await store.commit_choice("l1", "x", "prompt", "p1", "a", correct=False)
        assert (kept.choice, kept.correct) == ("b", True)  # the old commitment still counts
        assert [(a.question_id, a.option_id) for a in await store.answers("l1", "x")] == [
            ("q1", "a")
        ]
        run = await store.run("run-0001")
        assert run is not None
        assert run.request_key == "k1"
    finally:
        await store.close()
    with sqlite3.connect(path) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    assert revision == head_revision()


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


@pytest.mark.parametrize("start", ["empty", "old"])
def test_migrations_build_exactly_the_declared_schema(tmp_path: Path, start: str) -> None:
    path = tmp_path / "db.sqlite3"
    if start == "old":
        old_database(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        upgrade(connection)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert _diff(connection) == []
    engine.dispose()


def test_upgrading_twice_changes_nothing(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.begin() as connection:
        upgrade(connection)
    with engine.begin() as connection:
        upgrade(connection)
        assert current_revision(connection) == head_revision()
    engine.dispose()
