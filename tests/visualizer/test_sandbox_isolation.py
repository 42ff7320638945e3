"""A traced run reaches nothing of the host: files, secrets, loopback, the checkout, home.

Each test runs ``samples/hostile.py`` through the real sandbox, as learner code.
"""

import os
import socket
from pathlib import Path

import pytest
from tracesamples import SAMPLES

from visualizer import Limits, Trace, TraceRequest, run_trace, sandbox_status

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sandbox_status().available, reason=f"no sandbox here: {sandbox_status().reason}"
    ),
]
HOSTILE = SAMPLES / "hostile.py"
LIMITS = Limits(wall_s=5.0)
SECRET = "s3cret-that-must-not-leak-0b6f"


def learner_run(call: str, limits: Limits = LIMITS) -> Trace:
    return run_trace(TraceRequest(HOSTILE, call, limits=limits, origin="learner"))


def test_the_canonical_example_runs_sandboxed_and_unchanged() -> None:
    canonical = SAMPLES / "canonical.py"
    call = 'fetch_data("https://api.example.com/data")'
    trace = run_trace(TraceRequest(canonical, call, origin="learner"))
    assert trace.error is None
    assert trace.stopped is None
    assert trace.variables[-1]["client"] == "AsyncClient (closed)"
    assert trace.file == str(canonical.resolve())


def test_host_files_and_the_checkout_are_out_of_reach(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret.key"
    secret_file.write_text(SECRET)
    home_file = Path.home() / ".bash_history"
    checkout_file = Path(__file__).resolve().parents[2] / "pyproject.toml"
    paths = [str(secret_file), str(home_file), str(checkout_file), "/etc/shadow", "/etc/passwd"]
    trace = learner_run(f"read_files(*{paths!r})")
    assert trace.error is None
    assert trace.result == "[]"
    assert SECRET not in trace.model_dump_json()
    assert f"{secret_file} FileNotFoundError" in trace.output


def test_environment_secrets_never_reach_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOPSCOPE_SECRET_KEY", SECRET)
    trace = learner_run("environment()", Limits(wall_s=5.0, max_output_bytes=10_000))
    assert trace.error is None
    dumped = trace.model_dump_json()
    assert SECRET not in dumped
    assert "LOOPSCOPE" not in dumped


def test_the_hosts_loopback_is_unreachable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        trace = learner_run(f"connect({port})")
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert trace.result == "'ConnectionRefusedError'"


def test_nothing_outside_scratch_can_be_written(tmp_path: Path) -> None:
    package = Path(__file__).resolve().parents[2] / "visualizer"
    targets = [
        tmp_path / "escaped.txt",
        package / "escaped.py",
        Path.home() / "escaped.txt",
        Path("/escaped.txt"),
        Path("/dev/escaped"),
        Path("/usr/escaped"),
    ]
    trace = learner_run(f"write_files(*{[str(t) for t in targets]!r}, 'in-scratch.txt')")
    assert trace.error is None
    assert trace.result == "['in-scratch.txt']"
    for target in targets:
        assert not target.exists()


def test_garbage_on_every_descriptor_does_not_forge_the_reply() -> None:
    trace = learner_run("garbage()")
    assert trace.error is None
    assert trace.result is not None
    assert trace.result.startswith("'wrote to")
    assert os.path.exists(HOSTILE)
