"""Reading one lesson file into plain data, remembering the line of every key.

PyYAML's ``safe_load`` forgets where values came from. Composing the node tree first and then
constructing from it (what ``safe_load`` does inside) keeps the marks, so a validation error can
point at ``(line 40)`` as well as at ``steps.2.level``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from frontmatter.default_handlers import YAMLHandler

from lessons.errors import LessonFileError
from lessons.walk import Path_


@dataclass(frozen=True, slots=True)
class Document:
    """The parsed data of one file, named as in messages (``slug/deep.yaml``)."""

    label: str
    data: object
    lines: dict[Path_, int] = field(default_factory=dict)  # key path -> 1-based line

    def line_of(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that is in the file."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def read_yaml(path: Path, label: str) -> Document:
    data, lines = _parse_yaml(_read_text(path, label), label, first_line=1)
    return Document(label, data, lines)


def read_front_matter(path: Path, label: str) -> tuple[Document, str]:
    """The front matter of a Markdown file as a Document, and the Markdown body after it."""
    text = _read_text(path, label).strip()
    handler = YAMLHandler()
    if not handler.detect(text):
        return Document(label, {}), text
    try:
        front, body = handler.split(text)
    except ValueError as exc:
        raise LessonFileError(label, f"front matter is not closed: {exc}", line=1) from None
    data, lines = _parse_yaml(front, label, first_line=1)  # `front` starts with the "---" newline
    return Document(label, {} if data is None else data, lines), body.strip()


def _read_text(path: Path, label: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LessonFileError(label, "file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonFileError(label, f"cannot be read: {exc}") from None


def _parse_yaml(text: str, label: str, *, first_line: int) -> tuple[object, dict[Path_, int]]:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + first_line
        what = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        raise LessonFileError(label, f"YAML syntax error: {what}{context}", line=line) from None
    except yaml.YAMLError as exc:
        raise LessonFileError(label, f"YAML syntax error: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _collect_lines(node, (), lines, first_line)
    return data, lines


def _collect_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int], first: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            lines[child] = key.start_mark.line + first
            _collect_lines(value, child, lines, first)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + first
            _collect_lines(item, child, lines, first)
