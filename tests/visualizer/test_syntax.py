"""Trees are made one thread at a time: CPython 3.11's tree conversion is not thread-safe.

Two threads parsing at once (the lesson checker's parallel runs, the engine's input checks in
worker threads) once ended a run with ``SystemError: AST constructor recursion depth mismatch``.
"""

from __future__ import annotations

import ast
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from visualizer.syntax import compile_module, literal, parse_expression, parse_module

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("loopscope", "lessons", "visualizer", "bench", "tools")


class Finalized:
    """Garbage with a finalizer: the collector runs Python code mid-conversion, where the
    interpreter may switch threads."""

    def __del__(self) -> None:
        pass


@pytest.fixture
def switch_often() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_threads_parsing_and_compiling_at_once_all_succeed(switch_often: None) -> None:
    source = (ROOT / "lessons" / "judge.py").read_text()
    failures: list[str] = []

    def work() -> None:
        for _ in range(150):
            garbage = [[Finalized()] for _ in range(50)]
            for item in garbage:
                item.append(item)  # a cycle: freed by the collector, not at once
            del garbage
            try:
                compile_module(parse_module(source), "judge.py")
                parse_expression("main(3)")
            except SystemError as error:
                failures.append(str(error))
                return

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_literal_reads_python_literals_only() -> None:
    assert literal(" {'a': 1.5}") == {"a": 1.5}
    with pytest.raises(ValueError, match="malformed"):
        literal("open('x')")


def _tree_calls(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "ast"
            and node.func.attr in {"parse", "literal_eval"}
        ):
            yield f"{path.relative_to(ROOT)}:{node.lineno} ast.{node.func.attr}"


def test_the_project_makes_trees_only_through_the_lock() -> None:
    files = [
        path
        for folder in PROJECT
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "content" not in path.parts and path.name != "syntax.py"
    ]
    assert len(files) > 50
    assert [call for path in files for call in _tree_calls(path)] == []
