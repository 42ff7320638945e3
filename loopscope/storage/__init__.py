"""Storage in a SQL database (SQLite by default, any SQLAlchemy async URL works).

One module per aggregate (``progress``: learner progress; ``runs``: recorded runs; ``rooms``:
workshop rooms, with their own ``RoomStore``), ``Store``
over both, the schema in ``tables`` and its history in Alembic ``migrations``.
"""

from loopscope.storage import rooms as _rooms  # noqa: F401  (its tables join Base.metadata)
from loopscope.storage.runs import RunBudget, StoredRun
from loopscope.storage.store import Pruned, Retention, Store

__all__ = [
    "Pruned",
    "Retention",
    "RunBudget",
    "Store",
    "StoredRun",
]
