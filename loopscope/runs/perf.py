"""Perf's measuring: both sides of a comparison, recorded in one measuring turn.

The view (``loopscope.views.perf``) chooses the calls and reads the figures; this is the part
that runs them, so it lives with the other use-cases of the trace engine.
"""

from __future__ import annotations

from lessons.models import Lesson, PerfComparison
from loopscope.records import RecordedRun
from loopscope.runs.service import TraceService


async def measure_sides(
    traces: TraceService,
    lesson: Lesson,
    comparison: PerfComparison,
    calls: tuple[str, str],
    *,
    fresh: bool,
) -> tuple[RecordedRun, RecordedRun]:
    """Both sides' runs. Recorded runs are read without waiting for anything; recording takes
    the measuring turn (slow side, then fast side, never while another comparison records, so
    that runs do not compete for the CPU), waited for within a bound. Raises what
    ``TraceService.record`` raises, and ``TraceBusy`` when the turn does not come. ``calls``:
    the slow side's call, then the fast side's."""
    slow_call, fast_call = calls
    if not fresh:
        slow = await traces.recorded(lesson, comparison.slow.example, call=slow_call)
        fast = await traces.recorded(lesson, comparison.fast.example, call=fast_call)
        if slow is not None and fast is not None:
            return slow, fast
    async with traces.measuring_turn():
        slow = await traces.record(lesson, comparison.slow.example, call=slow_call, fresh=fresh)
        fast = await traces.record(lesson, comparison.fast.example, call=fast_call, fresh=fresh)
    return slow, fast
