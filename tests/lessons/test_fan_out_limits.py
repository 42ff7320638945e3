"""Lesson 4, "Fan-out without melting": its own facts. The bar every lesson is held to, and its
claims and exercises run for real, are in test_course_bar.py."""

from __future__ import annotations

import ast

from lesson_helpers import written_lesson

from lessons.exercise_checks import InFlight, Returns

SLUG = "fan-out-limits"


def test_the_course_lists_it_under_its_own_title() -> None:
    assert written_lesson(SLUG).meta.title == "Fan-out without melting"


def test_visual_knobs_set_n_the_pool_and_the_semaphore() -> None:
    first = written_lesson(SLUG).visual.examples[0]
    assert {knob.id for knob in first.knobs} == {"n", "max_connections", "bound"}


def test_two_perf_comparisons() -> None:
    assert len(written_lesson(SLUG).perf.comparisons) >= 2


def test_the_bounded_order_challenge_bounds_and_orders_on_a_hidden_run() -> None:
    """The hidden run's right answer differs from sorted, reversed and completion order."""
    challenges = written_lesson(SLUG).challenge.challenges
    [challenge] = [c for c in challenges if c.id.endswith("in-order")]
    hidden = next(run for run in challenge.runs if run.hidden)
    checks = [c for c in challenge.checks if getattr(c, "run", None) == hidden.id]
    assert {type(c) for c in checks} >= {InFlight}
    [order] = [c for c in checks if isinstance(c, Returns) and c.equals is not None]
    assert order.equals is not None
    ids = ast.literal_eval(order.equals)
    assert ids not in (sorted(ids), sorted(ids, reverse=True), list(reversed(ids)))


def test_step7_uses_a_kept_rate_limiter() -> None:
    sources = written_lesson(SLUG).sources
    assert "from aiolimiter import AsyncLimiter" in sources["step7_rate_limit"]
    assert "retry-after" in sources["step7_rate_limit"]
    assert "AsyncLimiter" in sources["project_solution"]
