"""The reply channel is untrusted: only the framed reply of this run counts, within a cap."""

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tracesamples import SAMPLES

from visualizer import TraceRequest, WorkerFailed, run_trace
from visualizer.contract.protocol import GO, READY, ReplyReader, frame
from visualizer.pool import authority as authority_module
from visualizer.pool.authority import (
    Authority,
    authority_files,
    create_authority,
    discard_default_authority,
)
from visualizer.pool.guard import Guard
from visualizer.pool.reply import decode
from visualizer.pool.runner import worker_launch

NONCE = "0123456789abcdef0123456789abcdef"
FAILURE = b'{"failure": "boom"}'


def test_the_framed_body_is_found_among_garbage() -> None:
    reader = ReplyReader(NONCE)
    assert reader.feed(b"ready\ngarbage\nloopscope-end 0\n" + frame("forged", FAILURE)) is None
    wire = frame(NONCE, FAILURE)
    assert reader.feed(wire[:7]) is None
    assert reader.feed(wire[7:] + b"more garbage") == FAILURE


def test_an_end_marker_without_its_begin_is_malformed() -> None:
    with pytest.raises(WorkerFailed, match="malformed"):
        ReplyReader(NONCE).feed(frame(NONCE, FAILURE).split(b"{", 1)[1][-60:])


def test_a_flood_is_cut_at_the_cap() -> None:
    reader = ReplyReader(NONCE, cap=1000)
    reader.feed(b"x" * 1000)
    with pytest.raises(WorkerFailed, match="more than"):
        reader.feed(b"x")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"trace": null}',
        b'{"failure": "a", "input_error": {"kind": "BadCall", "message": "m"}}',
        b'{"trace": {"file": "f", "call": "c", "steps": "many"}}',
        b'{"failure": 3}',
    ],
)
def test_malformed_or_forged_replies_fail_cleanly(body: bytes) -> None:
    with pytest.raises(WorkerFailed, match="malformed"):
        decode(body, "demo.py")


def test_a_worker_failure_is_reported_as_such() -> None:
    with pytest.raises(WorkerFailed, match="the trace worker failed: boom"):
        decode(FAILURE, "demo.py")


def test_a_worker_reads_the_authority_only_after_go(tmp_path: Path) -> None:
    """Unsandboxed, the trace command makes the demo authority while the worker imports: the
    worker waits for GO before it looks for the files (without them it could not start its
    upstream). (A sandboxed worker gets the files from bwrap, which copies them in at start.)"""
    folder = tmp_path / "authority"
    folder.mkdir()
    guard: Guard | None = None
    launch = worker_launch(authority_files(folder), None)
    process = subprocess.Popen(
        launch.argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=launch.env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        if guard is not None:
            guard.attach(process.pid)
        time.sleep(1.5)  # long past its imports: it waits, files or not
        assert process.poll() is None
        create_authority(folder)
        process.stdin.write(GO)
        process.stdin.flush()
        assert process.stdout.readline() == READY
    finally:
        if guard is not None:
            guard.kill()
        process.kill()
        process.wait()
        if guard is not None:
            guard.release()
        process.stdout.close()
        process.stdin.close()


def test_runs_started_together_share_one_whole_authority() -> None:
    """Threads that start runs at once (a fresh process, no authority yet) all wait for the
    one authority being made: none starts its worker's upstream on half-written files."""
    discard_default_authority()
    request = TraceRequest(SAMPLES / "canonical.py", 'fetch_data("https://api.example.com/data")')
    with ThreadPoolExecutor(max_workers=4) as pool:
        traces = list(pool.map(lambda _: run_trace(request), range(4)))
    assert [trace.result for trace in traces] == [traces[0].result] * 4
    assert all(trace.error is None for trace in traces)


def test_the_authority_is_made_once_while_threads_wait_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The counter-example to a plain cache: four threads asking at once, one making (slowly)."""
    discard_default_authority()
    made: list[Path] = []

    def slowly(folder: Path) -> Authority:
        made.append(folder)
        time.sleep(0.3)
        return create_authority(folder)

    monkeypatch.setattr(authority_module, "create_authority", slowly)
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda _: authority_module.default_authority(), range(4)))
    assert len(made) == 1
    assert got == [got[0]] * 4
    assert got[0].key_pem.read_bytes().startswith(b"-----BEGIN")
    discard_default_authority()
