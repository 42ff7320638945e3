"""Run a checked exercise's runs on one file and judge them: what the CLI and the app share.

    verdict = attempt(challenge, Path("mine.py"), run_trace, origin="learner")

``trace`` is any function from a ``TraceRequest`` to a ``Trace`` (``visualizer.run_trace``, or a
wrapper around the app's engine); a run it cannot record (a syntax error, no sandbox, a limit)
fails the checks on that run with the engine's one-line message.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

from lessons.expectations import Checked, RunSpec
from lessons.judge import Verdict, judge
from visualizer import Limits, Trace, TraceError, TraceRequest

RUN_WALL_S = 10.0


def requests_for(
    checked: Checked, file: Path, *, origin: Literal["lesson", "learner"]
) -> dict[str, TraceRequest]:
    """Run id -> the request that records it."""
    return {
        run.id: TraceRequest(file, run.call, limits=Limits(wall_s=RUN_WALL_S), origin=origin)
        for run in checked.runs
    }


def attempt(
    checked: Checked,
    file: Path,
    trace: Callable[[TraceRequest], Trace],
    *,
    origin: Literal["lesson", "learner"] = "learner",
    workers: int = 1,
) -> tuple[Verdict, dict[str, Trace]]:
    """Record every run of ``checked`` on ``file`` and judge them; also returns the traces."""
    requests = requests_for(checked, file, origin=origin)
    traces: dict[str, Trace] = {}
    problems: dict[str, str] = {}

    def one(run: RunSpec) -> None:
        try:
            traces[run.id] = trace(requests[run.id])
        except TraceError as exc:
            problems[run.id] = str(exc)

    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        list(pool.map(one, checked.runs))
    source = file.read_text(encoding="utf-8", errors="replace")
    return judge(checked, traces, source, problems), traces


def coverage_defects(checked: Checked, wrong_verdicts: dict[str, Verdict]) -> tuple[str, ...]:
    """The checks that no known-wrong variant fails: each is a defect (it proves nothing).

    ``wrong_verdicts`` maps each wrong variant's example name to its verdict.
    """
    failed = {check for verdict in wrong_verdicts.values() for check in verdict.failed()}
    return tuple(check.id for check in checked.checks if check.id not in failed)
