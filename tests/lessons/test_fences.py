from __future__ import annotations

from lessons import expand_examples
from lessons.fences import fences


def test_finds_fences_with_their_lines() -> None:
    text = "Intro\n\n```example canonical\n```\n\n~~~python\nx = 1\n~~~\n"

    found = fences(text)

    assert [(f.info, f.example, f.start, f.end) for f in found] == [
        ("example canonical", "canonical", 2, 4),
        ("python", None, 5, 8),
    ]
    assert found[1].body == "x = 1\n"


def test_malformed_example_fences_have_no_name() -> None:
    assert [f.example for f in fences("```example\n```\n\n```example a b\n```\n")] == [None, None]
    assert all(f.is_example for f in fences("```example\n```\n"))


def test_text_without_fences() -> None:
    assert fences("Just `inline` code.") == []


def test_expand_examples_inlines_the_source() -> None:
    text = "Before\n\n```example hello\n```\n\nAfter\n"

    expanded = expand_examples(text, {"hello": "print('hi')"})

    assert expanded == "Before\n\n```python\nprint('hi')\n```\n\nAfter\n"


def test_expand_examples_leaves_other_fences() -> None:
    text = "```python\nx = 1\n```\n"

    assert expand_examples(text, {}) == text
