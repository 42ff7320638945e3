"""``loopscope lessons check``: planning, running with a fake runner, and the report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from check_fakes import FakeRunner, FakeTrace
from lesson_helpers import FIXTURES, TINY, edit_yaml
from rich.console import Console

from lessons import check, load_lesson
from lessons.check import Check, CounterRun, Run, main, plan, run_checks
from lessons.models import Expectation


def output(console: Console) -> str:
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()


def make_console() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None, soft_wrap=True)


def test_plan_lists_runnable_examples_then_evidence() -> None:
    folder = FIXTURES / TINY
    checks = plan(load_lesson(folder), folder)

    assert [c.label for c in checks] == [
        "tiny-lesson/lesson.yaml: examples.fetch",
        "tiny-lesson/lesson.yaml: examples.no_await",
        "tiny-lesson/deep.yaml: steps.0.evidence.0",
        "tiny-lesson/deep.yaml: pitfalls.0.evidence.0",
        "tiny-lesson/try.yaml: suggestions.0.tried.0",
        "tiny-lesson/perf.yaml: comparisons.0.slow",
        "tiny-lesson/perf.yaml: comparisons.0.fast",
    ]
    fetch = Run(folder / "examples/fetch.py", 'fetch_data("https://api.example.com/data")',
                ("response.text",))  # fmt: skip
    assert checks[0].run == fetch
    assert checks[1].expect == Expectation(raises="AttributeError")
    assert checks[4].run.call == 'fetch_data("https://api.example.com/delay/1")'
    assert checks[6].run.call == 'fetch_data("https://api.example.com/get")'
    assert checks[0].counters == ()  # an example run on its own is not a claim
    no_await = Run(folder / "examples/no_await.py", 'fetch_data("https://api.example.com/data")')
    assert checks[2].counters == (
        CounterRun(no_await, "the await left out", ("no_error", "tcp_connects")),
    )
    assert checks[3].counters == (
        CounterRun(fetch, "the await put back", ("raises", "warns_contains")),
    )
    assert checks[6].counters[0].run == Run(
        folder / "examples/no_await.py", 'fetch_data("https://api.example.com/get")'
    )


def test_plan_includes_the_baseline_of_a_speed_claim(tiny: Path) -> None:
    edit_yaml(
        tiny / "perf.yaml",
        lambda perf: perf["comparisons"][0]["fast"].update(
            faster_than={"example": "fetch", "call": "slow()", "factor": 3}
        ),
    )

    last = plan(load_lesson(tiny), tiny)[-1]

    assert last.baseline is not None
    assert last.baseline.run == Run(tiny / "examples/fetch.py", "slow()", ("response.text",))
    assert last.baseline.factor == 3


def test_run_checks_traces_each_distinct_run_once_and_keeps_order() -> None:
    folder = FIXTURES / TINY
    checks = plan(load_lesson(folder), folder)
    engine = FakeRunner()

    outcomes = list(run_checks(checks, engine))

    assert [o.check for o in outcomes] == checks
    assert all(o.passed for o in outcomes), [(o.failures, o.counters) for o in outcomes]
    assert len(engine.runs) == len(set(engine.runs)) == 5
    assert all(c.rejected for o in outcomes for c in o.counters)


def test_run_checks_turns_an_engine_failure_into_a_failed_check() -> None:
    def refuse(run: Run) -> FakeTrace:
        raise TimeoutError("passed its time limit")

    [outcome] = run_checks([Check("x", Run(Path("a.py"), "main()"), Expectation())], refuse)

    assert outcome.failures == (
        "the trace engine could not run it: TimeoutError: passed its time limit",
    )


def test_run_checks_compares_speed_with_the_baseline() -> None:
    fast, slow = Run(Path("a.py"), "fast()"), Run(Path("a.py"), "slow()")
    timings = {fast: 100.0, slow: 150.0}
    item = Check("x", fast, Expectation(), check.Baseline(slow, 2.0))

    [outcome] = run_checks([item], lambda run: FakeTrace(wall_ms=timings[run]))

    assert outcome.failures == ("expected at least 2x faster: 100 ms against 150 ms (1.5x)",)


def test_main_reports_every_check_and_passes() -> None:
    console = make_console()

    assert main(root=FIXTURES, runner=FakeRunner(), console=console) == 0

    text = output(console)
    assert "✓ tiny-lesson: valid (3 examples)" in text
    assert "✓ tiny-lesson/lesson.yaml: examples.fetch (50 ms)\n" in text
    data = '("https://api.example.com/data")'
    assert (
        "✓ tiny-lesson/deep.yaml: pitfalls.0.evidence.0\n"
        f"    backed by no_await.py: fetch_data{data} (50 ms): holds\n"
        f"    rejects fetch.py: fetch_data{data} (the await put back) (50 ms): "
        "expected AttributeError, but the run ended without an error; "
        "expected a warning containing 'was never awaited'; warnings: none\n"
    ) in text
    assert text.rstrip().endswith("7 passed, 0 failed (1 lessons)")


def test_main_fails_when_a_counter_example_passes() -> None:
    console = make_console()

    assert main(root=FIXTURES, runner=FakeRunner(await_fixed=True), console=console) == 1

    text = output(console)
    data = '("https://api.example.com/data")'
    assert (
        "✗ tiny-lesson/deep.yaml: steps.0.evidence.0\n"
        f"    backed by fetch.py: fetch_data{data} (50 ms): holds\n"
        f"    does not reject no_await.py: fetch_data{data} (the await left out) (50 ms): "
        "the counter-example passed: this check cannot fail\n"
    ) in text
    # the example itself, the pitfall (its claim fails), both perf sides and the Try suggestion
    # (its counter-example, the await left out, now passes) fail too
    assert text.rstrip().endswith("1 passed, 6 failed (1 lessons)")


def test_a_counter_example_the_engine_cannot_run_proves_nothing() -> None:
    claim, counter = Run(Path("a.py"), "good()"), Run(Path("a.py"), "bad()")

    def engine(run: Run) -> FakeTrace:
        if run == counter:
            raise TimeoutError("passed its time limit")
        return FakeTrace()

    item = Check("x", claim, Expectation(no_error=True), counters=(CounterRun(counter, "bad"),))
    [outcome] = run_checks([item], engine)

    assert not outcome.passed
    assert outcome.failures == ()
    assert outcome.counters[0].report == (
        "the counter-example proves nothing: the trace engine could not run it: "
        "TimeoutError: passed its time limit"
    )


def test_main_fails_when_a_claim_does_not_hold(content_root: Path) -> None:
    edit_yaml(
        content_root / TINY / "deep.yaml",
        lambda deep: deep["steps"][0]["evidence"]["expect"].update(tcp_connects=2),
    )
    console = make_console()

    assert main(root=content_root, runner=FakeRunner(), console=console) == 1

    text = output(console)
    assert (
        "✗ tiny-lesson/deep.yaml: steps.0.evidence.0\n"
        '    backed by fetch.py: fetch_data("https://api.example.com/data") (50 ms): '
        "does not hold\n"
        "      expected 2 TCP connects, saw 1\n"
    ) in text
    assert "6 passed, 1 failed" in text


def test_main_fails_on_an_invalid_lesson_without_running_anything(content_root: Path) -> None:
    (content_root / TINY / "examples" / "fetch.py").unlink()
    console = make_console()
    engine = FakeRunner()

    assert main(root=content_root, runner=engine, console=console) == 1

    assert "tiny-lesson/lesson.yaml: examples.fetch.file: no such file" in output(console)
    assert engine.runs == []


def test_main_fails_in_one_line_without_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(workers: int = 2) -> tuple[check.Runner, check.Runner]:
        raise ImportError("no module named visualizer")

    monkeypatch.setattr(check, "pool_runners", missing)
    console = make_console()

    assert main(root=FIXTURES, console=console) == 1

    assert output(console).splitlines()[-1] == (
        "✗ cannot run examples: the trace engine is unavailable (no module named visualizer)"
    )


@pytest.mark.slow
def test_main_with_the_real_engine_on_the_fixture_lesson(tmp_path: Path) -> None:
    console = make_console()

    code = main(root=FIXTURES, console=console, cache=tmp_path)

    assert code == 0, output(console)
    kept = sorted(tmp_path.rglob("*.json"))
    assert kept  # every distinct run's trace is kept under its key
    again = make_console()
    assert main(root=FIXTURES, console=again, cache=tmp_path) == 0
    assert sorted(tmp_path.rglob("*.json")) == kept  # nothing new: every run came from the cache


def test_a_kept_trace_is_reused_only_for_the_same_source_call_and_engine(tmp_path: Path) -> None:
    from visualizer import Trace

    calls: list[Run] = []

    def trace(run: Run) -> Trace:
        calls.append(run)
        result = f"'{len(calls)}'"
        return Trace(file=str(run.file), call=run.call, steps=(), events=(), result=result,
                     error=None, wall_ms=1.0)  # fmt: skip

    example = tmp_path / "x.py"
    example.write_text("async def main():\n    return 1\n")
    kept = tmp_path / "kept"
    run = Run(example, "main()")
    first = check.cached_runner(trace, kept, engine="engine-1")

    assert first(run).result == "'1'"
    assert first(run).result == "'1'"  # the same source, call and engine: not traced again
    assert first(Run(example, "main()", ("x",))).result == "'2'"  # other watches
    assert first(Run(example, "other()")).result == "'3'"  # another call
    example.write_text("async def main():\n    return 2\n")
    assert first(run).result == "'4'"  # the file changed
    assert check.cached_runner(trace, kept, engine="engine-2")(run).result == "'5'"
    assert len(calls) == 5


def test_a_kept_request_trace_also_keys_on_limits_and_origin(tmp_path: Path) -> None:
    from visualizer import Limits, Trace, TraceRequest

    calls: list[TraceRequest] = []

    def trace(request: TraceRequest) -> Trace:
        calls.append(request)
        return Trace(file=str(request.file), call=request.call, steps=(), events=(),
                     result=f"'{len(calls)}'", error=None, wall_ms=1.0)  # fmt: skip

    example = tmp_path / "x.py"
    example.write_text("async def main():\n    return 1\n")
    kept = check.cached_trace(trace, tmp_path / "kept", engine="e")
    request = TraceRequest(example, "main()")

    assert kept(request).result == "'1'"
    assert kept(request).result == "'1'"
    assert kept(TraceRequest(example, "main()", limits=Limits(wall_s=1.0))).result == "'2'"
    assert kept(TraceRequest(example, "main()", origin="learner")).result == "'3'"
