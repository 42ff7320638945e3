"""``tools/relayout.py``'s last step: the files it rewrote, sorted, formatted and within the
line length (ruff's isort and format; prose lines the longer names pushed past 100 columns are
broken at a space). Standard library only, like the script; the trees through the checkout's
``visualizer.syntax`` (its one lock for ``ast``).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from visualizer.syntax import parse_module

LINE_LENGTH = 100


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def find_ruff() -> str | None:
    local = Path(".venv/bin/ruff")
    if local.exists():
        return str(local)
    return shutil.which("ruff")


PRAGMA = re.compile(r"\s+#\s*(?:type:|noqa|fmt:|pyright:|pragma:).*$")
STRING_ITEMS = re.compile(r'^(?:"[^"]*",\s*)+(?:"[^"]*"[,}\])]*)?(?:\s*#.*)?$')
NOT_CONTINUED = ("-", "*", ">>>", "...", '"""', "'''", "|", "``")


def too_long(path: Path, ruff: str | None) -> set[int]:
    """The lines of ``path`` past the line length, as ruff counts them (without pragmas)."""
    if ruff is not None:
        done = subprocess.run(
            [ruff, "check", "--select", "E501", "--output-format", "json", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        return {finding["location"]["row"] for finding in json.loads(done.stdout or "[]")}
    lines = path.read_text().splitlines()
    return {n for n, line in enumerate(lines, 1) if len(PRAGMA.sub("", line)) > LINE_LENGTH}


def split_long_prose(path: Path, ruff: str | None) -> list[str]:
    """Prose lines the longer names pushed past the line length (a comment, a docstring's line)
    broken at a space, the rest carried into the paragraph's next line; the other long lines
    are returned."""
    long = too_long(path, ruff)
    if not long:
        return []
    lines = path.read_text().splitlines()
    prose = _docstring_lines(path)
    out: list[str] = []
    left: list[str] = []
    carry: tuple[str, str] | None = None  # (prefix, words) for the next line
    for number, line in enumerate(lines, start=1):
        body = line
        stripped = body.lstrip()
        indent = body[: len(body) - len(stripped)]
        comment = stripped.startswith("#")
        prefix = indent + "# " if comment else indent
        is_prose = comment or number in prose
        merged = False
        if carry is not None:
            rest = body[len(prefix) :]
            if (
                carry[0] == prefix
                and is_prose
                and rest.strip()
                and body.startswith(prefix)
                and not rest.startswith((" ", *NOT_CONTINUED))
            ):
                body = f"{prefix}{carry[1]} {rest}"
                merged = True
            else:
                out.append(carry[0] + carry[1])
            carry = None
        over = len(body) > LINE_LENGTH if merged else number in long
        if over and is_prose:
            cut = body.rfind(" ", len(prefix) + 1, LINE_LENGTH + 1)
            if cut > len(prefix):
                out.append(body[:cut])
                carry = (prefix, body[cut + 1 :])
                continue
        if over and STRING_ITEMS.match(stripped):  # a line of a literal's names: two lines
            cut = body.rfind(", ", len(indent), LINE_LENGTH - 1)
            if cut > len(indent):
                out += [body[: cut + 1], indent + body[cut + 2 :]]
                continue
        if over:
            left.append(f"{path}:{number}")
        out.append(body)
    if carry is not None:
        out.append(carry[0] + carry[1])
    path.write_text("\n".join(out) + "\n")
    return left


def tidy() -> list[str]:
    """Sort the imports and format the Python files this re-arrangement touched (ruff), and
    split the prose lines it made too long. Returns what is left to do by hand."""
    staged = git("diff", "--cached", "--name-only", "--diff-filter=AMR", "HEAD", "-z")
    python = sorted(p for p in staged.split("\0") if p.endswith(".py") and Path(p).exists())
    ruff = find_ruff()
    notes: list[str] = []
    if ruff is None:
        notes.append(
            "ruff not found: once the venv is made (make .venv/.installed-test), run"
            f" `python3 {sys.argv[0]} --tidy` to sort the rewritten imports and format them"
        )
    elif python:
        subprocess.run([ruff, "check", "--fix", "--select", "I", "--quiet", *python], check=False)
        subprocess.run([ruff, "format", "--quiet", *python], check=False)
    for name in python:
        left = split_long_prose(Path(name), ruff)
        if ruff is not None:  # else code lines are ruff format's, once --tidy runs it
            notes += [
                f"{line}: longer than {LINE_LENGTH} columns; shorten it by hand" for line in left
            ]
    if python:
        git("add", "--", *python)
    return notes


def _docstring_lines(path: Path) -> set[int]:
    """Lines inside docstrings, past their first line (a docstring's prose)."""
    found: set[int] = set()
    tree = parse_module(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            first = body[0] if body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
                and first.end_lineno is not None
            ):
                found.update(range(first.lineno, first.end_lineno + 1))
    return found
