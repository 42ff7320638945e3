"""Python source to ``ast`` trees and trees to code, one thread at a time.

CPython 3.11 (3.11.7 here) keeps the depth counter of its tree conversion in one place per
interpreter, not per thread: two threads parsing or compiling trees at once can end one of
them with ``SystemError: AST constructor recursion depth mismatch`` (CPython issue 106905).
The trace engine checks runs in worker threads, the lesson checker runs several at once and
views read code in threads, so every conversion of ours goes through this lock. Compiling
source text straight to code (``compile(text, ...)``) makes no tree objects and needs no lock.
"""

from __future__ import annotations

import ast
import threading
import types

_CONVERTING = threading.Lock()


def parse_module(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` of a whole file; raises ``SyntaxError`` as it does."""
    with _CONVERTING:
        return ast.parse(source, filename=filename)


def parse_expression(source: str, filename: str = "<unknown>") -> ast.Expression:
    """``ast.parse(source, mode="eval")``; raises ``SyntaxError`` as it does."""
    with _CONVERTING:
        return ast.parse(source, filename=filename, mode="eval")


def compile_module(tree: ast.Module, filename: str) -> types.CodeType:
    """``compile`` of a (rewritten) tree."""
    with _CONVERTING:
        return compile(tree, filename, "exec")


def literal(text: str) -> object:
    """``ast.literal_eval`` of ``text`` (it parses the text into a tree first)."""
    return ast.literal_eval(parse_expression(text.lstrip(" \t")))
