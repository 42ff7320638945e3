"""How ``lessons check`` and the suite schedule their traced runs: each distinct run once, many
at once, the runs whose wall time a claim compares only after all the others, alone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from lessons import check
from lessons.check import Baseline, Check, Run, phased, run_checks, timed_runs, trace_ahead
from lessons.models import Expectation
from visualizer import Trace, TraceRequest, WorkerFailed


def _trace(request: TraceRequest, result: str = "'1'") -> Trace:
    return Trace(file=str(request.file), call=request.call, steps=(), events=(), result=result,
                 error=None, wall_ms=1.0)  # fmt: skip


def test_timed_runs_wait_until_every_other_run_is_done() -> None:
    """A timed item does not start while an untimed one is still running, though a worker is
    free for it."""
    gate = threading.Event()
    untimed_started = threading.Semaphore(0)
    timed_started = threading.Event()

    def work(item: str) -> str:
        if item == "timed":
            timed_started.set()
        else:
            untimed_started.release()
            assert gate.wait(timeout=30)
        return item

    with phased(work, ["timed", "a", "b"], {"timed"}, workers=4, timed_workers=4) as futures:
        for _ in range(2):
            assert untimed_started.acquire(timeout=30)
        # Both untimed items are held and two workers are idle: a timed item that did not wait
        # for the others would start now.
        try:
            assert not timed_started.wait(timeout=0.3)  # a negative: bounded
        finally:
            gate.set()
        assert futures["timed"].result(timeout=30) == "timed"
    assert {item: future.result() for item, future in futures.items()} == {
        "timed": "timed",
        "a": "a",
        "b": "b",
    }


def test_untimed_runs_go_many_at_once_and_timed_ones_at_most_timed_workers() -> None:
    """Three untimed runs meet at a barrier (they must run together); two timed runs, with one
    timed worker, never run at once: each waits a moment for the other and misses it."""
    together = threading.Barrier(3, timeout=30)
    lock = threading.Lock()
    running = most = 0
    met = threading.Condition(lock)

    def work(item: str) -> str:
        nonlocal running, most
        if not item.startswith("t"):
            together.wait()
            return item
        with met:
            running += 1
            most = max(most, running)
            met.notify_all()
            met.wait_for(lambda: running > 1, timeout=0.3)  # a negative: bounded
            running -= 1
        return item

    items = ["u1", "t1", "u2", "t2", "u3"]
    with phased(work, items, {"t1", "t2"}, workers=3, timed_workers=1) as futures:
        assert [futures[item].result(timeout=30) for item in items] == items
    assert most == 1


def test_with_a_timed_lane_timed_runs_go_to_it_beside_the_rest() -> None:
    """Given ``timed_work`` (the lane the crowd yields the CPU to), a timed item starts there
    while the untimed ones are still held, and never goes to ``work``."""
    gate = threading.Event()
    held = threading.Semaphore(0)
    by: dict[str, str] = {}

    def work(item: str) -> str:
        by[item] = "crowd"
        held.release()
        assert gate.wait(timeout=30)
        return item

    def timed_work(item: str) -> str:
        by[item] = "timed"
        return item

    with phased(
        work, ["t", "a", "b"], {"t"}, workers=2, timed_workers=1, timed_work=timed_work
    ) as futures:
        for _ in range(2):
            assert held.acquire(timeout=30)
        try:
            assert futures["t"].result(timeout=30) == "t"  # both untimed ones still held
        finally:
            gate.set()
    assert by == {"t": "timed", "a": "crowd", "b": "crowd"}


def test_run_checks_and_trace_ahead_send_timed_runs_to_the_timed_runner(tmp_path: Path) -> None:
    fast, slow, other = (
        Run(Path("a.py"), "fast()"),
        Run(Path("a.py"), "slow()"),
        Run(Path("c.py"), "main()"),
    )
    timed = Check("timed", fast, Expectation(), Baseline(slow, 2.0))
    plain = Check("plain", other, Expectation())
    seen: dict[Run, str] = {}

    def lane(name: str) -> check.Runner:
        def run(run: Run) -> Trace:
            seen[run] = name
            return _trace(TraceRequest(run.file, run.call))

        return run

    outcomes = run_checks([plain, timed], lane("crowd"), timed_runner=lane("timed"))
    assert [o.check.label for o in outcomes] == ["plain", "timed"]
    assert seen == {fast: "timed", slow: "timed", other: "crowd"}

    example = tmp_path / "x.py"
    example.write_text("async def main():\n    return 3\n")
    late, early = TraceRequest(example, "main()"), TraceRequest(example, "other()")
    traced: dict[TraceRequest, str] = {}

    def tracer(name: str) -> Callable[[TraceRequest], Trace]:
        def trace(request: TraceRequest) -> Trace:
            traced[request] = name
            return _trace(request)

        return trace

    kept = tmp_path / "kept"
    assert trace_ahead([late, early], tracer("crowd"), kept, timed={late},
                       timed_trace=tracer("timed"), engine="e") == 2  # fmt: skip
    assert traced == {late: "timed", early: "crowd"}


def test_a_faster_than_checks_runs_are_timed_and_traced_once() -> None:
    fast, slow, counter = (
        Run(Path("a.py"), "fast()"),
        Run(Path("a.py"), "slow()"),
        Run(Path("b.py"), "main()"),
    )
    other = Run(Path("c.py"), "main()")
    timed = Check(
        "timed",
        fast,
        Expectation(),
        Baseline(slow, 2.0),
        (check.CounterRun(counter, "sequential", ("faster_than",)),),
    )
    plain = Check("plain", other, Expectation(), counters=(check.CounterRun(fast, "x"),))
    assert timed_runs([timed, plain]) == {fast, slow, counter}

    calls: list[Run] = []
    lock = threading.Lock()

    def runner(run: Run) -> Trace:
        with lock:
            calls.append(run)
        return _trace(TraceRequest(run.file, run.call))

    outcomes = list(run_checks([plain, timed], runner, workers=4, timed_workers=1))
    assert [o.check.label for o in outcomes] == ["plain", "timed"]
    assert sorted(calls, key=str) == sorted([fast, slow, counter, other], key=str)
    assert calls[0] == other  # the only untimed run goes first, though listed after


def test_trace_ahead_traces_each_kept_trace_once(tmp_path: Path) -> None:
    """Requests whose files hold the same bytes share one trace (a lesson's copy reads the
    original's); a kept one is not traced again; timed ones are traced after the rest."""
    one, copy, other = tmp_path / "one.py", tmp_path / "copy" / "one.py", tmp_path / "other.py"
    copy.parent.mkdir()
    for path, body in ((one, "return 1"), (copy, "return 1"), (other, "return 2")):
        path.write_text(f"async def main():\n    {body}\n")
    calls: list[TraceRequest] = []
    lock = threading.Lock()

    def trace(request: TraceRequest) -> Trace:
        with lock:
            calls.append(request)
        return _trace(request, f"'{request.file.name}'")

    kept = tmp_path / "kept"
    timed = TraceRequest(other, "main()")
    requests = [TraceRequest(one, "main()"), TraceRequest(copy, "main()"), timed]
    assert trace_ahead([timed, *requests], trace, kept, timed={timed}, engine="e") == 2
    assert calls == [TraceRequest(one, "main()"), timed]
    assert trace_ahead(requests, trace, kept, engine="e") == 0
    reader = check.cached_trace(trace, kept, engine="e")
    assert reader(TraceRequest(copy, "main()")).result == "'one.py'"
    assert len(calls) == 2


def test_a_refused_request_is_reported_to_its_reader_without_a_second_run(
    tmp_path: Path,
) -> None:
    example = tmp_path / "x.py"
    example.write_text("async def main():\n    return 3\n")
    calls: list[TraceRequest] = []

    def refuse(request: TraceRequest) -> Trace:
        calls.append(request)
        raise WorkerFailed("the worker died")

    request = TraceRequest(example, "main()")
    assert trace_ahead([request], refuse, tmp_path / "kept", engine="e") == 1
    with pytest.raises(WorkerFailed, match="the worker died"):
        check.cached_trace(refuse, tmp_path / "kept", engine="e")(request)
    runner = check.cached_runner(lambda run: refuse(TraceRequest(run.file, run.call)),
                                 tmp_path / "kept", engine="e")  # fmt: skip
    with pytest.raises(WorkerFailed):
        runner(Run(example, "main()"))
    assert calls == [request]


def test_main_checks_only_the_lessons_it_is_given(tmp_path: Path) -> None:
    """``loopscope lessons check SLUG``: an unknown slug is refused before anything runs; a
    known one is checked alone."""
    import io

    from lesson_helpers import FIXTURES, TINY
    from rich.console import Console

    ran: list[Run] = []

    def runner(run: Run) -> Trace:
        ran.append(run)
        return _trace(TraceRequest(run.file, run.call))

    console = Console(file=io.StringIO(), width=200)
    assert check.main(root=FIXTURES, runner=runner, console=console, only=("nope",)) == 1
    assert "no such lesson: nope" in console.file.getvalue()  # type: ignore[attr-defined]
    assert ran == []
    check.main(root=FIXTURES, runner=runner, console=console, only=(TINY,), cache=None)
    assert ran
    assert all(run.file.is_relative_to(FIXTURES / TINY) for run in ran)


def test_a_run_of_a_file_that_reads_a_clock_is_timed(tmp_path: Path) -> None:
    """Its result may depend on how fast the machine ran it (a queue's slowest answer against a
    pool timeout), so it is traced with the comparisons, away from the crowd."""
    clocked, plain = tmp_path / "clocked.py", tmp_path / "plain.py"
    clocked.write_text("import time\n\nasync def main():\n    return time.perf_counter()\n")
    plain.write_text("import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n")
    runs = [Run(clocked, "main()"), Run(plain, "main()"), Run(tmp_path / "gone.py", "main()")]
    checks = [Check(run.name, run, Expectation()) for run in runs]
    assert timed_runs(checks) == {runs[0]}
