from __future__ import annotations

from pathlib import Path

import pytest
from lesson_helpers import FIXTURES, TINY

from lessons import load_lesson, reading_minutes
from lessons.models import MODES
from lessons.reading import ReadingCounts, minutes_for, reading_counts


def test_prose_and_code_rates() -> None:
    assert minutes_for(ReadingCounts(words=238, code_lines=0)) == 1
    assert minutes_for(ReadingCounts(words=0, code_lines=20)) == 1


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_takes_at_least_a_minute(mode: str) -> None:
    assert reading_minutes(load_lesson(FIXTURES / TINY), mode) >= 1  # type: ignore[arg-type]


def test_learn_counts_prose_and_the_example_fence_once() -> None:
    lesson = load_lesson(FIXTURES / TINY)

    counts = reading_counts(lesson, "learn")

    # Title (4 words) and body (19 words outside the fence); fetch.py has 5 non-blank lines.
    assert counts == ReadingCounts(words=23, code_lines=5)


def test_long_prose_is_measured(tiny: Path) -> None:
    (tiny / "learn.md").write_text("---\ntitle: Long\n---\n" + "word " * 2379 + "\n")

    assert reading_minutes(load_lesson(tiny), "learn") == 10


def test_ids_and_evidence_plumbing_are_not_read(tiny: Path) -> None:
    lesson = load_lesson(FIXTURES / TINY)
    before = reading_counts(lesson, "perf")
    (tiny / "perf.yaml").write_text(
        (tiny / "perf.yaml").read_text().replace("id: perf-await", "id: a-much-longer-id-here")
    )

    assert reading_counts(load_lesson(tiny), "perf") == before
    # The slow and fast runs show fetch.py (5 lines) once.
    assert before.code_lines == 5
