"""What the fold needs to know of the traced file's source, read once with ``ast``.

- ``simple_statements``: each line's simple statement, as the table shows it;
- ``touched_names``: the names each line assigns or mutates through (``ids.append(…)``), so a
  change is told at the line that made it and not at the next one;
- ``loop_bodies``: each ``for`` loop's first body line, its own line and the names it binds,
  so that a loop's next binding is told at the ``for`` line.
"""

from __future__ import annotations

import ast

from visualizer.syntax import parse_module


def touched_names(source: str) -> dict[int, frozenset[str]]:
    """Line -> the names its statement assigns, or mutates through a method or subscript."""
    try:
        tree = parse_module(source)
    except SyntaxError:
        return {}
    found: dict[int, set[str]] = {}
    for statement in ast.walk(tree):
        if isinstance(statement, ast.ExceptHandler) and statement.name:
            found.setdefault(statement.lineno, set()).add(statement.name)
            continue
        if not isinstance(statement, ast.stmt) or isinstance(
            statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
        ):
            continue
        names = found.setdefault(statement.lineno, set())
        if isinstance(statement, ast.With | ast.AsyncWith):  # its managers change as it runs
            for item in statement.items:
                names.update(
                    node.id for node in ast.walk(item.context_expr) if isinstance(node, ast.Name)
                )
        # a compound statement's own line is its header: not the statements of its blocks
        header = [
            value
            for name, value in ast.iter_fields(statement)
            if name not in ("body", "orelse", "finalbody", "handlers", "cases")
        ]
        nodes = [
            node
            for part in header
            for item in (part if isinstance(part, list) else [part])
            if isinstance(item, ast.AST)
            for node in ast.walk(item)
        ]
        for node in nodes:
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(
                node.value, ast.Name
            ):
                names.add(node.value.id)
    return {line: frozenset(names) for line, names in found.items()}


def loop_bodies(source: str) -> dict[int, tuple[int, frozenset[str]]]:
    """First line of each ``for`` body -> (the ``for`` line, the names it binds)."""
    try:
        tree = parse_module(source)
    except SyntaxError:
        return {}
    found: dict[int, tuple[int, frozenset[str]]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and node.body:
            names = frozenset(
                name.id for name in ast.walk(node.target) if isinstance(name, ast.Name)
            )
            found[node.body[0].lineno] = (node.lineno, names)
    return found


def simple_statements(source: str) -> dict[int, str]:
    """Line -> source of the simple (not compound) statement starting there."""
    try:
        tree = parse_module(source)
    except SyntaxError:
        return {}
    compound = (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.If,
        ast.For,
        ast.AsyncFor,
        ast.While,
        ast.With,
        ast.AsyncWith,
        ast.Try,
        ast.Match,
    )
    statements: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, compound):
            text = " ".join((ast.get_source_segment(source, node) or "").split())
            if text:
                statements[node.lineno] = text if len(text) <= 90 else text[:89] + "…"
    return statements
