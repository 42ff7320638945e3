"""Reading-time estimates, computed from what a mode actually shows.

Prose is read at ``PROSE_WORDS_PER_MINUTE``. Code is studied, not skimmed, so it is counted in
non-blank lines at ``CODE_LINES_PER_MINUTE``: every example a mode shows (by reference or by an
``example NAME`` fence) counts once, and so does code fenced in prose. What a learner never reads
(ids, calls, expectations, knob plumbing) does not count; the code of an example that backs a
claim does. The result is rounded, at least 1.

>>> round(minutes_for(ReadingCounts(words=476, code_lines=40)))
4
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel

from lessons.crossref import is_example_reference
from lessons.fences import fences
from lessons.models import (
    Comparison,
    Counter,
    Evidence,
    Expectation,
    Knob,
    Lesson,
    ModeName,
    VisualExample,
)
from lessons.walk import mode_part, walk

# Silent reading of non-fiction, Brysbaert (2019), 'How many words do we read per minute?'.
PROSE_WORDS_PER_MINUTE: Final = 238
# Short examples are read line by line, several times slower than prose.
CODE_LINES_PER_MINUTE: Final = 20

# Values shown to nobody: ids and plumbing (a claim's counter-examples are run, not shown).
_UNREAD_OWNERS: Final[tuple[type[BaseModel], ...]] = (Expectation, Counter)
_UNREAD_FIELDS: Final[dict[type[BaseModel], frozenset[str]]] = {
    BaseModel: frozenset({"id", "answer", "level"}),
    Knob: frozenset({"kind", "default", "choices"}),
    VisualExample: frozenset({"call_template"}),
    Evidence: frozenset({"call", "says", "decides"}),
    Comparison: frozenset({"call"}),
}
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class ReadingCounts:
    words: int
    code_lines: int


def reading_counts(lesson: Lesson, mode: ModeName) -> ReadingCounts:
    """How much prose and code a mode shows."""
    part = mode_part(lesson, mode)
    words = 0
    code_lines = 0
    shown: set[str] = set()
    for node in walk(part):
        if not isinstance(node.value, str) or _unread(node.owner, node.field):
            continue
        if is_example_reference(node):
            # Only Perf shows the code its evidence runs; elsewhere evidence backs the text.
            if mode == "perf" or not isinstance(node.owner, Evidence | Comparison):
                shown.add(node.value)
            continue
        prose_lines = node.value.splitlines()
        for fence in reversed(fences(node.value)):
            if fence.is_example:
                if fence.example is not None:
                    shown.add(fence.example)
            else:
                code_lines += _count_lines(fence.body)
            del prose_lines[fence.start : fence.end]
        words += _count_words("\n".join(prose_lines))
    for name in shown:
        code_lines += _count_lines(lesson.sources.get(name, ""))
    return ReadingCounts(words, code_lines)


def minutes_for(counts: ReadingCounts) -> float:
    return counts.words / PROSE_WORDS_PER_MINUTE + counts.code_lines / CODE_LINES_PER_MINUTE


def reading_minutes(lesson: Lesson, mode: ModeName) -> int:
    """Estimated minutes to read ``mode`` of ``lesson``, at least 1."""
    return max(1, round(minutes_for(reading_counts(lesson, mode))))


def _unread(owner: BaseModel, field: str) -> bool:
    if isinstance(owner, _UNREAD_OWNERS):
        return True
    return any(
        isinstance(owner, kind) and field in fields for kind, fields in _UNREAD_FIELDS.items()
    )


def _count_words(text: str) -> int:
    return len(_WORD.findall(text))


def _count_lines(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip())
