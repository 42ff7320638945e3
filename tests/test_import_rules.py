"""The layers' import rules, read from the source with ``ast`` (imports inside functions too).

- ``visualizer`` imports nothing of ``loopscope`` or ``lessons``: the engine knows nothing of
  the app, and the sandbox binds only the ``visualizer`` folder.
- ``visualizer.worker`` (what runs inside the sandbox) imports neither ``visualizer.pool`` (the
  parent's side) nor pydantic, following the project's own modules: a worker pays for every
  import on every run.
- ``loopscope.views`` import neither ``loopscope.storage`` nor the Runs layer, and do not await:
  a view turns records into view models.
- The Runs layer imports nothing of ``loopscope.web``, through any module of the project.
- The web reaches the engine only through the Runs layer: it imports nothing of
  ``visualizer.pool`` and none of the engine's errors (Runs wraps them once).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pytest

from visualizer.syntax import parse_module

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("visualizer", "loopscope", "lessons")

WORKER = "visualizer.worker"
POOL = "visualizer.pool"
VIEWS = "loopscope.views"
STORAGE = "loopscope.storage"
WEB = "loopscope.web"
RUNS = ("loopscope.runs",)
ENGINE_ERRORS = "visualizer.contract.errors"
PYDANTIC = ("pydantic", "pydantic_core", "pydantic_settings")

# Exceptions to the views' rules, each a view module and what it imports, or a view that
# awaits: none. An entry that no longer happens fails the test, so a list can only shrink.
VIEW_IMPORTS_ALLOWED: frozenset[tuple[str, str]] = frozenset()
VIEWS_THAT_AWAIT: frozenset[str] = frozenset()


def project_modules(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of the project by dotted name (a package by its ``__init__.py``)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts or not (path.parent / "__init__.py").exists():
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


@cache
def _tree(path: Path) -> ast.Module:
    return parse_module(path.read_text(), str(path))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST, *, typing: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth; ``typing=False`` leaves out ``if TYPE_CHECKING:``
    bodies (not imported when the program runs)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test) and not typing:
            for child in node.orelse:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]), typing=typing)
        else:
            yield from _import_nodes(node, typing=typing)


def imports(name: str, path: Path, modules: dict[str, Path], *, typing: bool) -> set[str]:
    """The modules ``name`` imports: ``from a import b`` is ``a``, and ``a.b`` when that is a
    module; relative imports resolved."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(_tree(path), typing=typing):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        found.add(base)
        found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules)
    return found


def _with_parents(name: str) -> Iterator[str]:
    parts = name.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


