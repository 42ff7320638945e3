#!/usr/bin/env python3
"""Re-arrange loopscope's packages (issue 19, items 4's ``web/``, 5 and 6's module names).

    cd <a clean checkout of main> && python3 tools/relayout.py [--dry-run]

Run once, from the checkout's root, on a work tree with nothing uncommitted. It

1. ``git mv``s every module of ``MOVES`` to its new home (a package moves whole, with files it
   has never heard of), and renames the tests named after a renamed module (``TEST_RENAMES``);
2. writes the new packages' ``__init__.py`` files (``PACKAGES``: a docstring, no imports, so
   that a worker importing ``visualizer.worker.session`` pays for nothing more);
3. rewrites every tracked text file by the module mapping, not by a list of files: dotted paths
   (``from visualizer.engine import``, ``"visualizer.guard._memory_cgroup"``,
   ``python -m visualizer.sandbox``, the worker's boot line), ``from package import module``
   statements, file paths (``visualizer/seccomp.py``, ``loopscope/routes/``), and, in a module
   that moved deeper, the folders it computes from ``__file__``;
4. keeps the one import that would tie the Runs layer to the web type-only (``loopscope.caller``
   names ``Learner`` only in an annotation), copies the import-rule tests into
   ``tests/test_import_rules.py`` and says where things live in the README;
5. sorts the rewritten imports and formats the rewritten Python files with ruff (the venv's, or
   one on PATH), splits prose lines the longer names pushed past 100 columns, and ``git add``s
   everything, printing what moved. Nothing is committed.

It refuses to run on a checkout that is already re-arranged, half re-arranged, or has
uncommitted changes to tracked files. On a failure half-way: ``git reset --hard && git clean -fd
visualizer loopscope lessons tests`` puts the checkout back. No behaviour changes: only places and
names (and one import made type-only).
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Run from a checkout's root with the standard library only: the checkout's own helper (stdlib
# only too) makes the syntax trees, as everything in the project does (one lock for ast).
sys.path.insert(0, os.getcwd())
from relayout_tidy import tidy  # this script's folder is first on the path

from visualizer.syntax import parse_module

HERE = Path(__file__).resolve()
RULES_TEMPLATE = HERE.with_name("relayout_import_rules.py")
RULES_TEST = Path("tests/test_import_rules.py")
# Never rewritten: they name the old and the new.
SELF = (HERE.name, RULES_TEMPLATE.name, "relayout_tidy.py")

# Old module (or package: everything under it moves with it) -> new module. Read every module's
# docstring and imports to place it; the worker side is what runs inside the sandbox, the pool
# side is the parent's, a module both sides import is contract, a pure reading of a run's
# events is read.
MOVES: tuple[tuple[str, str], ...] = (
    # Inside the sandbox: the worker process and everything it runs a traced call with.
    ("visualizer.worker", "visualizer.worker.process"),
    ("visualizer.session", "visualizer.worker.session"),
    ("visualizer.rewrite", "visualizer.worker.rewrite"),
    ("visualizer.probes", "visualizer.worker.probes"),
    ("visualizer.recorder", "visualizer.worker.recorder"),
    ("visualizer.selector", "visualizer.worker.selector"),
    ("visualizer.netroute", "visualizer.worker.netroute"),
    ("visualizer.upstream", "visualizer.worker.upstream"),
    ("visualizer.capture", "visualizer.worker.capture"),
    ("visualizer.display", "visualizer.worker.display"),
    ("visualizer.tasks", "visualizer.worker.tasks"),
    ("visualizer.waiting", "visualizer.worker.waiting"),  # the probes ask it, of live objects
    ("visualizer.assemble", "visualizer.worker.assemble"),
    # The parent: worker processes, the sandbox around them, the demo CA, the reply's checks.
    ("visualizer.engine", "visualizer.pool.engine"),
    ("visualizer.runner", "visualizer.pool.runner"),
    ("visualizer.guard", "visualizer.pool.guard"),
    ("visualizer.sandbox", "visualizer.pool.sandbox"),
    ("visualizer.sandbox_view", "visualizer.pool.sandbox_view"),
    ("visualizer.seccomp", "visualizer.pool.seccomp"),
    ("visualizer.authority", "visualizer.pool.authority"),
    ("visualizer.reply", "visualizer.pool.reply"),
    # Both sides: the records, the messages and the JSON between them, and the events' words.
    ("visualizer.events", "visualizer.contract.events"),
    ("visualizer.errors", "visualizer.contract.errors"),
    ("visualizer.request", "visualizer.contract.request"),
    ("visualizer.caps", "visualizer.contract.caps"),
    ("visualizer.table", "visualizer.contract.table"),
    ("visualizer.protocol", "visualizer.contract.protocol"),
    ("visualizer.inputs", "visualizer.contract.inputs"),
    ("visualizer.contract", "visualizer.contract.wire"),  # the contract JSON: written, read
    ("visualizer.wording", "visualizer.contract.event_words"),  # each event's detail sentence
    # Pure readings of a run's events: analyses, the fold into table rows and their words, and
    # the trace as the app and the lessons read it (pydantic: never imported by the worker).
    ("visualizer.analysis", "visualizer.read.analysis"),
    ("visualizer.condense", "visualizer.read.condense"),
    ("visualizer.rows", "visualizer.read.rows"),
    ("visualizer.phrasing", "visualizer.read.row_words"),  # each table row's words
    ("visualizer.statements", "visualizer.read.statements"),
    ("visualizer.model", "visualizer.read.model"),
    # For people at a terminal or in Perfetto.
    ("visualizer.command", "visualizer.tools.command"),
    ("visualizer.terminal", "visualizer.tools.terminal"),
    ("visualizer.perfetto", "visualizer.tools.perfetto"),
    # Stay at the top: visualizer/__init__.py (the public API), syntax.py (one lock for ast,
    # both sides and the app), appdriver.py (lesson calls name it: __import__("visualizer.
    # appdriver"), and stored runs hold those calls).
    #
    # Everything HTTP under loopscope/web/. loopscope.caller stays: the Runs layer reads who is
    # asking (the fair queue), and Runs imports nothing of the web.
    ("loopscope.routes", "loopscope.web.routes"),
    ("loopscope.deps", "loopscope.web.deps"),
    ("loopscope.errors", "loopscope.web.errors"),
    ("loopscope.templating", "loopscope.web.templating"),
    ("loopscope.modepaths", "loopscope.web.modepaths"),
    ("loopscope.server", "loopscope.web.server"),
    ("loopscope.learner", "loopscope.web.middleware.learner"),
    ("loopscope.guards", "loopscope.web.middleware.guards"),
    ("loopscope.headers", "loopscope.web.middleware.headers"),
    ("loopscope.security", "loopscope.web.middleware.security"),
    ("loopscope.ratelimit", "loopscope.web.middleware.ratelimit"),
    ("loopscope.assets", "loopscope.web.middleware.assets"),
    # Twin names: a lesson claim's evidence, judged on its run; the checks an exercise declares
    # (lessons.judge judges those).
    ("lessons.evidence", "lessons.evidence_judge"),
    ("lessons.expectations", "lessons.exercise_checks"),
)

# Tests named after a renamed module follow it (a test file mirrors its module).
TEST_RENAMES: tuple[tuple[str, str], ...] = (
    ("tests/visualizer/test_wording.py", "tests/visualizer/test_event_words.py"),
    ("tests/lessons/test_evidence.py", "tests/lessons/test_evidence_judge.py"),
)

# A name imported from a module that only re-exports it is imported from where it is defined,
# so that the fold (read) does not import the worker's value encoder for a constant.
SYMBOLS: dict[tuple[str, str], str] = {
    ("visualizer.display", "NOT_SET"): "visualizer.contract.events",
}

PACKAGES: dict[str, str] = {
    "visualizer/worker": '''\
"""Inside the sandbox: the worker process and what it runs a traced call with.

