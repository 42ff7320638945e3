"""``loopscope trace``: exit codes, one-line errors, JSON and Perfetto output."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tracesamples import SAMPLES

pytestmark = pytest.mark.slow
CANONICAL = str(SAMPLES / "canonical.py")
CALL = 'fetch_data("https://api.example.com/data")'


def loopscope(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from loopscope.cli import main; main()", "trace", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"},
    )


def test_tables_for_people() -> None:
    done = loopscope(CANONICAL, "--call", CALL, "--watch", "response.text")
    assert done.returncode == 0, done.stderr
    assert "Execution table" in done.stdout
    assert "Variable tracker" in done.stdout
    assert "AsyncClient (closed)" in done.stdout
    assert done.stderr == ""


def test_json_and_perfetto(tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    done = loopscope(CANONICAL, "--call", CALL, "--json", "--perfetto", str(out))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["schema"] == "loopscope.trace/5"
    assert len(data["steps"]) == 7
    # The contract's form: every row names its task and every event says its detail in words;
    # the compact lookup tables of the stored form are not part of it.
    assert "tasks" not in data
    assert "details" not in data
    rows = data["steps"] + data["events"] + data["requests"]
    assert all(row["task"] is None or isinstance(row["task"], str) for row in rows)
    assert CALL in {row["task"] for row in data["steps"]}
    assert all(isinstance(event["detail"], str) for event in data["events"])
    chrome = json.loads(out.read_text())
    names = {e["args"]["name"] for e in chrome["traceEvents"] if e["ph"] == "M" and "args" in e}
    assert CALL in names  # the task is named by the learner's call, never an internal "main"
    assert any(e["ph"] == "X" and e["name"] == "connect_tcp" for e in chrome["traceEvents"])


@pytest.mark.parametrize(
    ("file", "call", "message"),
    [
        ("nope.py", "main()", "no such file"),
        ("broken.py", "broken()", "syntax error at line 1"),
        ("bad_input.py", "not_async()", "cannot be awaited"),
        ("bad_input.py", "boom(", "not a Python expression"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, file: str, call: str, message: str) -> None:
    (tmp_path / "broken.py").write_text("async def broken(:\n    pass\n")
    folder = tmp_path if file == "broken.py" else SAMPLES
    done = loopscope(str(folder / file), "--call", call)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_code_that_raises_still_exits_zero() -> None:
    done = loopscope(str(SAMPLES / "bad_input.py"), "--call", "boom()", "--json")
    assert done.returncode == 0
    assert json.loads(done.stdout)["error"]["type"] == "KeyError"


def test_the_command_leaves_no_demo_authority_behind(tmp_path: Path) -> None:
    """It ends at once after its output (no slow interpreter teardown), yet the demo CA's
    folder, private key included, is removed as an exit handler would."""
    done = subprocess.run(
        [sys.executable, "-c", "from loopscope.cli import main; main()", "trace", CANONICAL,
         "--call", CALL, "--json"],
        capture_output=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["result"] is not None
    assert list(tmp_path.glob("loopscope-ca-*")) == []
