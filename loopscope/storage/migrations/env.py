"""Alembic's environment: migrations always run on a connection handed over by the caller
(``loopscope.storage.migrate``), in batch mode so that SQLite can alter tables."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from loopscope.storage.tables import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through loopscope.storage.migrate (loopscope db upgrade)")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