``process`` is the process (``python -m visualizer.worker.process``; the pool starts it with
``from visualizer.worker.process import main``); ``session`` runs one call: ``rewrite``
instruments the file, ``probes``, ``tasks``, ``selector``, ``netroute`` and ``capture`` feed the
``recorder``, ``upstream`` is the demo server, ``assemble`` writes the reply's JSON.

A worker pays for every import on every run: nothing here imports ``visualizer.pool`` or
pydantic (``tests/test_import_rules.py``), and this file imports nothing.
"""
''',
    "visualizer/pool": '''\
"""The parent's side of the sandbox: warm worker processes, and the sandbox around each.

``engine`` (``TraceEngine``, a pool of warm workers) and ``runner`` (``run_trace``, one fresh
worker) start workers in the bubblewrap ``sandbox`` (``sandbox_view``, ``seccomp``) inside the
``guard``'s cgroups, with the demo ``authority``'s files, and check the ``reply`` they send.
"""
''',
    "visualizer/contract": '''\
"""What both sides of the sandbox share: the records, the messages and the JSON between them.

``events`` (the raw events), ``table`` (the execution table's rows), ``caps`` (the limits and
where a run was cut), ``request`` and ``inputs`` (what to trace), ``errors``, ``protocol`` (the
messages between a parent and a worker), ``wire`` (the contract JSON) and ``event_words`` (each
event's ``detail`` sentence). No pydantic: the worker imports these.
"""
''',
    "visualizer/read": '''\
"""Pure readings of a run's events: facts, the execution table's rows, the trace's model.

``analysis`` (requests, stalls, counts), ``condense`` (the fold into ``rows``, put into words
by ``row_words``, with the source read by ``statements``) and ``model`` (``Trace``, the
contract JSON as frozen pydantic models: the parent's, never the worker's).
"""
''',
    "visualizer/tools": '''\
"""The engine for people: ``loopscope trace`` (``command``), its table (``terminal``) and the
Perfetto export (``perfetto``)."""
''',
    "loopscope/web": '''\
"""Everything HTTP: the routes, the middleware, the dependencies routes reach the app through,
the error pages, templating and the hardened server."""
''',
    "loopscope/web/middleware": '''\
"""What wraps every request: the learner cookie, request guards, security headers, CSRF checks,
the run rate limit and content-hashed static files."""
''',
}

# README: where things live. (old words, new words), applied where the old words are found;
# each group's first match wins, and a group with none found is left to do by hand.
README_EDITS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        (
            "| `visualizer/` | the trace engine: runs code under instrumentation, records and "
            "condenses traces; no web code |",
            "| `visualizer/` | the trace engine, no web code, arranged by side of the sandbox: "
            "`worker/` (runs inside it), `pool/` (the parent: worker processes, the sandbox), "
            "`contract/` (what both share: events, errors, messages, the JSON), `read/` (pure "
            "readings of a run: analyses, the table's rows, the `Trace` model), `tools/` (the "
            "`trace` command, its table, the Perfetto export) |",
        ),
    ),
    (
        (
            "the web (routes and middleware)",
            "`web/` (everything HTTP: `routes/`, `middleware/`, the dependencies, error pages, "
            "templating, the server)",
        ),
        (
            "| `loopscope/` | the thin app package: settings, storage, routes, the `loopscope` "
            "command; `loopscope/rooms/` the workshop rooms |",
            "| `loopscope/` | the thin app package: settings, storage, views, the `loopscope` "
            "command; `loopscope/web/` everything HTTP (`routes/`, `middleware/`, dependencies, "
            "error pages, templating, the server); `loopscope/rooms/` the workshop rooms |",
        ),
    ),
)

# Imports that become type-only: (module, name imported, module it comes from). The name is
# only ever an annotation there; importing it at run time would make the Runs layer (which
# reads loopscope.caller) import the web.
TYPE_ONLY: tuple[tuple[str, str, str], ...] = (
    ("loopscope.caller", "Learner", "loopscope.web.middleware.learner"),
)

# Strings that look like module paths but are data: changing them changes behaviour.
PROTECTED_BEFORE = re.compile(r"(?:salt\s*=\s*|getLogger\(\s*|ContextVar\(\s*)[\"']$")
NOT_REWRITTEN = ("uv.lock", "static/vendor/")
KEPT_AT_TOP = ("__init__.py", "syntax.py", "appdriver.py")


class Refused(Exception):
    pass


@dataclass
class Plan:
    moves: list[tuple[Path, Path]] = field(default_factory=list)  # old file -> new file
    module_map: dict[str, str] = field(default_factory=dict)  # old dotted -> new dotted
    path_map: dict[str, str] = field(default_factory=dict)  # old path -> new path (files, dirs)
    depth_change: dict[Path, int] = field(default_factory=dict)  # new file -> levels deeper
    old_modules: set[str] = field(default_factory=set)  # every module before the moves
    gone: list[str] = field(default_factory=list)  # modules to move that no longer exist


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def tracked() -> list[Path]:
    return [Path(p) for p in git("ls-files", "-z").split("\0") if p]


def module_file(dotted: str) -> tuple[Path, Path]:
    """A module's file and a package's folder for ``dotted`` (either may not exist)."""
    base = Path(*dotted.split("."))
    return base.with_suffix(".py"), base


def plan_moves(files: list[Path]) -> Plan:
    """The files to move. Refuses a checkout where some modules have moved and some have not;
    a module that is in neither place (deleted since) is left out, with a note."""
    plan = Plan()
    tracked_set = set(files)
    plan.old_modules = {
        ".".join(p.with_suffix("").parts).removesuffix(".__init__")
        for p in files
        if p.suffix == ".py"
    }
    done: list[str] = []
    gone: list[str] = []
    for old, new in MOVES:
        old_file, old_dir = module_file(old)
        new_file, new_dir = module_file(new)
        plan.module_map[old] = new
        moved = new_file in tracked_set or new_dir.joinpath("__init__.py") in tracked_set
        if (
            moved
            and old_file not in tracked_set
            and (
                new_dir.is_relative_to(old_dir)
                or old_dir.joinpath("__init__.py") not in tracked_set
            )
        ):  # visualizer/worker.py is now visualizer/worker/process.py: the old name is a package
            done.append(old)
        elif old_dir.joinpath("__init__.py") in tracked_set:  # a package: all of it
            if new_dir.exists():
                raise Refused(f"{new_dir} is in the way of {old_dir}")
            plan.path_map[old_dir.as_posix()] = new_dir.as_posix()
            for path in files:
                if path.is_relative_to(old_dir):
                    target = new_dir / path.relative_to(old_dir)
                    plan.moves.append((path, target))
                    plan.depth_change[target] = len(new_dir.parts) - len(old_dir.parts)
        elif old_file in tracked_set:
            if new_file.exists():
                raise Refused(f"{new_file} is in the way of {old_file}")
            plan.moves.append((old_file, new_file))
            plan.path_map[old_file.as_posix()] = new_file.as_posix()
            plan.depth_change[new_file] = len(new_file.parts) - len(old_file.parts)
        else:
            gone.append(old)
    if done and not plan.moves:
        raise AlreadyDone
    if done:
        raise Refused("half re-arranged: these are already in their new homes: " + ", ".join(done))
    plan.gone = gone
    for old, new in TEST_RENAMES:
        if Path(old) in tracked_set:
            plan.moves.append((Path(old), Path(new)))
            plan.path_map[old] = new
    return plan


class AlreadyDone(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Rewriting text


def dotted_pattern(names: Iterable[str]) -> re.Pattern[str]:
    """An old module's dotted path, alone or followed by more of it (``.attribute``)."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?!\w)")


def path_pattern(plan: Plan) -> tuple[re.Pattern[str], dict[str, str]]:
    """File paths, in one pattern so that nothing is rewritten twice:

    - a moved file (``visualizer/seccomp.py``) or package folder (``loopscope/routes``, then
      ``/``, or the path ends);
    - a moved package's folder inside its top package, before a file (``routes/trying.py``);
    - a renamed module's file name alone (``wording.py``, ``test_wording.py``).
    """
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    inner: dict[str, str] = {}
    names: dict[str, str] = {}
    for old, new in plan.path_map.items():
        if old.endswith(".py"):
            files[old] = new
            if Path(old).name != Path(new).name:
                names[Path(old).name] = Path(new).name
        else:
            folders[old] = new
            top_old, _, rest_old = old.partition("/")
            top_new, _, rest_new = new.partition("/")
            if top_old == top_new and not old.startswith("tests/"):
                inner[rest_old + "/"] = rest_new + "/"

    def alternatives(table: dict[str, str]) -> str:
        ordered = sorted(table, key=len, reverse=True)
        return "|".join(re.escape(n) for n in ordered) or r"(?!x)x"

    pattern = re.compile(
        rf"(?<![\w/.-])(?:"
        rf"(?:{alternatives(files)})(?![\w-])"
        rf"|(?:{alternatives(folders)})(?=/|[^\w./-]|\.(?!\w)|$)"
        rf"|(?:{alternatives(inner)})(?=\w+\.py(?!\w))"
        rf"|(?:{alternatives(names)})(?![\w-])"
        rf")",
        re.MULTILINE,
    )
    return pattern, {**names, **inner, **folders, **files}


@dataclass
class Rewriter:
    plan: Plan
    dotted: re.Pattern[str] = field(init=False)
    paths: re.Pattern[str] = field(init=False)
    path_table: dict[str, str] = field(init=False)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dotted = dotted_pattern(self.plan.module_map)
        self.paths, self.path_table = path_pattern(self.plan)

    def new_module(self, dotted: str) -> str:
        for old in sorted(self.plan.module_map, key=len, reverse=True):
            if dotted == old or dotted.startswith(old + "."):
                return self.plan.module_map[old] + dotted[len(old) :]
        return dotted

    def text(self, text: str) -> str:
        def dotted(match: re.Match[str]) -> str:
            line_start = text.rfind("\n", 0, match.start()) + 1
            if PROTECTED_BEFORE.search(text[line_start : match.start()]):
                return match.group(0)
            return self.plan.module_map[match.group(0)]

        text = self.dotted.sub(dotted, text)
        return self.paths.sub(lambda m: self.path_table[m.group(0)], text)

    def python(self, path: Path, source: str) -> str:
        """``from package import module`` statements first (a moved module, a re-exported
        name), then the text rewrite for every dotted path and file path."""
        try:
            tree = parse_module(source)
        except SyntaxError:
            self.notes.append(f"{path}: not Python 3.11 syntax, rewritten as text only")
            return self.text(source)
        lines = source.splitlines(keepends=True)
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        edits: list[tuple[int, int, str]] = []

        def span(node: ast.AST) -> tuple[int, int]:
            assert isinstance(node, ast.expr | ast.stmt)
            assert node.end_lineno is not None
            assert node.end_col_offset is not None
            start = offsets[node.lineno - 1] + _col(lines[node.lineno - 1], node.col_offset)
            end = offsets[node.end_lineno - 1] + _col(
                lines[node.end_lineno - 1], node.end_col_offset
            )
            return start, end

        for node in ast.walk(tree):
            if isinstance(node, ast.Set | ast.List | ast.Tuple):
                for constant, new_leaf in self.module_names(path, node):
                    start, end = span(constant)
                    quote = source[start]
                    edits.append((start, end, f"{quote}{new_leaf}{quote}"))
                continue
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                self.notes.append(f"{path}:{node.lineno}: relative import left as it is")
                continue
            replacement = self.import_from(path, node)
            if replacement is None:
                continue
            start, end = span(node)
            if "#" in source[start:end]:
                self.notes.append(f"{path}:{node.lineno}: a comment inside an import was dropped")
            indent = lines[node.lineno - 1][: _col(lines[node.lineno - 1], node.col_offset)]
            edits.append((start, end, ("\n" + indent).join(replacement)))
        marks: dict[str, str] = {}
        for number, (start, end, replacement) in enumerate(sorted(edits, reverse=True)):
            # The statements written here hold new names only: the text pass leaves them be.
            mark = f"\0relayout{number}\0"
            marks[mark] = replacement
            source = source[:start] + mark + source[end:]
        source = self.text(source)
        for mark, replacement in marks.items():
            source = source.replace(mark, replacement, 1)
        return source

    def module_names(
        self, path: Path, node: ast.Set | ast.List | ast.Tuple
    ) -> Iterator[tuple[ast.Constant, str]]:
        """In a literal that lists a package's modules by name (three or more of them), each
        renamed one: ``{"errors", "evidence", ...}`` -> ``"evidence_judge"``."""
        constants = [e for e in node.elts if isinstance(e, ast.Constant)]
        if len(constants) != len(node.elts) or not all(isinstance(c.value, str) for c in constants):
            return
        for package in {old.rpartition(".")[0] for old in self.plan.module_map}:
            siblings = {
                m.rpartition(".")[2]
                for m in self.plan.old_modules
                if m.rpartition(".")[0] == package
            }
            if len({c.value for c in constants} & siblings) < 3:
                continue
            for constant in constants:
                new = self.plan.module_map.get(f"{package}.{constant.value}")
                if new is None:
                    continue
                parent, _, leaf = new.rpartition(".")
                if parent == package:
                    yield constant, leaf
                else:
                    self.notes.append(
                        f"{path}:{constant.lineno}: {constant.value!r} listed with {package}'s"
                        f" modules is now {new}: check that list by hand"
                    )

    def import_from(self, path: Path, node: ast.ImportFrom) -> list[str] | None:
        assert node.module is not None
        plain = self.new_module(node.module)
        targets: list[tuple[str, str]] = []  # (module, "name [as alias]")
        special = False
        for alias in node.names:
            whole = f"{node.module}.{alias.name}"
            named = alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            if whole in self.plan.module_map:
                special = True
                parent, _, leaf = self.plan.module_map[whole].rpartition(".")
                bound = alias.asname or alias.name
                if leaf != bound and alias.asname is None:
                    self.notes.append(
                        f"{path}:{node.lineno}: {whole} is now {parent}.{leaf}, imported as"
                        f" {bound} to keep the code as it is: rename its uses by hand"
                    )
                targets.append((parent, leaf if leaf == bound else f"{leaf} as {bound}"))
            elif (node.module, alias.name) in SYMBOLS:
                special = True
                targets.append((SYMBOLS[node.module, alias.name], named))
            else:
                targets.append((plain, named))
        if not special:
            return None
        grouped: dict[str, list[str]] = {}
        for module, name in targets:
            grouped.setdefault(module, []).append(name)
        return [f"from {module} import {', '.join(names)}" for module, names in grouped.items()]


def _col(line: str, byte_offset: int) -> int:
    """ast's column offsets count UTF-8 bytes."""
    return len(line.encode()[:byte_offset].decode(errors="ignore"))


FILE_PARENT = re.compile(r"Path\(__file__\)(\.resolve\(\))?((?:\.parent\b)+|\.parents\[(\d+)\])")
FILE_DIRNAME = re.compile(r"os\.path\.dirname\(__file__\)")


def deeper(source: str, levels: int) -> tuple[str, int]:
    """Folders computed from ``__file__`` in a module now ``levels`` deeper: the same folders
    (``Path(__file__).resolve().parent`` -> ``.parents[1]``, ``os.path.dirname(__file__)`` ->
    ``os.path.dirname(os.path.dirname(__file__))``)."""

    def path(match: re.Match[str]) -> str:
        up = int(match.group(3)) + 1 if match.group(3) else match.group(2).count(".parent")
        up += levels
        tail = ".parent" if up == 1 else f".parents[{up - 1}]"
        return f"Path(__file__){match.group(1) or ''}{tail}"

    dirname = "os.path.dirname(" * (levels + 1) + "__file__" + ")" * (levels + 1)
    source, count = FILE_PARENT.subn(path, source)
    source, more = FILE_DIRNAME.subn(dirname, source)
    return source, count + more


# ---------------------------------------------------------------------------------------------
# Tidying


def type_only(path: Path, name: str, module: str) -> str | None:
    """``path``'s source with ``from module import name`` under ``if TYPE_CHECKING:``, when
    every use of ``name`` there is an annotation and annotations are postponed (``from
    __future__ import annotations``); None when that does not hold."""
    source = path.read_text()
    tree = parse_module(source)
    postponed = any(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in tree.body)
    statements = [
        n
        for n in tree.body
        if isinstance(n, ast.ImportFrom)
        and n.module == module
        and [(a.name, a.asname) for a in n.names] == [(name, None)]
    ]
    if not postponed or len(statements) != 1 or "TYPE_CHECKING" in source:
        return None
    annotated: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.arg):
            found = [node.annotation]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found = [node.returns]
        else:
            continue
        for annotation in found:
            if annotation is not None:
                annotated.update(id(n) for n in ast.walk(annotation))
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name]
    if any(id(n) not in annotated for n in uses):
        return None
    statement = statements[0]
    lines = source.splitlines(keepends=True)
    del lines[statement.lineno - 1 : statement.end_lineno]
    rest = parse_module("".join(lines)).body
    last = max(n.end_lineno or 0 for n in rest if isinstance(n, ast.Import | ast.ImportFrom))
    lines.insert(last, f"\nif TYPE_CHECKING:\n    from {module} import {name}\n")
    future = next(n for n in rest if isinstance(n, ast.ImportFrom) and n.module == "__future__")
    lines.insert(future.end_lineno or 0, "from typing import TYPE_CHECKING\n")
    return "".join(lines)


