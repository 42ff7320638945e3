"""Rewrite the traced file's syntax tree so that only its own code reports to the recorder.

CPython 3.11 has no cheap per-code-object hooks (``sys.monitoring`` is 3.12+) and ``sys.settrace``
would tax every library call as well, so the traced file is instrumented at the source level
instead; httpx, httpcore and asyncio run untouched. Inside every function:

    def f(a):                          def f(a):
        x = await g(a)                     __ls_f = __ls__.enter(0, locals())
        return x                           try:
                                               __ls__.line(__ls_f, 2, locals())
                                               x = await __ls__.aw(g(a), __ls_f, 1)
                                               __ls__.line(__ls_f, 3, locals())
                                               return __ls__.ret(__ls_f, 3, x)
                                               __ls__.ret(__ls_f, 3, None)
                                           except BaseException as __ls_e:
                                               __ls__.unwind(__ls_f, __ls_e)
                                               raise

``async with`` managers go through ``__ls__.cm`` (their blocks end with ``__ls__.snap``),
``async for`` iterables through ``__ls__.ait`` and every ``except`` handler starts with
``__ls__.caught``. The integers are indexes into the
``Sites`` tables built here, which hold the static facts (line, source text, assigned name) so
the hot path passes only small constants. Module-level code is left as it is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal, TypeVar

PROBES = "__ls__"
FRAME = "__ls_f"
_EXC = "__ls_e"
HIDDEN_PREFIX = "__ls"

AwaitRole = Literal["await", "aenter", "aexit", "anext"]
_Def = TypeVar("_Def", ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True, slots=True)
class AwaitSite:
    """One ``await`` (or the implicit awaits of ``async with`` / ``async for``) in the file."""

    line: int
    text: str
    role: AwaitRole
    target: str | None


@dataclass(frozen=True, slots=True)
class FunctionSite:
    """One function definition in the file."""

    name: str
    line: int
    is_async: bool


@dataclass(slots=True)
class Sites:
    """The static tables the probes index into."""

    awaits: list[AwaitSite] = field(default_factory=list)
    functions: list[FunctionSite] = field(default_factory=list)


def instrument(tree: ast.Module) -> Sites:
    """Rewrite ``tree`` in place and return its site tables."""
    sites = Sites()
    _Instrumenter(sites).visit(tree)
    ast.fix_missing_locations(tree)
    return sites


def _probe(method: str, *args: ast.expr) -> ast.Call:
    func = ast.Attribute(value=ast.Name(PROBES, ast.Load()), attr=method, ctx=ast.Load())
    return ast.Call(func=func, args=list(args), keywords=[])


def _frame() -> ast.Name:
    return ast.Name(FRAME, ast.Load())


def _locals() -> ast.Call:
    return ast.Call(func=ast.Name("locals", ast.Load()), args=[], keywords=[])


def _const(value: int | None) -> ast.Constant:
    return ast.Constant(value)


def _located(node: ast.stmt, like: ast.AST) -> ast.stmt:
    ast.copy_location(node, like)
    for child in ast.walk(node):
        if "lineno" in child._attributes:
            ast.copy_location(child, like)
    return node


class _Instrumenter(ast.NodeTransformer):
    def __init__(self, sites: Sites) -> None:
        self.sites = sites
        self.depth = 0  # > 0 inside a function body
        self.async_generator: list[bool] = []

    # -- functions ---------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        return self._function(node, is_async=False)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AsyncFunctionDef:
        return self._function(node, is_async=True)

    def _function(self, node: _Def, *, is_async: bool) -> _Def:
        node.decorator_list = [self.visit(d) for d in node.decorator_list]
        site = len(self.sites.functions)
        self.sites.functions.append(FunctionSite(node.name, node.lineno, is_async))
        self.depth += 1
        self.async_generator.append(is_async and _yields(node))
        body = list(node.body)
        docstring: list[ast.stmt] = []
        first = body[0] if body else None
        constant = first.value if isinstance(first, ast.Expr) else None
        if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
            docstring = [body.pop(0)]
        hooked = self._block(body)
        end = node.end_lineno or node.lineno
        implicit = ast.Expr(_probe("ret", _frame(), _const(end), _const(None)))
        hooked.append(_located(implicit, body[-1] if body else node))
        enter = ast.Assign(
            targets=[ast.Name(FRAME, ast.Store())], value=_probe("enter", _const(site), _locals())
        )
        handler = ast.ExceptHandler(
            type=ast.Name("BaseException", ast.Load()),
            name=_EXC,
            body=[
                _located(ast.Expr(_probe("unwind", _frame(), ast.Name(_EXC, ast.Load()))), node),
                _located(ast.Raise(exc=None, cause=None), node),
            ],
        )
        guard = ast.Try(body=hooked, handlers=[handler], orelse=[], finalbody=[])
        for new in (handler, guard):  # only the new nodes: the body keeps its own lines
            ast.copy_location(new, node)
            new.end_lineno = node.lineno
        handler.type.lineno = node.lineno  # type: ignore[union-attr]
        node.body = [*docstring, _located(enter, node), guard]
        self.async_generator.pop()
        self.depth -= 1
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        depth, self.depth = self.depth, 0  # a class body is not a function body
        self.generic_visit(node)
        self.depth = depth
        return node

    # -- statements --------------------------------------------------------------------------

    def _block(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for statement in statements:
            new = self.visit(statement)
            line = ast.Expr(_probe("line", _frame(), _const(statement.lineno), _locals()))
            out.append(_located(line, statement))
            out.extend(new if isinstance(new, list) else [new])
        return out

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if self.depth == 0:
            return super().generic_visit(node)
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(node, name, self._block(block))
        for field_name, value in ast.iter_fields(node):
            if field_name in ("body", "orelse", "finalbody"):
                continue
            if isinstance(value, list):
                value[:] = [self.visit(v) if isinstance(v, ast.AST) else v for v in value]
            elif isinstance(value, ast.AST):
                setattr(node, field_name, self.visit(value))
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.ExceptHandler:
        self.generic_visit(node)
        if self.depth:
            caught = ast.Expr(_probe("caught", _frame(), _const(node.lineno)))
            node.body.insert(0, _located(caught, node))
        return node

    def visit_Return(self, node: ast.Return) -> ast.Return:
        self.generic_visit(node)
        if self.depth and not self.async_generator[-1]:
            value = node.value if node.value is not None else _const(None)
            node.value = _probe("ret", _frame(), _const(node.lineno), value)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        first = node.targets[0]
        target = first.id if len(node.targets) == 1 and isinstance(first, ast.Name) else None
        node.value = self._maybe_await(node.value, target)
        node.targets = [self.visit(t) for t in node.targets]
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AnnAssign:
        if node.value is not None:
            name = node.target.id if isinstance(node.target, ast.Name) else None
            node.value = self._maybe_await(node.value, name)
        node.annotation = self.visit(node.annotation)
        return node

    def _maybe_await(self, value: ast.expr, target: str | None) -> ast.expr:
        if self.depth and isinstance(value, ast.Await):
            return self._await(value, target)
        result: ast.expr = self.visit(value)
        return result

    def visit_Await(self, node: ast.Await) -> ast.Await:
        if not self.depth:
            return node
        return self._await(node, None)

    def _await(self, node: ast.Await, target: str | None) -> ast.Await:
        text = ast.unparse(node.value)
        inner = self.visit(node.value)
        site = self._site(node.lineno, text, "await", target)
        node.value = _probe("aw", inner, _frame(), _const(site))
        return node

    def visit_AsyncWith(self, node: ast.AsyncWith) -> ast.AsyncWith:
        self.generic_visit(node)
        if not self.depth:
            return node
        # the block's last statement is only told once its effect is known: snapshot the
        # locals before __aexit__ runs (there is no line probe in between)
        snap = ast.Expr(_probe("snap", _frame(), _const(node.body[-1].lineno), _locals()))
        node.body.append(_located(snap, node.body[-1]))
        for item in node.items:
            target = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
            text = ast.unparse(item.context_expr)
            enter = self._site(node.lineno, text, "aenter", target)
            leave = self._site(node.lineno, text, "aexit", target)
            item.context_expr = _probe(
                "cm", item.context_expr, _frame(), _const(enter), _const(leave)
            )
        return node

    def visit_AsyncFor(self, node: ast.AsyncFor) -> ast.AsyncFor:
        self.generic_visit(node)
        if not self.depth:
            return node
        target = node.target.id if isinstance(node.target, ast.Name) else None
        site = self._site(node.lineno, ast.unparse(node.iter), "anext", target)
        node.iter = _probe("ait", node.iter, _frame(), _const(site))
        return node

    def _site(self, line: int, text: str, role: AwaitRole, target: str | None) -> int:
        self.sites.awaits.append(AwaitSite(line, text, role, target))
        return len(self.sites.awaits) - 1


def _yields(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``node`` is an async generator (a ``yield`` in its own scope)."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Yield | ast.YieldFrom):
            return True
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(ast.iter_child_nodes(child))
    return False
