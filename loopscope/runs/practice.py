"""``Practice``: a learner's own code, run for real in the sandbox and checked on its traces.

    practice = Practice(traces, work)
    run = await practice.run(lesson.slug, "try", code, call)            # a RecordedRun
    attempt = await practice.check(learner.id, lesson.slug, "challenge/x", challenge, code)

Free-form code only ever runs in the sandbox: ``TraceService.submit_source`` refuses with
``SandboxOff`` where it cannot start, and pages read ``practice.sandbox`` to switch the
editor off with the reason. Input is checked here first, without running anything: a size cap
and a syntax check (``compile`` in a thread), so a typo comes back with its line at once.

    PracticeError
     ├── CodeTooLarge     the code or the call passes its size cap (422)
     └── CodeSyntaxError  the code or the call does not compile; ``line`` says where (422)
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from lessons.attempt import record_and_judge
from lessons.exercise_checks import Checked, RunSpec
from loopscope.records import Attempt, CheckOutcome, RecordedRun
from loopscope.runs.service import CallerGone, SandboxOff, TraceService, TraceServiceError
from loopscope.storage.work import LearnerWork
from visualizer import SandboxStatus, Trace, TraceError

MAX_CODE_BYTES: Final = 20_000
MAX_CALL_CHARS: Final = 500
LEARNER_FILE: Final = "your code"


class PracticeError(Exception):
    """Base class of the input errors a learner can fix."""


class CodeTooLarge(PracticeError):
    pass


class CodeSyntaxError(PracticeError):
    def __init__(self, where: str, line: int | None, message: str) -> None:
        self.where = where
        self.line = line
        self.message = message
        at = f" at line {line}" if line is not None else ""
        super().__init__(f"{where}: syntax error{at}: {message}")


@dataclass(frozen=True, slots=True)
class LearnerRun:
    """A recorded run of learner code, with the code it ran."""

    run: RecordedRun
    source: str


def check_size(code: str, call: str) -> None:
    size = len(code.encode())
    if size > MAX_CODE_BYTES:
        raise CodeTooLarge(
            f"Your code is {size:,} bytes; the limit is {MAX_CODE_BYTES:,} bytes."
            " Remove what this run does not need."
        )
    if len(call) > MAX_CALL_CHARS:
        raise CodeTooLarge(f"The call is {len(call)} characters; the limit is {MAX_CALL_CHARS}.")
    if not call.strip():
        raise CodeTooLarge("Say what to run: the call expression is empty.")


def _compile(code: str, call: str) -> None:
    for text, where, mode in ((code, LEARNER_FILE, "exec"), (call, "the call", "eval")):
        try:
            compile(text, where, mode, dont_inherit=True)
        except SyntaxError as exc:
            raise CodeSyntaxError(where, exc.lineno, exc.msg) from None
        except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
            raise CodeSyntaxError(where, None, type(exc).__name__) from None


class Practice:
    """Runs and checks learner code through the app's ``TraceService``; keeps the code."""

    def __init__(self, traces: TraceService, work: LearnerWork) -> None:
        self._traces = traces
        self._work = work

    @property
    def sandbox(self) -> SandboxStatus:
        return self._traces.sandbox

    async def validate(self, code: str, call: str) -> None:
        """Raise ``CodeTooLarge`` or ``CodeSyntaxError``; runs nothing."""
        check_size(code, call)
        await asyncio.to_thread(_compile, code, call)

    async def run(self, lesson: str, label: str, code: str, call: str) -> RecordedRun:
        """Record one run of ``code``; raises ``SandboxOff``, ``TraceServiceError``."""
        await self.validate(code, call)
        # the service stores the code with the run, in one transaction
        return await self._traces.record_source(lesson, label, code, call.strip(), fresh=True)

    async def learner_run(self, run_id: str, lesson: str) -> LearnerRun | None:
        """A learner's recorded run with its code; None for unknown ids and lesson examples."""
        source = await self._work.source(run_id)
        if source is None:
            return None
        run = await self._traces.get(run_id)
        if run is None or run.lesson != lesson:
            return None
        return LearnerRun(run, source)

    async def check(
        self, learner: str, lesson: str, place: str, checked: Checked, code: str
    ) -> Attempt:
        """Record every run of ``checked`` on ``code``, judge them, keep the attempt."""
        await self.validate(code, checked.visible_run.call)
        if not self.sandbox.available:
            raise SandboxOff(self.sandbox.reason)
        run_ids: dict[str, str] = {}

        async def record(spec: RunSpec) -> Trace | str:
            outcome = await self._record(lesson, place, spec, code)
            if isinstance(outcome, str):
                return outcome
            if not spec.hidden:  # a hidden run's replay is never linked to
                run_ids[spec.id] = outcome.id
            return outcome.trace

        verdict, _ = await record_and_judge(checked, record, code)
        attempt = Attempt(
            id=secrets.token_urlsafe(12),
            learner=learner,
            lesson=lesson,
            place=place,
            passed=verdict.passed,
            checks=tuple(
                CheckOutcome(
                    id=c.id,
                    text=c.text,
                    passed=c.passed,
                    detail=c.detail,
                    run=c.run,
                    run_id=run_ids.get(c.run) if c.run is not None else None,
                    step=c.step,
                )
                for c in verdict.checks
            ),
            code=code,
            created_at=datetime.now(UTC),
        )
        await self._work.save_attempt(attempt)
        return attempt

    async def _record(self, lesson: str, place: str, spec: RunSpec, code: str) -> RecordedRun | str:
        try:
            run = await self._traces.record_source(
                lesson, f"{place}/{spec.id}", code, spec.call, fresh=True
            )
        except (CallerGone, SandboxOff):
            raise  # nobody is left to see the verdict, or nothing can run: no attempt is kept
        except (TraceServiceError, TraceError) as exc:
            return str(exc)
        return run  # stored with its code (``TraceService``)