VIEW_IMPORT = re.compile(r'^ +\("(loopscope\.views[\w.]*)", "([\w.]+)"\),.*\n', re.MULTILINE)
VIEW_AWAITS = re.compile(r'^ +"(loopscope\.views[\w.]*)",.*\n', re.MULTILINE)


def still_allowed(template: str, notes: list[str]) -> str:
    """The rules' test with its allow-lists (what views import or await today, against the
    rule) cut to what still happens in this checkout: they only ever shrink."""

    def tree(view: str) -> ast.Module | None:
        file, folder = module_file(view)
        path = file if file.exists() else folder / "__init__.py"
        return parse_module(path.read_text()) if path.exists() else None

    def imports(view: str) -> set[str]:
        found: set[str] = set()
        for node in ast.walk(tree(view) or ast.Module(body=[], type_ignores=[])):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                for alias in node.names:
                    whole = f"{node.module}.{alias.name}"
                    if any(p.exists() for p in module_file(whole)):
                        found.add(whole)
        return found

    def awaits(view: str) -> bool:
        kinds = ast.AsyncFunctionDef | ast.Await | ast.AsyncFor | ast.AsyncWith
        return any(isinstance(n, kinds) for n in ast.walk(tree(view) or ast.Module(body=[])))

    def keep_import(match: re.Match[str]) -> str:
        if match.group(2) in imports(match.group(1)):
            return match.group(0)
        notes.append(f"{RULES_TEST}: {match.group(1)} no longer imports {match.group(2)}: dropped")
        return ""

    def keep_await(match: re.Match[str]) -> str:
        if awaits(match.group(1)):
            return match.group(0)
        notes.append(f"{RULES_TEST}: {match.group(1)} no longer awaits: dropped")
        return ""

    text = VIEW_AWAITS.sub(keep_await, VIEW_IMPORT.sub(keep_import, template))
    return re.sub(r"frozenset\(\n +\{\n +\}\n\)", "frozenset()", text)


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print the moves, change nothing")
    parser.add_argument(
        "--tidy", action="store_true", help="only sort and format the re-arranged files (ruff)"
    )
    args = parser.parse_args()
    if not Path(".git").exists() or 'name = "loopscope"' not in Path("pyproject.toml").read_text():
        print("relayout: run it from the root of a loopscope checkout", file=sys.stderr)
        return 2
    if not RULES_TEMPLATE.exists():
        print(f"relayout: {RULES_TEMPLATE} is missing", file=sys.stderr)
        return 2
    if args.tidy:
        for note in tidy():
            print(f"  {note}")
        return 0
    files = tracked()
    try:
        plan = plan_moves(files)
    except AlreadyDone:
        print("relayout: already re-arranged (every module is in its new home); nothing to do")
        return 0
    except Refused as refusal:
        print(f"relayout: refused: {refusal}", file=sys.stderr)
        return 1
    if RULES_TEST.exists():
        print(f"relayout: refused: {RULES_TEST} exists; this writes its own", file=sys.stderr)
        return 1
    dirty = git("status", "--porcelain", "--untracked-files=no")
    if dirty and not args.dry_run:
        print("relayout: refused: commit or stash these first:\n" + dirty, file=sys.stderr)
        return 1

    print("Moves (old module -> new module):")
    for old, new in MOVES:
        print(f"  {old:<26} -> {new}")
    print(f"Files: {len(plan.moves)} to move")
    for old_path, new_path in plan.moves:
        print(f"  git mv {old_path} {new_path}")
    for old in plan.gone:
        print(f"  NOTE: {old} is in neither its old nor its new place: left out")
    for path in files:
        if (
            path.suffix == ".py"
            and path.parent == Path("visualizer")
            and path.name not in KEPT_AT_TOP
            and path not in {old for old, _ in plan.moves}
        ):
            print(f"  NOTE: {path} is not in the mapping: it stays at the top; place it by hand")
    if args.dry_run:
        return 0

    # 1. Move. A moved package's old folder goes too: left with only __pycache__ in it, it
    # would still import, as an empty namespace package.
    for old_path, new_path in plan.moves:
        new_path.parent.mkdir(parents=True, exist_ok=True)
        git("mv", str(old_path), str(new_path))
    emptied = {folder for old, _ in plan.moves for folder in old.parents if folder.parts}
    for folder in sorted(emptied, key=lambda f: len(f.parts), reverse=True):
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    # 2. The new packages.
    for folder, docstring in PACKAGES.items():
        init = Path(folder, "__init__.py")
        if not init.exists():
            init.write_text(docstring)
            git("add", str(init))
            print(f"  wrote {init}")
    # 3. Rewrite every tracked text file.
    rewriter = Rewriter(plan)
    here = {HERE, RULES_TEMPLATE.resolve(), *(Path("tools", n).resolve() for n in SELF)}
    changed: list[Path] = []
    for path in tracked():
        if path.resolve() in here or path.as_posix().startswith(NOT_REWRITTEN):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        try:
            source = path.read_text()
        except UnicodeDecodeError:
            continue
        text = rewriter.python(path, source) if path.suffix == ".py" else rewriter.text(source)
        levels = plan.depth_change.get(path, 0)
        if levels and path.suffix == ".py":
            text, count = deeper(text, levels)
            if count:
                print(f"  {path}: {count} folder(s) from __file__ now {levels} level(s) up more")
            for number, line in enumerate(text.splitlines(), start=1):
                if "__file__" in line and not FILE_PARENT.search(line) and "dirname" not in line:
                    rewriter.notes.append(f"{path}:{number}: uses __file__, check: {line.strip()}")
        if text != source:
            path.write_text(text)
            changed.append(path)
    print(f"Rewrote {len(changed)} files")
    # 4. The one import made type-only, the rules' tests, the README.
    for module, name, source_module in TYPE_ONLY:
        path = Path(*module.split(".")).with_suffix(".py")
        result = type_only(path, name, source_module) if path.exists() else None
        if result is None:
            rewriter.notes.append(
                f"{path}: 'from {source_module} import {name}' not made type-only (not found,"
                " or used outside annotations): tests/test_import_rules.py will say if Runs"
                " now reaches the web through it"
            )
        else:
            path.write_text(result)
            changed.append(path)
            print(f"  {path}: {name} imported for type checking only")
    RULES_TEST.write_text(still_allowed(RULES_TEMPLATE.read_text(), rewriter.notes))
    git("add", str(RULES_TEST))
    changed.append(RULES_TEST)
    print(f"  wrote {RULES_TEST}")
    readme = Path("README.md")
    if readme.exists():
        text = readme.read_text()
        for group in README_EDITS:
            found = next(((old, new) for old, new in group if old in text), None)
            if found is None:
                rewriter.notes.append(f"README.md: say where {group[0][0][:30]}... lives by hand")
            else:
                text = text.replace(*found)
        readme.write_text(text)
        changed.append(readme)
    git("add", "-A", "--", *sorted({str(p) for p in changed if p.exists()}))
    # 5. Tidy: imports sorted, formatted, long prose lines split.
    rewriter.notes += tidy()
    if rewriter.notes:
        print("Notes:")
        for note in rewriter.notes:
            print(f"  {note}")
    print("Done. Next: make .venv/.installed-test, then make lint and the tests; commit.")
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    sys.exit(main())
