"""Storage in a SQL database (SQLite by default, any SQLAlchemy async URL works).

One module per aggregate (``progress``: learner progress; ``runs``: recorded runs), ``Store``
over both, the schema in ``tables`` and its history in Alembic ``migrations``.
"""

from loopscope.storage.progress import Commitment, CommitmentKind, Progress, QuizAnswer
from loopscope.storage.runs import StoredRun
from loopscope.storage.store import Pruned, Retention, Store

__all__ = [
    "Commitment",
    "CommitmentKind",
    "Progress",
    "Pruned",
    "QuizAnswer",
    "Retention",
    "Store",
    "StoredRun",
]
