"""A run's input, checked before any process starts: the file, the call and the watches.

Light on purpose (``ast`` and the errors only): the trace command checks its input and starts
the worker before it imports anything heavier.
"""

from __future__ import annotations

import ast
import types
from pathlib import Path

from visualizer.contract.errors import BadCall, FileNotFound, SourceSyntaxError
from visualizer.syntax import parse_module


def load(file: Path) -> tuple[str, ast.Module]:
    """Read and parse ``file``; raise the matching ``TraceInputError``."""
    if not file.is_file():
        raise FileNotFound(f"{file}: no such file")
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FileNotFound(f"{file}: cannot be read ({error})") from None
    try:
        return source, parse_module(source, str(file))
    except SyntaxError as error:
        raise SourceSyntaxError(str(file), error.lineno, error.msg) from None


def parse_call(call: str) -> types.CodeType:
    try:
        return compile(call.strip(), "<call>", "eval")
    except SyntaxError as error:
        raise BadCall(f"The call {call!r} is not a Python expression: {error.msg}") from None


def dotted(text: str) -> tuple[str, tuple[str, ...]]:
    """A watch's root name and attributes (``response.text``); ``ValueError`` if not dotted."""
    parts = text.strip().split(".")
    if not all(part.isidentifier() for part in parts):
        raise ValueError(f"--watch {text!r} is not a dotted name like response.text")
    return parts[0], tuple(parts[1:])


def check_watches(watch: tuple[str, ...]) -> None:
    try:
        for text in watch:
            dotted(text)
    except ValueError as error:
        raise BadCall(str(error)) from None
