"""Record a checked exercise's runs on one file, then judge them all with ``lessons.judge``.

    verdict, traces = await record_and_judge(challenge, record, source)   # the app's Practice
    verdict, traces = attempt(challenge, Path("mine.py"), run_trace)      # the CLI, the suite

The app and the CLI share ``record_and_judge``, not the recording: the app's ``record`` goes
through its ``TraceService`` (its wall limit, and the learner's code saved with each run), while
``attempt`` builds each run's ``TraceRequest`` here (``RUN_WALL_S``) and calls ``trace`` in
threads, ``workers`` at a time (one by default). ``record`` returns a run's ``Trace``, or a
one-line reason why it could not (a syntax error, no sandbox, a limit), which fails the checks on
that run. ``record_and_judge`` starts every run's ``record`` together and judges once all have
ended; the judge keeps hidden runs hidden. ``coverage_defects`` names the checks that no
known-wrong variant fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Literal

from lessons.exercise_checks import Checked, RunSpec
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


RecordRun = Callable[[RunSpec], Awaitable["Trace | str"]]


async def record_and_judge(
    checked: Checked, record: RecordRun, source: str
) -> tuple[Verdict, dict[str, Trace]]:
    """Record every run of ``checked`` at once with ``record``, then judge them on ``source``."""
    outcomes = await asyncio.gather(*(record(run) for run in checked.runs))
    traces: dict[str, Trace] = {}
    problems: dict[str, str] = {}
    for run, outcome in zip(checked.runs, outcomes, strict=True):
        if isinstance(outcome, str):
            problems[run.id] = outcome
        else:
            traces[run.id] = outcome
    return judge(checked, traces, source, problems), traces


def attempt(
    checked: Checked,
    file: Path,
    trace: Callable[[TraceRequest], Trace],
    *,
    origin: Literal["lesson", "learner"] = "learner",
    workers: int = 1,
) -> tuple[Verdict, dict[str, Trace]]:
    """``record_and_judge`` for a file on disk, ``trace`` run in threads, ``workers`` at once."""
    requests = requests_for(checked, file, origin=origin)
    source = file.read_text(encoding="utf-8", errors="replace")

    async def main() -> tuple[Verdict, dict[str, Trace]]:
        slots = asyncio.Semaphore(max(workers, 1))

        async def record(run: RunSpec) -> Trace | str:
            async with slots:
                try:
                    return await asyncio.to_thread(trace, requests[run.id])
                except TraceError as exc:
                    return str(exc)

        return await record_and_judge(checked, record, source)

    return asyncio.run(main())


def coverage_defects(checked: Checked, wrong_verdicts: dict[str, Verdict]) -> tuple[str, ...]:
    """The checks that no known-wrong variant fails: each is a defect (it proves nothing).

    ``wrong_verdicts`` maps each wrong variant's example name to its verdict.
    """
    failed = {check for verdict in wrong_verdicts.values() for check in verdict.failed()}
    return tuple(check.id for check in checked.checks if check.id not in failed)
