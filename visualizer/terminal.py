"""Print a trace for people: the execution table and the variable tracker, with rich."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from visualizer.model import Trace
from visualizer.table import variable_names, variable_states

_TRACKER_COLUMNS = 8


def execution_table(trace: Trace) -> Table:
    table = Table(title="Execution table", box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
    table.add_column("Step", justify="right", no_wrap=True)
    table.add_column("Line", justify="right", no_wrap=True)
    table.add_column("Task", ratio=2, overflow="fold")
    table.add_column("Action", ratio=3)
    table.add_column("Evaluation", ratio=4)
    table.add_column("Result", ratio=3)
    for step in trace.steps:
        table.add_row(
            str(step.step),
            "" if step.line is None else str(step.line),
            step.task or "",
            step.action,
            step.evaluation,
            step.result,
        )
    return table


def variable_tracker(trace: Trace) -> list[Table]:
    """One table per group of up to eight variables, a row per step."""
    keys = list(variable_names(trace.steps))
    states = list(variable_states(trace.steps))
    tables: list[Table] = []
    for start in range(0, len(keys), _TRACKER_COLUMNS):
        group = keys[start : start + _TRACKER_COLUMNS]
        table = Table(title="Variable tracker", box=box.SIMPLE_HEAVY, expand=True)
        table.add_column("Step", justify="right", no_wrap=True)
        for key in group:
            table.add_column(key, overflow="fold")
        for step, state in zip(trace.steps, states, strict=True):
            table.add_row(str(step.step), *(state[key] for key in group))
        tables.append(table)
    return tables


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
    if trace.stopped:
        lines.append(f"stopped at the {trace.stopped} limit: the trace is partial")
    return lines


def render(trace: Trace, console: Console) -> None:
    console.print(execution_table(trace))
    for table in variable_tracker(trace):
        console.print(table)
    if trace.output:
        console.rule("output")
        console.print(trace.output.rstrip("\n"), markup=False, highlight=False)
    console.rule()
    for line in summary(trace):
        console.print(line, markup=False, highlight=False)
