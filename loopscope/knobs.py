"""Knobs: turning a Visual form's values into a call to run, validated, never interpolated raw.

    choice = resolve_knobs(lesson, 0, {"latency": "0.5", "no_await": "false"})
    choice.example, choice.call   # ('canonical', 'fetch_data("https://slow.example.com/delay/0.5")')

A range value must be a number within min..max on the knob's step and is re-written from the
parsed number; a select or choice value must be one of its choices; a toggle is "true" or "false"
(a checkbox that is not ticked sends nothing: "false") and switches to its variant example. A
choice (a radio group: mutually exclusive what-ifs) switches to the variant named by its value,
if there is one. Only these re-written values reach the call template; anything else raises
``KnobError``, and so does a form that asks for two variants at once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lessons.models import Knob, Lesson, VisualExample

_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
_NUMBER = re.compile(r"^-?\d{1,6}(\.\d{1,6})?$")
MAX_VALUE_LENGTH = 32


class KnobError(ValueError):
    """A knob value that cannot be used; the message names the knob and what it accepts."""

    def __init__(self, message: str, *, knob: str | None = None) -> None:
        super().__init__(message)
        self.knob = knob


@dataclass(frozen=True, slots=True)
class KnobChoice:
    form: int
    example: str
    call: str
    knobs: tuple[tuple[str, str], ...]


def _range_value(knob: Knob, raw: str) -> str:
    lo, hi, step = knob.min or 0.0, knob.max or 0.0, knob.step or 1.0
    problem = f"{knob.label}: give a number from {lo:g} to {hi:g} in steps of {step:g}"
    if not _NUMBER.match(raw.strip()):
        raise KnobError(problem, knob=knob.id)
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise KnobError(problem, knob=knob.id) from None
    steps = (value - Decimal(str(lo))) / Decimal(str(step))
    if not Decimal(str(lo)) <= value <= Decimal(str(hi)) or steps != steps.to_integral_value():
        raise KnobError(problem, knob=knob.id)
    places = max(-Decimal(str(step)).normalize().as_tuple().exponent, 0)  # type: ignore[operator]
    number = float(value)
    if not math.isfinite(number):
        raise KnobError(problem, knob=knob.id)
    return f"{number:.{places}f}"


def knob_value(knob: Knob, raw: str | None) -> str:
    """The validated, re-written value of one knob (its default when the form left it out)."""
    if knob.kind == "toggle":
        value = raw if raw is not None else "false"
        if value not in ("true", "false"):
            raise KnobError(f"{knob.label}: must be on or off", knob=knob.id)
        return value
    if raw is None or raw == "":
        raw = knob.default
    if len(raw) > MAX_VALUE_LENGTH:
        raise KnobError(f"{knob.label}: the value is too long", knob=knob.id)
    if knob.kind in ("select", "choice"):
        if raw not in knob.choices:
            allowed = ", ".join(knob.choices)
            raise KnobError(f"{knob.label}: pick one of {allowed}", knob=knob.id)
        return raw
    return _range_value(knob, raw)


def single_values(fields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A form's fields as one value per name; a name sent twice (two radios of one what-if
    group, or a forged form) is refused rather than silently resolved to one of them."""
    values: dict[str, str] = {}
    for name, value in fields:
        if name in values:
            raise KnobError(f"{name!r} was sent twice: pick one value", knob=name)
        values[name] = value
    return values


def chosen_variants(item: VisualExample, values: Mapping[str, str]) -> list[str]:
    """The variant keys a form's values switch on: ticked toggles and chosen choice values."""
    switched: list[str] = []
    for knob in item.knobs:
        value = values[knob.id]
        if knob.kind == "toggle" and value == "true" and knob.id in item.variants:
            switched.append(knob.id)
        elif knob.kind == "choice" and value in item.variants:
            switched.append(value)
    return switched


def visual_form(lesson: Lesson, form: int) -> VisualExample:
    forms = lesson.visual.examples
    if not 0 <= form < len(forms):
        raise KnobError(f"this lesson has no run form number {form}")
    return forms[form]


def resolve_knobs(lesson: Lesson, form: int, raw: Mapping[str, str]) -> KnobChoice:
    """The example and call that a submitted knob form asks for."""
    item = visual_form(lesson, form)
    values = {knob.id: knob_value(knob, raw.get(knob.id)) for knob in item.knobs}
    switched = chosen_variants(item, values)
    if len(switched) > 1:
        raise KnobError("switch on one what-if at a time")
    example = item.variants[switched[0]] if switched else item.example
    template = item.call_template or lesson.meta.examples[item.example].call

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KnobError(f"the call template names an unknown knob {name!r}")
        return values[name]

    return KnobChoice(form, example, _PLACEHOLDER.sub(fill, template), tuple(values.items()))


def form_of_run(lesson: Lesson, knobs: tuple[tuple[str, str], ...]) -> int | None:
    """Which form a run's knob values came from (the knob ids tell them apart), if any."""
    ids = {name for name, _ in knobs}
    if not ids:
        return None
    for number, item in enumerate(lesson.visual.examples):
        if ids == {knob.id for knob in item.knobs}:
            return number
    return None
