"""Learner progress in a SQL database (SQLite by default, any SQLAlchemy async URL works)."""

from loopscope.storage import rooms  # noqa: F401  (its tables join Base.metadata)
from loopscope.storage.store import (
    Commitment,
    CommitmentKind,
    Progress,
    QuizAnswer,
    Store,
    StoredRun,
)

__all__ = ["Commitment", "CommitmentKind", "Progress", "QuizAnswer", "Store", "StoredRun"]
