"""``loopscope challenge check LESSON CHALLENGE FILE [--json]``: check a file like the app does.

CHALLENGE is a challenge id, or ``project/<milestone id>`` for a project milestone. Every run
goes through the sandbox, exactly as the web app runs learner code. Exit status: 0 when every
check passes, 1 when some fail, 2 for bad input (no such lesson, challenge or file, or no
sandbox on this machine), with one line on stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lessons.attempt import attempt
from lessons.errors import LessonError
from lessons.exercise_checks import Checked
from lessons.judge import Verdict
from lessons.loader import load_catalog
from visualizer import run_trace, sandbox_status


class BadInput(Exception):
    pass


def find_exercise(lesson_slug: str, exercise: str) -> Checked:
    lesson = load_catalog().get(lesson_slug)
    if lesson is None:
        raise BadInput(f"no lesson {lesson_slug!r}")
    if exercise.startswith("project/"):
        step_id = exercise.removeprefix("project/")
        found: Checked | None = next((s for s in lesson.project.steps if s.id == step_id), None)
        known = [f"project/{s.id}" for s in lesson.project.steps]
    else:
        found = next((c for c in lesson.challenge.challenges if c.id == exercise), None)
        known = [c.id for c in lesson.challenge.challenges]
    if found is None:
        raise BadInput(f"no challenge {exercise!r} in {lesson_slug} (known: {', '.join(known)})")
    return found


def as_json(verdict: Verdict) -> str:
    return json.dumps(
        {
            "passed": verdict.passed,
            "checks": [
                {"id": c.id, "passed": c.passed, "detail": c.detail} for c in verdict.checks
            ],
        },
        indent=2,
    )


def as_text(verdict: Verdict) -> str:
    lines = [f"{'PASS' if c.passed else 'FAIL'}  {c.id}: {c.detail}" for c in verdict.checks]
    failed = len(verdict.failed())
    lines.append("every check passed" if verdict.passed else f"{failed} check(s) failed")
    return "\n".join(lines)


def challenge_check(lesson: str, exercise: str, file: Path, *, json_output: bool) -> int:
    try:
        checked = find_exercise(lesson, exercise)
        if not file.is_file():
            raise BadInput(f"{file}: no such file")
        status = sandbox_status()
        if not status.available:
            raise BadInput(f"no sandbox available, so your code cannot run: {status.reason}")
    except (BadInput, LessonError) as exc:
        print(f"loopscope challenge check: {exc}", file=sys.stderr)
        return 2
    verdict, _ = attempt(checked, file.resolve(), run_trace, origin="learner")
    print(as_json(verdict) if json_output else as_text(verdict))
    return 0 if verdict.passed else 1
