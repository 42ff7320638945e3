"""Checks that span files: names, ids and numbers that must agree across a whole lesson.

Each file's own model has already validated its shape. What only the whole lesson can tell is
whether an example name points at a registered example, whether a file exists, whether ids
repeat, whether a hint points at a row of the reference table, and whether a knob's default fits.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from lessons.exercise_checks import WrongVariant
from lessons.fences import fences
from lessons.models import (
    BuildStep,
    Card,
    Challenge,
    Comparison,
    Counter,
    Evidence,
    KeyMoment,
    Knob,
    Lesson,
    LessonMeta,
    Myth,
    PerfComparison,
    Pitfall,
    ProjectMode,
    ProjectStep,
    Question,
    TryMode,
    VisualExample,
    VisualMode,
    WhyMode,
)
from lessons.walk import Node, Path_, dotted, lesson_parts, walk

# Fields whose value (or, for dicts, each value) is the name of an example in lesson.yaml.
EXAMPLE_FIELDS: dict[type[BaseModel], frozenset[str]] = {
    LessonMeta: frozenset({"canonical_example"}),
    WhyMode: frozenset({"before", "after"}),
    BuildStep: frozenset({"example"}),
    Pitfall: frozenset({"wrong", "right"}),
    Evidence: frozenset({"example"}),
    Comparison: frozenset({"example"}),
    Counter: frozenset({"example"}),
    VisualMode: frozenset({"example"}),
    VisualExample: frozenset({"example", "variants"}),
    TryMode: frozenset({"example"}),
    Challenge: frozenset({"starter", "solution", "alternatives"}),
    ProjectMode: frozenset({"starter", "solution"}),
    ProjectStep: frozenset({"alternatives"}),
    WrongVariant: frozenset({"example"}),
}

# Records whose ``id`` must be unique within a lesson (learners commit answers against them).
ITEM_TYPES: tuple[type[BaseModel], ...] = (
    BuildStep,
    Myth,
    Pitfall,
    Question,
    Card,
    Challenge,
    PerfComparison,
)

TOGGLE_VALUES = frozenset({"true", "false"})


@dataclass(frozen=True, slots=True)
class Finding:
    """A cross-reference problem at ``path`` of ``file`` (a file name within the lesson)."""

    file: str
    path: Path_
    message: str


def is_example_reference(node: Node) -> bool:
    """Whether ``node`` is a string value that names an example."""
    if not isinstance(node.value, str):
        return False
    return any(
        isinstance(node.owner, owner) and node.field in fields
        for owner, fields in EXAMPLE_FIELDS.items()
    )


def check_references(lesson: Lesson, folder: Path) -> list[Finding]:
    """Every cross-file problem of a lesson whose files each validated on their own."""
    findings: list[Finding] = []
    if lesson.meta.slug != folder.name:
        findings.append(
            Finding(
                "lesson.yaml",
                ("slug",),
                f"slug {lesson.meta.slug!r} differs from the folder name {folder.name!r}",
            )
        )
    seen_ids: dict[str, str] = {}
    for file, part in lesson_parts(lesson):
        for node in walk(part):
            findings.extend(_check_node(lesson, file, node, seen_ids))
            if isinstance(node.value, Evidence):
                findings.extend(_check_evidence(lesson, folder, file, node.path, node.value))
    findings.extend(_check_visual(lesson.visual))
    return findings


def _check_node(
    lesson: Lesson, file: str, node: Node, seen_ids: dict[str, str]
) -> Iterator[Finding]:
    examples = lesson.meta.examples
    value = node.value
    if is_example_reference(node):
        assert isinstance(value, str)
        if value not in examples:
            yield Finding(file, node.path, f"unknown example {value!r}{_known(lesson)}")
        elif (
            isinstance(node.owner, Evidence | Comparison | Counter) and not examples[value].runnable
        ):
            yield Finding(
                file,
                node.path,
                f"example {value!r} is marked runnable: false, so it proves nothing",
            )
    if isinstance(value, Evidence | Comparison | Counter) and value.call is not None:
        problem = _expression_problem(value.call)
        if problem is not None:
            yield Finding(file, (*node.path, "call"), problem)
    if isinstance(value, str):
        yield from _check_fences(lesson, file, node.path, value)
    if isinstance(value, ITEM_TYPES):
        item_id = getattr(value, "id", None)
        assert isinstance(item_id, str)
        where = f"{file}: {node.key}"
        if item_id in seen_ids:
            yield Finding(
                file, (*node.path, "id"), f"id {item_id!r} is already used at {seen_ids[item_id]}"
            )
        else:
            seen_ids[item_id] = where
    rows = len(lesson.visual.reference_table)
    if isinstance(value, Question):
        yield from _check_rows(file, (*node.path, "hint_steps"), value.hint_steps, rows)
    if isinstance(value, KeyMoment):
        yield from _check_rows(file, (*node.path, "steps"), value.steps, rows)


def _check_evidence(
    lesson: Lesson, folder: Path, file: str, path: Path_, evidence: Evidence
) -> Iterator[Finding]:
    """Counter-example files exist and compile; ``blocked_at`` names code in every run's file."""
    examples = lesson.meta.examples
    claim = examples.get(evidence.example)
    runs: list[tuple[Path_, str | None]] = [
        ((*path, "example"), None if claim is None else lesson.sources.get(evidence.example))
    ]
    for index, counter in enumerate(evidence.counter):
        where = (*path, "counter", index)
        if counter.file is not None:
            read = _counter_source(folder / counter.file)
            if isinstance(read, _Unreadable):
                yield Finding(file, (*where, "file"), f"{read.message}: {counter.file}")
                continue
            runs.append(((*where, "file"), read))
        elif counter.example in examples:
            runs.append(((*where, "example"), lesson.sources.get(counter.example)))
        same_file = (counter.example or "") == evidence.example
        if same_file and (counter.call or None) == (evidence.call or None):
            yield Finding(file, where, "the counter-example is the claim's own run")
    for key in ("blocked_at", "free_at"):
        fragment = getattr(evidence.expect, key)
        if fragment is None:
            continue
        for where, source in runs:
            if source is not None and fragment not in source:
                yield Finding(
                    file,
                    (*path, "expect", key),
                    f"{fragment!r} is on no line of the file named at {dotted(where)}",
                )


