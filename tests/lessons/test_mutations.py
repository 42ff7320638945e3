"""Each lesson's own lies, told to a copy of it: ``lessons check`` must fail on every one.

A lesson folder keeps ``mutations.yaml`` (``lessons.mutations``): a number changed in a
sentence a ``says`` phrase binds, a number changed in free prose no evidence holds (a task
text: ``lessons.statements`` must flag it), a quiz answer moved, a myth flipped, an example
broken in the very mechanism its claim names. Every mutation is applied to a fresh copy, and
the check must fail, on the check the mutation names. Unchanged runs come from the shared trace
cache, so a mutation costs only the runs it changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.check import WORKERS, cached_runner, engine_runner, plan, run_checks
from lessons.mutations import (
    MUTATIONS_FILE,
    REQUIRED_KINDS,
    Mutation,
    apply,
    load_mutations,
    missing_kinds,
)
from lessons.statements import unbacked


def _lessons() -> list[Path]:
    return sorted(path for path in CONTENT_ROOT.iterdir() if (path / "lesson.yaml").is_file())


def _mutations() -> list[object]:
    found: list[object] = []
    for folder in _lessons():
        try:
            mutations = load_mutations(folder).mutations
        except LessonError:
            continue  # reported by test_every_lesson_brings_its_own_mutation_set
        found += [pytest.param(folder, m, id=f"{folder.name}:{m.id}") for m in mutations]
    return found


@pytest.mark.parametrize("folder", _lessons(), ids=lambda folder: folder.name)
def test_every_lesson_brings_its_own_mutation_set(folder: Path) -> None:
    try:
        mutations = load_mutations(folder)
    except LessonError as exc:
        pytest.fail(f"{exc}\n(every lesson keeps a {MUTATIONS_FILE}: docs/lesson-evidence.md)")
    missing = missing_kinds(mutations)
    assert not missing, (
        f"{folder.name}/{MUTATIONS_FILE} has no mutation of kind {', '.join(missing)} "
        f"(each lesson needs {', '.join(REQUIRED_KINDS)})"
    )


@pytest.mark.slow
@pytest.mark.parametrize(("folder", "mutation"), _mutations())
def test_lessons_check_fails_on_each_mutation(
    folder: Path, mutation: Mutation, tmp_path: Path, course_traces: Path
) -> None:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    apply(mutation, copy)
    if mutation.fails is None:
        try:
            lesson = load_lesson(copy)
        except LessonError:
            return  # a lesson that no longer loads fails the check too
    lesson = load_lesson(copy)  # a mutation naming a check must leave the lesson loadable
    try:
        runner = cached_runner(engine_runner(), course_traces)
    except ImportError as exc:
        pytest.skip(f"the trace engine is unavailable: {exc}")
    outcomes = list(run_checks(plan(lesson, copy), runner, workers=WORKERS))
    failed = {o.check.label.split("/", 1)[1] for o in outcomes if not o.passed}
    failed |= {statement.label for statement in unbacked(lesson)}  # free prose, as the check
    assert failed, f"{mutation.id}: lessons check passed a lesson that says something false"
    if mutation.fails is not None:
        assert mutation.fails in failed, f"{mutation.id} failed other checks: {sorted(failed)}"


def test_a_mutation_whose_text_is_gone_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "deep.yaml").write_text("holds: false\n")
    wrong = Mutation.model_validate(
        {"id": "x", "kind": "myth", "file": "deep.yaml", "replace": "holds: maybe", "with": "y"}
    )
    with pytest.raises(Exception, match=r"is not in deep\.yaml"):
        apply(wrong, tmp_path)
    right = wrong.model_copy(update={"replace": "holds: false"})
    apply(right, tmp_path)
    assert (tmp_path / "deep.yaml").read_text() == "y\n"
