"""Example fences: how prose pulls in real code without copying it.

A fenced block whose info string is ``example NAME`` stands for the example file registered under
NAME in lesson.yaml. Its body stays empty: the code lives in the file, which the test suite runs.

>>> [fence.example for fence in fences("Intro\\n\\n```example canonical\\n```\\n")]
['canonical']
>>> expand_examples("```example hello\\n```", {"hello": "print('hi')\\n"})
"```python\\nprint('hi')\\n```\\n"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt


@dataclass(frozen=True, slots=True)
class Fence:
    info: str  # the whole info string, e.g. "example canonical" or "python"
    body: str
    start: int  # 0-based first line of the fence in the Markdown text
    end: int  # 0-based line after the closing fence

    @property
    def is_example(self) -> bool:
        return self.info.split(maxsplit=1)[:1] == ["example"]

    @property
    def example(self) -> str | None:
        """The example name when this is a well-formed ``example NAME`` fence."""
        words = self.info.split()
        return words[1] if self.is_example and len(words) == 2 else None


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def fences(text: str) -> list[Fence]:
    """Every fenced code block of a Markdown text, in order."""
    if "```" not in text and "~~~" not in text:
        return []
    found = []
    for token in _parser().parse(text):
        if token.type == "fence" and token.map is not None:
            start, end = token.map
            found.append(Fence(token.info.strip(), token.content, start, end))
    return found


def expand_examples(text: str, sources: Mapping[str, str]) -> str:
    """Replace each ``example NAME`` fence by a ``python`` fence holding that example's source.

    Names must exist in ``sources``; the loader guarantees it for a loaded lesson.
    """
    lines = text.splitlines(keepends=True)
    for fence in reversed(fences(text)):
        if fence.example is None:
            continue
        source = sources[fence.example]
        if not source.endswith("\n"):
            source += "\n"
        lines[fence.start : fence.end] = [f"```python\n{source}```\n"]
    return "".join(lines)