def reached(start: str, modules: dict[str, Path]) -> set[str]:
    """What importing ``start`` imports when the program runs, following the project's own
    modules (a module's packages run first): project modules and the other modules they name."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        for step in _with_parents(name):
            if step in seen:
                continue
            seen.add(step)
            if step in modules:
                todo.extend(imports(step, modules[step], modules, typing=False))
    return seen - {start}


def under(name: str, prefixes: str | Iterable[str]) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else tuple(prefixes)
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    return project_modules()


def subjects(modules: dict[str, Path], prefixes: str | Iterable[str]) -> list[str]:
    found = sorted(name for name in modules if under(name, prefixes))
    assert found, f"no module under {prefixes}: the rule would hold of nothing"
    return found


def test_the_visualizer_imports_nothing_of_the_app(modules: dict[str, Path]) -> None:
    broken = {
        (name, imported)
        for name in subjects(modules, "visualizer")
        for imported in imports(name, modules[name], modules, typing=True)
        if under(imported, ("loopscope", "lessons"))
    }
    assert broken == set()


def test_the_worker_side_imports_neither_the_pool_side_nor_pydantic(
    modules: dict[str, Path],
) -> None:
    worker = subjects(modules, WORKER)
    assert len(worker) > 5, worker  # the process, its session, probes, recorder...
    broken = {
        (name, imported)
        for name in worker
        for imported in reached(name, modules) | imports(name, modules[name], modules, typing=True)
        if under(imported, (POOL, *PYDANTIC))
    }
    assert broken == set()


@pytest.mark.parametrize(
    "boot",
    [
        "from visualizer.worker.process import main",
        # the fork server imports its PRELOAD too before it forks
        "import importlib; from visualizer.worker.forkserver import PRELOAD, main;"
        " [importlib.import_module(name) for name in PRELOAD]",
    ],
)
def test_a_worker_process_starts_without_the_pool_side_or_pydantic(boot: str) -> None:
    """The worker's boot line, as the pool runs it: what it really imports, libraries too."""
    program = (
        f"import json, sys; sys.modules['httpx._main'] = None; {boot};"
        " print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imported = json.loads(done.stdout)
    assert "visualizer.worker.session" in imported  # the boot line really ran
    assert [name for name in imported if under(name, (POOL, *PYDANTIC))] == []


def test_views_import_neither_storage_nor_runs(modules: dict[str, Path]) -> None:
    found = {
        (name, imported)
        for name in subjects(modules, VIEWS)
        for imported in imports(name, modules[name], modules, typing=True)
        if under(imported, (STORAGE, *RUNS))
    }
    assert found - VIEW_IMPORTS_ALLOWED == set(), "a view imports storage or Runs"
    assert VIEW_IMPORTS_ALLOWED - found == set(), "no longer imported: remove from the list"


def test_views_do_not_await(modules: dict[str, Path]) -> None:
    awaiting = {
        name
        for name in subjects(modules, VIEWS)
        for node in ast.walk(_tree(modules[name]))
        if isinstance(node, ast.AsyncFunctionDef | ast.Await | ast.AsyncFor | ast.AsyncWith)
    }
    assert awaiting - VIEWS_THAT_AWAIT == set(), "a view awaits"
    assert VIEWS_THAT_AWAIT - awaiting == set(), "no longer awaits: remove from the list"


def test_runs_import_nothing_of_the_web(modules: dict[str, Path]) -> None:
    broken = {
        (name, imported)
        for name in subjects(modules, RUNS)
        for imported in reached(name, modules) | imports(name, modules[name], modules, typing=True)
        if under(imported, WEB)
    }
    assert broken == set()


def test_imports_are_read_inside_functions_and_type_checking_is_apart(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "light.py").write_text("def f():\n    from pkg import heavy\n")
    (package / "heavy.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pydantic\n"
        "else:\n    import json\n"
    )
    found = project_modules(tmp_path, ["pkg"])
    assert imports("pkg.light", found["pkg.light"], found, typing=False) == {"pkg", "pkg.heavy"}
    assert "pydantic" in imports("pkg.heavy", found["pkg.heavy"], found, typing=True)
    assert reached("pkg.light", found) == {"pkg", "pkg.heavy", "typing", "json"}


def _engine_error_names() -> set[str]:
    tree = _tree(ROOT / "visualizer" / "contract" / "errors.py")
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def test_the_web_reaches_the_engine_only_through_runs(modules: dict[str, Path]) -> None:
    errors = _engine_error_names()
    assert {"SandboxUnavailable", "TraceError", "EngineBusy"} <= errors
    broken: set[tuple[str, str]] = set()
    for name in subjects(modules, WEB):
        for imported in imports(name, modules[name], modules, typing=True):
            if under(imported, (POOL, ENGINE_ERRORS)):
                broken.add((name, imported))
        for node in _import_nodes(_tree(modules[name]), typing=True):
            if isinstance(node, ast.ImportFrom) and node.module == "visualizer":
                broken.update((name, a.name) for a in node.names if a.name in errors)
    assert broken == set(), "the web imports the engine's side or its errors: go through Runs"


def test_views_and_records_do_not_reach_the_engines_pool(modules: dict[str, Path]) -> None:
    """A view reads records; the records name where a run is (the contract's ``RunState``),
    never the worker pool that runs it."""
    broken = {
        (name, imported)
        for name in subjects(modules, (VIEWS, "loopscope.records"))
        for imported in reached(name, modules)
        if under(imported, POOL)
    }
    assert broken == set()
