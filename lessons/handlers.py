"""What a file's ``except`` clauses catch, by meaning rather than spelling.

A reviewer reads ``except (httpx.RequestError, httpx.HTTPStatusError)`` as ``except
httpx.HTTPError``: the two families are all that ``HTTPError`` holds. So names are resolved
through the file's imports and aliases (``import httpx as hx``, ``from httpx import
RequestError as NoAnswer``) to real exception classes, and the handlers of a file are judged by
the set of classes they catch together (two separate clauses count as one set):

>>> source = '''
... import httpx as hx
... try: pass
... except hx.RequestError: pass
... except hx.HTTPStatusError: pass
... '''
>>> problem(source, "httpx.HTTPError") is None
True
>>> problem(source.replace("hx.HTTPStatusError", "(hx.HTTPStatusError, ValueError)"),
...         "httpx.HTTPError")
'line 5 also catches ValueError, which is not an httpx.HTTPError'

Only classes of a few well-known modules are looked up (never a module the learner names), so
judging a file never imports anything it chose.
"""

from __future__ import annotations

import ast
import builtins
import importlib
from collections.abc import Iterator
from dataclasses import dataclass

from visualizer.syntax import parse_module

# The modules whose exception classes a handler may be resolved to.
KNOWN_MODULES = frozenset({"builtins", "httpx", "httpcore", "asyncio", "json", "ssl", "socket"})


@dataclass(frozen=True, slots=True)
class Handler:
    """One ``except`` clause: its line and each name it catches, resolved where possible."""

    line: int
    names: tuple[str, ...]  # as written, e.g. "hx.HTTPError"; () for a bare except
    classes: tuple[type[BaseException] | None, ...]  # None where a name cannot be resolved


def handlers(tree: ast.AST) -> tuple[Handler, ...]:
    """Every ``except`` clause of ``tree``, with its names resolved through the imports."""
    aliases = _aliases(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ExceptHandler):
            continue
        parts = _parts(node.type)
        names = tuple(ast.unparse(part) for part in parts)
        classes = tuple(resolve(_qualified(part, aliases)) for part in parts)
        found.append(Handler(node.lineno, names, classes))
    return tuple(sorted(found, key=lambda handler: handler.line))


def resolve(qualified: str | None) -> type[BaseException] | None:
    """``"httpx.HTTPError"`` -> the class; None for unknown names or modules."""
    if qualified is None:
        return None
    module, _, name = qualified.rpartition(".")
    if module not in KNOWN_MODULES:
        return None
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    if isinstance(found, type) and issubclass(found, BaseException):
        return found
    return None


def problem(source: str, target: str) -> str | None:
    """Why the handlers of ``source`` do not catch exactly what ``target`` catches; None if
    they do. Raises ``SyntaxError`` for code that does not parse."""
    wanted = resolve(target)
    if wanted is None:
        raise ValueError(f"{target!r} names no exception class this judge knows")
    found = handlers(parse_module(source))
    if not found:
        return f"there is no except clause, so no {target} is caught"
    for handler in found:
        if not handler.names:
            return f"line {handler.line} has a bare except:, which catches everything"
        for name, cls in zip(handler.names, handler.classes, strict=True):
            if cls is None:
                return f"line {handler.line} catches {name}, which is no exception class known here"
            if issubclass(cls, wanted):
                continue
            if issubclass(wanted, cls):
                return f"line {handler.line} catches {name}, which is more than {target}"
            return f"line {handler.line} also catches {name}, which is not an {target}"
    caught = tuple(cls for handler in found for cls in handler.classes if cls is not None)
    for leaf in leaves(wanted):
        if not any(issubclass(leaf, cls) for cls in caught):
            return f"{leaf.__name__} would escape: no handler catches it"
    return None


def leaves(cls: type[BaseException]) -> tuple[type[BaseException], ...]:
    """The most derived classes under ``cls`` (``cls`` itself when nothing derives from it)."""
    found = tuple(_leaves(cls))
    return found or (cls,)


def _leaves(cls: type[BaseException]) -> Iterator[type[BaseException]]:
    for sub in cls.__subclasses__():
        if sub.__subclasses__():
            yield from _leaves(sub)
        else:
            yield sub


def _parts(node: ast.expr | None) -> list[ast.expr]:
    if node is None:
        return []
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> qualified name, from ``import`` and ``from ... import`` statements."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".", 1)[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        if node.id in aliases:
            return aliases[node.id]
        return f"builtins.{node.id}" if hasattr(builtins, node.id) else None
    if isinstance(node, ast.Attribute):
        base = _qualified(node.value, aliases)
        return None if base is None else f"{base}.{node.attr}"
    return None
