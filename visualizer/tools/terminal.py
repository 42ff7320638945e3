"""Print a trace for people: the execution table with what each row changed, with rich.

The output is linear in the trace: each row lists only the variables its line changed (the
contract's ``changes``), and the variable tracker tells each variable once: its value at the end
and the steps that changed it.
A long table is folded to its first ``HEAD_ROWS`` and last ``TAIL_ROWS`` rows, with a line
saying how many were left out; ``full=True`` (``--full``) prints every row.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table

from visualizer.contract.table import Step
from visualizer.read.model import Trace

HEAD_ROWS = 40
TAIL_ROWS = 10
VARIABLES_SHOWN = 40
STEPS_LISTED = 8


def _folded(rows: Sequence[Step], full: bool) -> tuple[Sequence[Step], int, Sequence[Step]]:
    """The rows before the fold, how many are folded, the rows after it."""
    if full or len(rows) <= HEAD_ROWS + TAIL_ROWS:
        return rows, 0, ()
    return rows[:HEAD_ROWS], len(rows) - HEAD_ROWS - TAIL_ROWS, rows[-TAIL_ROWS:]


def _changes(step: Step) -> str:
    return "\n".join(f"{name} = {value}" for name, value in step.changes.items())


def execution_table(trace: Trace, *, full: bool = False) -> Table:
    table = Table(title="Execution table", box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
    table.add_column("Step", justify="right", no_wrap=True)
    table.add_column("Line", justify="right", no_wrap=True)
    table.add_column("Task", ratio=2, overflow="fold")
    table.add_column("Action", ratio=3)
    table.add_column("Evaluation", ratio=4)
    table.add_column("Result", ratio=3)
    table.add_column("Changed", ratio=3, overflow="fold")
    head, folded, tail = _folded(trace.steps, full)

    def add(step: Step) -> None:
        table.add_row(
            str(step.step),
            "" if step.line is None else str(step.line),
            step.task or "",
            step.action,
            step.evaluation,
            step.result,
            _changes(step),
        )

    for step in head:
        add(step)
    if folded:
        table.add_row(
            "…", "", "", f"{folded:,} steps folded (--full prints every step)", "", "", ""
        )
    for step in tail:
        add(step)
    return table


def variable_tracker(trace: Trace, *, full: bool = False) -> Table:
    """Every variable with its value at the end and the steps whose line changed it (one pass
    over the rows: a run with hundreds of variables costs no more than its changes)."""
    last: dict[str, str] = {}
    changed_at: dict[str, list[int]] = {}
    for step in trace.steps:
        for name, value in step.changes.items():
            last[name] = value
            changed_at.setdefault(name, []).append(step.step)
    table = Table(title="Variable tracker", box=box.SIMPLE_HEAVY, expand=True)
    table.add_column("Variable", overflow="fold")
    table.add_column("Value at the end", overflow="fold")
    table.add_column("Changed at steps", overflow="fold")
    names = list(last)
    shown = names if full else names[:VARIABLES_SHOWN]
    for name in shown:
        steps = changed_at[name]
        told = ", ".join(map(str, steps[:STEPS_LISTED]))
        if len(steps) > STEPS_LISTED:
            told += f", … ({len(steps):,} in all)"
        table.add_row(name, last[name], told)
    if len(shown) < len(names):
        table.add_row(f"… {len(names) - len(shown):,} more (--full prints them)", "", "")
    return table


def summary(trace: Trace) -> list[str]:
    lines = [f"{trace.call} in {trace.file}: {trace.wall_ms:.1f} ms"]
    if trace.error is not None:
        where = f" at line {trace.error.line}" if trace.error.line is not None else ""
        lines.append(f"raised {trace.error.type}: {trace.error.message}{where}")
    else:
        lines.append(f"result: {trace.result}")
    if trace.requests:
        lines.append(
            f"{len(trace.requests)} request(s), {trace.tcp_connects} TCP connection(s)"
            + (", overlapping in time" if trace.requests_overlap else "")
        )
    if trace.blocked:
        lines.append(f"the event loop was blocked for {trace.blocked_ms:.0f} ms in all")
    lines.extend(f"warning: {text}" for text in trace.warnings)
    if trace.cut is not None:
        lines.append(f"{trace.cut.text}: the trace is partial")
    elif trace.stopped:
        lines.append(f"stopped at the {trace.stopped} limit: the trace is partial")
    return lines


def render(trace: Trace, console: Console, *, full: bool = False) -> None:
    console.print(execution_table(trace, full=full))
    if trace.steps:
        console.print(variable_tracker(trace, full=full))
    if trace.output:
        console.rule("output")
        console.print(trace.output.rstrip("\n"), markup=False, highlight=False)
    console.rule()
    for line in summary(trace):
        console.print(line, markup=False, highlight=False)
