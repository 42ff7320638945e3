"""Every kind of broken lesson fails to load with a message naming the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lesson_helpers import TINY, edit_yaml, line_of, load_error

from lessons import LessonFileError, LessonValidationError, load_lesson


def test_missing_key(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", lambda deep: deep["overview"].pop("what"))

    assert load_error(tiny).startswith("tiny-lesson/deep.yaml: overview.what: Field required")


def test_wrong_type(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", lambda deep: deep["steps"][0].update(title=["a", "list"]))

    message = load_error(tiny)

    assert message.startswith(
        "tiny-lesson/deep.yaml: steps.0.title: Input should be a valid string"
    )


def test_unknown_key(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", lambda deep: deep["steps"][0].update(insigth="typo"))

    message = load_error(tiny)

    assert message.startswith(
        "tiny-lesson/deep.yaml: steps.0.insigth: Extra inputs are not permitted"
    )


def test_bad_level_names_file_key_and_line(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", lambda deep: deep["steps"][0].update(level="Beginner"))
    line = line_of(tiny / "deep.yaml", "level: Beginner")

    assert load_error(tiny) == (
        "tiny-lesson/deep.yaml: steps.0.level: Input should be 'Foundation', 'Intermediate', "
        f"'Advanced' or 'Expert' (line {line})"
    )


def test_answer_not_an_option(tiny: Path) -> None:
    edit_yaml(tiny / "recall.yaml", lambda recall: recall["quiz"][0].update(answer="maybe"))

    message = load_error(tiny)

    assert message.startswith(
        "tiny-lesson/recall.yaml: quiz.0: answer 'maybe' is not one of the options ['yes', 'no']"
    )


def test_unknown_example_in_a_step(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", lambda deep: deep["steps"][0].update(example="nope"))

    message = load_error(tiny)

    assert message.startswith("tiny-lesson/deep.yaml: steps.0.example: unknown example 'nope'")
    assert "(known: fetch, fragment, no_await)" in message


@pytest.mark.parametrize(
    ("file", "change", "key"),
    [
        ("deep.yaml", lambda d: d["pitfalls"][0].update(right="nope"), "pitfalls.0.right"),
        ("why.yaml", lambda d: d.update(before="nope"), "before"),
        ("deep.yaml", lambda d: d["steps"][0]["evidence"].update(example="nope"),
         "steps.0.evidence.0.example"),
        ("perf.yaml", lambda d: d["comparisons"][0]["fast"].update(
            faster_than={"example": "nope", "factor": 2}),
         "comparisons.0.fast.faster_than.example"),
        ("visual.yaml", lambda d: d["examples"][0]["variants"].update(no_await="nope"),
         "examples.0.variants.no_await"),
        ("try.yaml", lambda d: d.update(example="nope"), "example"),
        ("challenge.yaml", lambda d: d["challenges"][0].update(solution="nope"),
         "challenges.0.solution"),
        ("project.yaml", lambda d: d.update(solution="nope"), "solution"),
    ],
)  # fmt: skip
def test_unknown_example_anywhere(tiny: Path, file: str, change: object, key: str) -> None:
    edit_yaml(tiny / file, change)  # type: ignore[arg-type]

    assert load_error(tiny).startswith(f"tiny-lesson/{file}: {key}: unknown example 'nope'")


def test_evidence_must_be_runnable(tiny: Path) -> None:
    edit_yaml(
        tiny / "deep.yaml", lambda deep: deep["steps"][0]["evidence"].update(example="fragment")
    )

    message = load_error(tiny)

    assert message.startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0.example: "
        "example 'fragment' is marked runnable: false"
    )


def test_missing_example_file(tiny: Path) -> None:
    (tiny / "examples" / "no_await.py").unlink()

    message = load_error(tiny)

    assert message.startswith(
        "tiny-lesson/lesson.yaml: examples.no_await.file: no such file: examples/no_await.py"
    )


def test_runnable_example_with_a_syntax_error(tiny: Path) -> None:
    (tiny / "examples" / "fetch.py").write_text("async def broken(:\n")

    message = load_error(tiny)

    assert message.startswith("tiny-lesson/lesson.yaml: examples.fetch.file: examples/fetch.py:1:")
    assert "SyntaxError" in message


def test_call_that_is_not_an_expression(tiny: Path) -> None:
    edit_yaml(tiny / "lesson.yaml", lambda meta: meta["examples"]["fetch"].update(call="x ="))

    assert load_error(tiny).startswith("tiny-lesson/lesson.yaml: examples.fetch.call: 'x =': ")


@pytest.mark.parametrize(
    ("fence", "problem"),
    [
        ("```example nope\n```", "unknown example 'nope'"),
        ("```example\n```", "write ```example NAME``` with one name, not 'example'"),
        ("```example fetch no_await\n```", "with one name, not 'example fetch no_await'"),
        ("```example fetch\nprint('copied')\n```", "must be empty"),
    ],
)
def test_bad_example_fence(tiny: Path, fence: str, problem: str) -> None:
    (tiny / "learn.md").write_text(f"---\ntitle: Learn\n---\nSome words.\n\n{fence}\n")

    message = load_error(tiny)

    assert message.startswith("tiny-lesson/learn.md: body: example fence on line 3 of the text")
    assert problem in message


def test_bad_example_fence_in_a_yaml_field(tiny: Path) -> None:
    edit_yaml(
        tiny / "deep.yaml", lambda deep: deep["myths"][0].update(why="```example nope\n```\n")
    )

    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: myths.0.why: example fence on line 1 of the text: unknown example"
    )


def test_duplicate_ids_across_files(tiny: Path) -> None:
    edit_yaml(tiny / "recall.yaml", lambda recall: recall["quiz"][1].update(id="prompt-fetch"))

    assert load_error(tiny).startswith(
        "tiny-lesson/recall.yaml: quiz.1.id: id 'prompt-fetch' is already used at "
        "deep.yaml: steps.0.prompt"
    )


def test_yaml_syntax_error_names_file_and_line(tiny: Path) -> None:
    (tiny / "why.yaml").write_text("big_idea: fine\nscenario: [unclosed\nproblem: x\n")

    with pytest.raises(LessonFileError) as caught:
        load_lesson(tiny)

    assert caught.value.file == "tiny-lesson/why.yaml"
    assert caught.value.line == 3
    assert str(caught.value).startswith("tiny-lesson/why.yaml:3: YAML syntax error: ")


def test_front_matter_syntax_error_counts_lines_from_the_file_start(tiny: Path) -> None:
    (tiny / "learn.md").write_text("---\ntitle: [unclosed\n---\nBody\n")

    with pytest.raises(LessonFileError) as caught:
        load_lesson(tiny)

    assert str(caught.value).startswith("tiny-lesson/learn.md:3: YAML syntax error: ")


def test_front_matter_unknown_key(tiny: Path) -> None:
    (tiny / "learn.md").write_text("---\ntitle: Learn\nminutes: 3\n---\nBody\n")

    assert load_error(tiny) == (
        "tiny-lesson/learn.md: minutes: Extra inputs are not permitted (line 3)"
    )


def test_folder_name_differs_from_slug(content_root: Path) -> None:
    renamed = (content_root / TINY).rename(content_root / "other-name")

    assert load_error(renamed).startswith(
        "other-name/lesson.yaml: slug: slug 'tiny-lesson' differs from the folder name 'other-name'"
    )


def test_missing_file(tiny: Path) -> None:
    (tiny / "perf.yaml").unlink()

    assert load_error(tiny) == "tiny-lesson/perf.yaml: file is missing"


def test_empty_file(tiny: Path) -> None:
    (tiny / "try.yaml").write_text("")

    assert load_error(tiny).startswith("tiny-lesson/try.yaml: Input should be a valid dictionary")


def test_hint_steps_outside_the_reference_table(tiny: Path) -> None:
    edit_yaml(tiny / "visual.yaml", lambda visual: visual["quiz"][0].update(hint_steps=[2, 9]))

    assert load_error(tiny).startswith(
        "tiny-lesson/visual.yaml: quiz.0.hint_steps.1: row 9 is not in the reference table "
        "(rows 1 to 3"
    )


def test_key_moment_steps_outside_the_reference_table(tiny: Path) -> None:
    edit_yaml(tiny / "visual.yaml", lambda visual: visual["key_moments"][0].update(steps=[0]))

    assert load_error(tiny).startswith("tiny-lesson/visual.yaml: key_moments.0.steps.0: row 0")


@pytest.mark.parametrize(
    ("knob", "change", "problem"),
    [
        (0, {"default": "7"}, "default 7 is outside 0 to 3"),
        (0, {"default": "fast"}, "default 'fast' is not a number"),
        (0, {"min": None}, "a range knob needs min and max"),
        (1, {"default": "on"}, "a toggle's default is 'true' or 'false', not 'on'"),
        (1, {"kind": "select", "choices": {"a": "A"}, "default": "b"},
         "default 'b' is not one of the choices ['a']"),
    ],
)  # fmt: skip
def test_bad_knob_default(tiny: Path, knob: int, change: dict[str, object], problem: str) -> None:
    edit_yaml(
        tiny / "visual.yaml", lambda visual: visual["examples"][0]["knobs"][knob].update(change)
    )

    message = load_error(tiny)

    assert message.startswith(
        f"tiny-lesson/visual.yaml: examples.0.knobs.{knob}.default: {problem}"
    )


def test_call_template_placeholder_without_a_knob(tiny: Path) -> None:
    edit_yaml(
        tiny / "visual.yaml",
        lambda visual: visual["examples"][0].update(
            call_template='fetch_data("https://api.example.com/delay/{latncy}")'
        ),
    )

    message = load_error(tiny)

    assert "tiny-lesson/visual.yaml: examples.0.call_template: {latncy} names no knob" in message
    assert "examples.0.knobs.0.id: knob 'latency' does nothing" in message


def test_toggle_knob_without_a_variant(tiny: Path) -> None:
    edit_yaml(tiny / "visual.yaml", lambda visual: visual["examples"][0].update(variants={}))

    assert load_error(tiny).startswith(
        "tiny-lesson/visual.yaml: examples.0.knobs.1.id: knob 'no_await' does nothing"
    )


def test_variant_keyed_by_a_non_toggle(tiny: Path) -> None:
    edit_yaml(
        tiny / "visual.yaml",
        lambda visual: visual["examples"][0]["variants"].update(latency="fetch"),
    )

    assert load_error(tiny).startswith(
        "tiny-lesson/visual.yaml: examples.0.variants.latency: 'latency' is neither a toggle"
        " knob nor the value of exactly one choice knob"
    )


def _what_if_choice(visual: dict[str, Any]) -> None:
    example = visual["examples"][0]
    example["knobs"][1] = {
        "id": "what_if",
        "label": "What if",
        "kind": "choice",
        "choices": {"as_written": "As written", "no_await": "Leave out the await"},
        "default": "as_written",
    }


def test_a_choice_value_names_a_variant(tiny: Path) -> None:
    edit_yaml(tiny / "visual.yaml", _what_if_choice)

    assert load_lesson(tiny).visual.examples[0].variants == {"no_await": "no_await"}


def test_a_choice_whose_values_name_no_variant_does_nothing(tiny: Path) -> None:
    def edit(visual: dict[str, Any]) -> None:
        _what_if_choice(visual)
        visual["examples"][0]["variants"] = {"missing": "no_await"}

    edit_yaml(tiny / "visual.yaml", edit)

    message = load_error(tiny)
    assert "examples.0.variants.missing: 'missing' is neither a toggle knob" in message
    assert "examples.0.knobs.1.id: knob 'what_if' does nothing" in message


def test_every_problem_is_reported_on_its_own_line(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", lambda deep: deep["steps"][0].update(level="Beginner"))
    edit_yaml(tiny / "why.yaml", lambda why: why.pop("scenario"))

    with pytest.raises(LessonValidationError) as caught:
        load_lesson(tiny)

    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("tiny-lesson/why.yaml: scenario: Field required")
    assert lines[1].startswith("tiny-lesson/deep.yaml: steps.0.level: ")
    assert (caught.value.file, caught.value.key) == ("tiny-lesson/why.yaml", "scenario")


# --- counter-examples ---------------------------------------------------------------------------


def _step_evidence(change: object) -> object:
    return lambda deep: change(deep["steps"][0]["evidence"])  # type: ignore[operator]


def test_evidence_without_a_counter_example(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", _step_evidence(lambda evidence: evidence.pop("counter")))

    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0.counter: Field required"
    )


def test_counter_example_names_an_example_or_a_file(tiny: Path) -> None:
    edit_yaml(
        tiny / "deep.yaml",
        _step_evidence(lambda evidence: evidence["counter"].update(file="examples/fetch.py")),
    )

    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0.counter.0: a counter-example names either an "
        "example or a file, not both"
    )


def test_counter_example_file_must_exist(tiny: Path) -> None:
    counter = {"file": "examples/gone.py", "call": "main()", "changes": "nothing"}
    edit_yaml(tiny / "deep.yaml", _step_evidence(lambda evidence: evidence.update(counter=counter)))

    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0.counter.0.file: no such file: examples/gone.py"
    )


def test_counter_example_file_must_compile(tiny: Path) -> None:
    (tiny / "examples" / "broken.py").write_text("async def main(:\n")
    counter = {"file": "examples/broken.py", "call": "main()", "changes": "broken"}
    edit_yaml(tiny / "deep.yaml", _step_evidence(lambda evidence: evidence.update(counter=counter)))

    assert "steps.0.evidence.0.counter.0.file: line 1: SyntaxError" in load_error(tiny)


def test_counter_example_unknown_or_the_claims_own_run(tiny: Path) -> None:
    edit_yaml(
        tiny / "deep.yaml",
        _step_evidence(lambda evidence: evidence["counter"].update(example="nope")),
    )
    assert "steps.0.evidence.0.counter.0.example: unknown example 'nope'" in load_error(tiny)

    edit_yaml(
        tiny / "deep.yaml",
        _step_evidence(lambda evidence: evidence["counter"].update(example="fetch")),
    )
    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0.counter.0: the counter-example is the "
        "claim's own run"
    )


def test_expectation_must_name_a_check(tiny: Path) -> None:
    edit_yaml(tiny / "deep.yaml", _step_evidence(lambda evidence: evidence.update(expect={})))

    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0: expect names no check, so no counter-example "
        "could fail it"
    )


def test_blocked_at_must_be_code_of_every_run(tiny: Path) -> None:
    edit_yaml(
        tiny / "deep.yaml",
        _step_evidence(lambda evidence: evidence["expect"].update(blocked_at="await client")),
    )

    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0.expect.blocked_at: 'await client' is on no "
        "line of the file named at steps.0.evidence.0.counter.0.example"
    )


def test_rejects_on_must_name_a_check_of_expect(tiny: Path) -> None:
    edit_yaml(
        tiny / "deep.yaml",
        _step_evidence(lambda evidence: evidence["counter"].update(rejects_on=["blocked"])),
    )

    assert load_error(tiny).startswith(
        "tiny-lesson/deep.yaml: steps.0.evidence.0: counter.0.rejects_on names "
        "blocked, which expect does not check (it checks no_error, tcp_connects)"
    )


def test_says_must_quote_a_measured_fact(tiny: Path) -> None:
    edit_yaml(
        tiny / "deep.yaml",
        _step_evidence(lambda evidence: evidence.update(says=["over {conections} connections"])),
    )

    assert "says 'over {conections} connections' names no measured fact conections" in (
        load_error(tiny)
    )
