"""Schema migrations with Alembic, run on a connection the app already holds.

``upgrade`` is what start-up and ``loopscope db upgrade`` run. A database made before migrations
existed (tables, no ``alembic_version``) has exactly the baseline revision's schema, so it is
stamped with the baseline first and then upgraded like any other: nothing in it is lost.

To change the schema, add a revision under ``migrations/versions/`` whose ``down_revision`` is
the current head (``loopscope db heads`` names it) and declare the tables on ``tables.Base``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
BASELINE: Final = "0001_baseline"
# A table every database made by the pre-migration schema has.
_BASELINE_TABLE: Final = "learners"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Bring the database on ``connection`` to ``revision`` (default: the newest)."""
    config = alembic_config(connection)
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables and _BASELINE_TABLE in tables:
        command.stamp(config, BASELINE)
    command.upgrade(config, revision)


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
