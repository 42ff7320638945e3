"""Where bwrap cannot start, learner code is refused with the reason; lessons still run."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from tracesamples import SAMPLES

from visualizer import (
    SandboxStatus,
    SandboxUnavailable,
    TraceEngine,
    TraceRequest,
    run_trace,
    sandbox_status,
)
from visualizer.pool.sandbox import (
    PYTHON,
    Sandbox,
    _probe,
    _view,
    describe,
    python_folders,
    sandbox_user,
)
from visualizer.pool.sandbox_view import ViewUnavailable, blocked_folders

MISSING = "/nonexistent/bwrap"
CANONICAL = SAMPLES / "canonical.py"
CALL = 'fetch_data("https://api.example.com/data")'
LOOPSCOPE = [sys.executable, "-c", "from loopscope.cli import main; main()"]


def test_a_missing_bwrap_is_reported_with_its_reason() -> None:
    status = sandbox_status(MISSING)
    assert status == SandboxStatus(False, f"bubblewrap (bwrap) was not found at {MISSING}")


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder the sandbox user can enter (pytest's own are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="loopscope-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_a_bwrap_that_cannot_start_names_what_it_said(open_folder: Path) -> None:
    fake = open_folder / "bwrap"
    said = "bwrap: No permissions to creating new namespace"
    fake.write_text(f"#!/bin/sh\necho '{said}' >&2\nexit 1\n")
    fake.chmod(0o755)
    status = sandbox_status(str(fake))
    assert not status.available
    assert status.reason == (
        "bwrap cannot create a user namespace: bwrap: No permissions to creating new namespace"
        " (allow unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1, or an"
        " AppArmor profile for bwrap)"
    )


@pytest.fixture
def fresh_view() -> Iterator[None]:
    """The private view is made once per process: made again for the folders a test gives."""
    _view.cache_clear()
    yield
    _view.cache_clear()


def _mount_points() -> list[str]:
    return [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox user applies to a root server")
def test_a_package_behind_a_folder_closed_to_the_sandbox_user_is_reached_and_the_host_unchanged(
    tmp_path: Path, fresh_view: None
) -> None:
    """As a Python under /root: the folder on the way is 0700, the package inside is 0755."""
    user = sandbox_user()
    assert user is not None
    private = tmp_path / "private"
    package = private / "package"
    package.mkdir(parents=True)
    (package / "note.txt").write_text("seen through the view")
    private.chmod(0o700)
    package.chmod(0o755)
    assert private in blocked_folders(user, [package])
    folders = [*python_folders(), package]
    mounts = _mount_points()
    with mock.patch("visualizer.pool.sandbox.python_folders", return_value=folders):
        launch = Sandbox(shutil.which("bwrap") or "bwrap", user).launch(
            None, [PYTHON, "-S", "-c", f"print(open('{package}/note.txt').read())"]
        )
        try:
            done = subprocess.run(
                launch.argv, capture_output=True, text=True, timeout=60, pass_fds=launch.fds
            )
        finally:
            launch.close()
    assert (done.returncode, done.stdout, done.stderr) == (0, "seen through the view\n", "")
    # nothing on the host was changed to let it through: the mode, no ACL, no mount
    assert private.stat().st_mode & 0o777 == 0o700
    assert os.listxattr(private) == []
    assert _mount_points() == mounts


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox user applies to a root server")
def test_a_folder_the_sandbox_user_cannot_read_is_named_with_its_fix(
    tmp_path: Path, fresh_view: None
) -> None:
    user = sandbox_user()
    assert user is not None
    closed = tmp_path / "venv"
    closed.mkdir(mode=0o700)
    with mock.patch("visualizer.pool.sandbox.python_folders", return_value=[closed]):
        status = _probe("bwrap")
    assert not status.available
    assert f"the sandbox user {user.name!r} cannot read {closed} " in status.reason
    assert f"chmod o+rx {closed}" in status.reason


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox user applies to a root server")
def test_where_no_private_view_can_be_made_the_sandbox_is_off_with_the_reason(
    tmp_path: Path, fresh_view: None
) -> None:
    user = sandbox_user()
    assert user is not None
    private = tmp_path / "private"
    (private / "venv").mkdir(parents=True)
    private.chmod(0o700)
    said = "a private view for the sandbox user cannot be made: unshare: Operation not permitted"
    with (
        mock.patch("visualizer.pool.sandbox.python_folders", return_value=[private / "venv"]),
        mock.patch("visualizer.pool.sandbox.open_view", side_effect=ViewUnavailable(said)),
    ):
        status = _probe("bwrap")
    assert not status.available
    outermost = blocked_folders(user, [private / "venv"])[0]
    assert f"the sandbox user {user.name!r} cannot reach {outermost} " in status.reason
    assert said in status.reason
    assert "run the server as an unprivileged account" in status.reason


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox user applies to a root server")
@pytest.mark.parametrize(
    ("name", "said"),
    [("no-such-account-x", "names no account"), ("root", "is root")],
)
def test_a_sandbox_user_that_is_missing_or_root_switches_the_sandbox_off(
    monkeypatch: pytest.MonkeyPatch, name: str, said: str
) -> None:
    monkeypatch.setenv("LOOPSCOPE_SANDBOX_USER", name)
    status = _probe("bwrap")
    assert not status.available
    assert said in status.reason
    assert "LOOPSCOPE_SANDBOX_USER" in status.reason


def test_the_real_sandbox_is_available_here() -> None:
    # .ci/run installs bubblewrap: the suite exercises the real sandbox, never skips it.
    assert sandbox_status() == SandboxStatus(True, "")


@pytest.mark.slow
def test_learner_code_is_refused_and_lesson_code_still_runs() -> None:
    with pytest.raises(SandboxUnavailable, match="was not found at /nonexistent/bwrap"):
        run_trace(TraceRequest(CANONICAL, CALL, origin="learner"), bwrap=MISSING)
    trace = run_trace(TraceRequest(CANONICAL, CALL, origin="lesson"), bwrap=MISSING)
    assert trace.error is None
    assert len(trace.steps) == 7


@pytest.mark.slow
@pytest.mark.anyio
async def test_the_engine_fails_closed_the_same_way() -> None:
    async with TraceEngine(workers=1, bwrap=MISSING) as engine:
        assert not engine.sandbox.available
        with pytest.raises(SandboxUnavailable, match="not found"):
            await engine.trace(TraceRequest(CANONICAL, CALL, origin="learner"))
        trace = await engine.trace(TraceRequest(CANONICAL, CALL))
    assert trace.error is None


@pytest.mark.slow
def test_the_command_exits_2_with_one_line() -> None:
    done = subprocess.run(
        [*LOOPSCOPE, "trace", str(CANONICAL), "--call", CALL, "--sandbox"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LOOPSCOPE_BWRAP_PATH": MISSING},
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "loopscope trace: no sandbox can start here: bubblewrap (bwrap) was not found at"
        f" {MISSING}\n"
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_the_start_up_line_says_whether_runs_are_sandboxed_and_how_memory_is_bounded() -> None:
    line = describe()
    assert line.startswith("sandbox: bwrap as ")
    assert "seccomp filter on" in line
    if os.geteuid() == 0 and Path(sys.base_prefix).resolve().is_relative_to("/root"):
        assert " in a private mount view of /root," in line  # and not an ACL: see above
    if Path("/sys/fs/cgroup/memory/cgroup.procs").exists() and os.geteuid() == 0:
        assert "a memory cgroup per run" in line
    off = describe(MISSING)
    assert off == (
        f"sandbox: off (bubblewrap (bwrap) was not found at {MISSING}); learner code is"
        " refused, lesson examples run unsandboxed"
    )
