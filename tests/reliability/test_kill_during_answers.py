"""kill -9 during a burst of answers: every acknowledged answer survives, the file is sound."""

from __future__ import annotations

from pathlib import Path

import pytest
from crash import crash_during_answers


@pytest.mark.slow
def test_every_acknowledged_answer_survives_a_kill(tmp_path: Path) -> None:
    outcome = crash_during_answers(tmp_path)
    assert len(outcome.acknowledged) >= 15
    assert len(outcome.acknowledged) < outcome.asked  # the kill came mid-burst, not after it
    assert outcome.lost == set()
    assert outcome.integrity == "ok"