@dataclass(frozen=True, slots=True)
class _Unreadable:
    message: str


def _counter_source(path: Path) -> str | _Unreadable:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _Unreadable("no such file" if isinstance(exc, FileNotFoundError) else str(exc))
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        return _Unreadable(f"line {exc.lineno}: SyntaxError: {exc.msg}")
    return source


def _check_fences(lesson: Lesson, file: str, path: Path_, text: str) -> Iterator[Finding]:
    for fence in fences(text):
        if not fence.is_example:
            continue
        where = f"example fence on line {fence.start + 1} of the text"
        if fence.example is None:
            yield Finding(
                file, path, f"{where}: write ```example NAME``` with one name, not {fence.info!r}"
            )
        elif fence.example not in lesson.meta.examples:
            yield Finding(file, path, f"{where}: unknown example {fence.example!r}{_known(lesson)}")
        if fence.body.strip():
            yield Finding(
                file, path, f"{where} must be empty: its code comes from the example file"
            )


def _check_rows(file: str, path: Path_, steps: tuple[int, ...], rows: int) -> Iterator[Finding]:
    for index, step in enumerate(steps):
        if not 1 <= step <= rows:
            yield Finding(
                file,
                (*path, index),
                f"row {step} is not in the reference table (rows 1 to {rows} in visual.yaml)",
            )


def _check_visual(visual: VisualMode) -> Iterator[Finding]:
    for index, example in enumerate(visual.examples):
        yield from _check_knobs(("examples", index), example)


def _check_knobs(path: Path_, example: VisualExample) -> Iterator[Finding]:
    file = "visual.yaml"
    knobs: dict[str, Knob] = {}
    for index, knob in enumerate(example.knobs):
        knob_path = (*path, "knobs", index)
        if knob.id in knobs:
            yield Finding(file, (*knob_path, "id"), f"knob id {knob.id!r} repeats")
        knobs[knob.id] = knob
        if (problem := _default_problem(knob)) is not None:
            yield Finding(file, (*knob_path, "default"), problem)

    choice_values = [
        value for knob in knobs.values() if knob.kind == "choice" for value in knob.choices
    ]
    for name in example.variants:
        is_toggle = name in knobs and knobs[name].kind == "toggle"
        if not is_toggle and choice_values.count(name) != 1:
            yield Finding(
                file,
                (*path, "variants", name),
                f"{name!r} is neither a toggle knob nor the value of exactly one choice knob",
            )

    template = example.call_template
    placeholders: set[str] = set()
    if template is not None:
        try:
            placeholders = {
                field for _, field, _, _ in string.Formatter().parse(template) if field is not None
            }
        except ValueError as exc:
            yield Finding(file, (*path, "call_template"), f"bad template: {exc}")
            return
        for name in sorted(placeholders - knobs.keys()):
            yield Finding(file, (*path, "call_template"), f"{{{name}}} names no knob")
        if not placeholders - knobs.keys():
            call = template.format_map({knob.id: knob.default for knob in knobs.values()})
            if (problem := _expression_problem(call)) is not None:
                yield Finding(file, (*path, "call_template"), f"with the defaults: {problem}")
    for index, knob in enumerate(example.knobs):
        used = (
            knob.id in placeholders
            or (knob.kind == "toggle" and knob.id in example.variants)
            or (knob.kind == "choice" and any(value in example.variants for value in knob.choices))
        )
        if not used:
            yield Finding(
                file,
                (*path, "knobs", index, "id"),
                f"knob {knob.id!r} does nothing: no {{{knob.id}}} in call_template"
                + (" and no variant" if knob.kind in ("toggle", "choice") else ""),
            )


def _default_problem(knob: Knob) -> str | None:
    if knob.kind == "toggle":
        if knob.default not in TOGGLE_VALUES:
            return f"a toggle's default is 'true' or 'false', not {knob.default!r}"
        return None
    if knob.kind in ("select", "choice"):
        if knob.default not in knob.choices:
            return f"default {knob.default!r} is not one of the choices {sorted(knob.choices)}"
        return None
    if knob.min is None or knob.max is None:
        return "a range knob needs min and max"
    try:
        value = float(knob.default)
    except ValueError:
        return f"default {knob.default!r} is not a number"
    if not knob.min <= value <= knob.max:
        return f"default {knob.default} is outside {knob.min:g} to {knob.max:g}"
    return None


def _expression_problem(call: str) -> str | None:
    try:
        compile(call, "<call>", "eval")
    except SyntaxError as exc:
        return f"{call!r} is not a Python expression: {exc.msg}"
    return None


def _known(lesson: Lesson) -> str:
    return f" (known: {', '.join(sorted(lesson.meta.examples))})"
