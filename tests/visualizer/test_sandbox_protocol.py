"""The reply channel is untrusted: only the framed reply of this run counts, within a cap."""

import pytest

from visualizer import WorkerFailed
from visualizer.protocol import ReplyReader, frame
from visualizer.reply import decode

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
