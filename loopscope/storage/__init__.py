"""Storage in a SQL database: SQLite by default (a file in ``data_dir``), or PostgreSQL.

Those two only: their upserts are spelled per dialect (``database.Repository._insert``).
One module per aggregate, each with its repository: ``progress`` (``LearnerProgress``: learners,
commitments, answers, place), ``runs`` (``RecordedRuns``: recorded traces), ``work``
(``LearnerWork``: drafts, the code of runs, attempts, passes) and ``rooms`` (``RoomStore``:
workshop rooms, with their own tables). ``Store`` (``store``) joins the first three over one
engine; ``RoomStore`` stands apart. ``database`` holds the shared engine and base repository,
``learnercache`` what is kept in memory about a learner, ``tables`` the schema of all but the
rooms, ``migrate`` and Alembic ``migrations`` its history, ``commands`` the ``loopscope db`` CLI.
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
