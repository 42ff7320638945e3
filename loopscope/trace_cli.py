"""``loopscope trace``'s options and run, parsed with argparse: the command's fixed cost.

Every trace pays what its command imports before the worker starts. Typer builds a pydantic
``TypeAdapter`` for each option it parses, and that import alone was a fifth of a second, so
``loopscope.cli.main`` hands ``trace`` here before Typer parses anything (``loopscope --help``
still lists it). The run settings come from ``loopscope.run_settings``; rich is imported only
to print a table (``visualizer.tools.command``). ``tests/visualizer/test_cli_imports.py`` keeps it
so.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

SUMMARY = "Run FILE's EXPR for real under instrumentation and print what happened."
TIME_LIMIT_S = (0.1, 600.0)


def _time_limit(text: str) -> float:
    low, high = TIME_LIMIT_S
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value:g} is not between {low:g} and {high:g} s")
    return value


def parser() -> argparse.ArgumentParser:
    """The command's options (the one place they are defined)."""
    parse = argparse.ArgumentParser(prog="loopscope trace", description=SUMMARY, allow_abbrev=False)
    parse.add_argument("file", type=Path, metavar="FILE", help="The Python file to run.")
    parse.add_argument("--call", required=True, help="Expression giving an awaitable.")
    parse.add_argument(
        "--json", dest="as_json", action="store_true", help="Print the trace as JSON."
    )
    parse.add_argument(
        "--perfetto", type=Path, help="Also write Chrome Trace Event JSON for Perfetto."
    )
    parse.add_argument(
        "--watch",
        action="append",
        default=[],
        help="Dotted expression to track, e.g. response.text (repeatable).",
    )
    parse.add_argument(
        "--sandbox",
        action="store_true",
        help="Run FILE as the web app runs learner code: sandboxed, with its limits;"
        " exit 2 where no sandbox can start.",
    )
    parse.add_argument(
        "--time-limit",
        type=_time_limit,
        help="Stop the run after this many seconds (0.1 to 600; default: the setting).",
    )
    parse.add_argument(
        "--max-events",
        type=int,
        default=50_000,
        help="Stop the run after this many events (at most 100,000).",
    )
    parse.add_argument(
        "--max-requests",
        type=int,
        default=1_000,
        help="Stop the run at this many requests (at most 2,000).",
    )
    parse.add_argument(
        "--max-steps",
        type=int,
        default=5_000,
        help="Rows of the execution table kept (at most 10,000).",
    )
    parse.add_argument(
        "--full", action="store_true", help="Print every row of a long table (default: folded)."
    )
    return parse


def main(argv: Sequence[str]) -> None:
    """Parse ``argv`` (what follows ``trace``), trace, and end the process with its status."""
    args = parser().parse_args(list(argv))  # exits 2 with usage on bad options
    from loopscope.run_settings import run_settings
    from visualizer.tools.command import EXIT_BAD_INPUT, trace_command

    try:
        settings = run_settings()
    except ValueError as error:  # pydantic's ValidationError: a LOOPSCOPE_ variable out of bounds
        said = " ".join(str(error).split())
        print(f"loopscope trace: bad setting: {said}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    code = trace_command(
        args.file,
        args.call,
        as_json=args.as_json,
        perfetto=args.perfetto,
        watch=tuple(args.watch),
        learner=args.sandbox,
        bwrap=settings.bwrap_path,
        wall_s=settings.trace_timeout_s if args.time_limit is None else args.time_limit,
        max_events=args.max_events,
        max_requests=args.max_requests,
        max_steps=args.max_steps,
        full=args.full,
    )
    # A trace is tens of thousands of objects, and freeing them one by one at the
    # interpreter's exit took a tenth of a second. Everything is written and the worker is
    # gone: flush, remove the demo CA (the one exit handler that matters), and end now.
    from visualizer.pool.authority import discard_default_authority

    sys.stdout.flush()
    sys.stderr.flush()
    discard_default_authority()
    os._exit(code)
