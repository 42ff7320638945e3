"""The sandbox every trace runs in: bubblewrap (``bwrap``), probed once, failing closed.

    status = sandbox_status("bwrap")
    if not status.available:
        print(status.reason)            # "bubblewrap (bwrap) is not installed", ...
    argv = Sandbox("/usr/bin/bwrap").command(authority_dir, [python, "-m", "visualizer.worker"])

A sandboxed worker gets its own user, PID, IPC, UTS, cgroup and network namespaces. Its network
is a loopback of its own (bwrap brings ``lo`` up), so the demo upstream runs inside the same
sandbox and nothing else is reachable, not even the host's 127.0.0.1. The file system is an
empty tmpfs root with read-only binds of only what Python needs: ``/usr`` and the ``/lib*``
and ``/bin`` links, the Python prefix, the virtual environment, the ``visualizer`` package
folder and the demo authority's PEM files; the root and ``/dev`` are then remounted read-only.
Only ``/tmp`` (the working folder, where a copy of the learner's file is written) and
``/dev/shm`` are writable: private tmpfs mounts capped in size. The environment is
cleared; the process runs as uid 65534 with no capabilities, in a new session (no terminal to
inject keystrokes into), may not create user namespaces, and dies with its parent. bwrap is
PID 1 of the run: when the worker exits or is killed, the kernel kills everything it started.

Where bwrap cannot start (not installed, no user namespaces, a seccomp or AppArmor policy that
forbids them), ``sandbox_status`` says why in one sentence; callers switch free-form code off
with that reason and keep running lesson examples unsandboxed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SANDBOX_UID = 65534
SCRATCH = "/tmp"  # the working folder inside the sandbox; the learner's file is written here
AUTHORITY_DIR = "/run/loopscope/authority"
TMP_BYTES = 32 * 1024**2
SHM_BYTES = 4 * 1024**2
_PROBE_TIMEOUT_S = 20.0
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_PACKAGE = Path(__file__).resolve().parent
# A worker starts without the site module (``python -S``): its import path is this package's
# folder, then the installed packages (purelib and platlib of this interpreter).
WORKER_PATH = os.pathsep.join(
    dict.fromkeys(
        [str(_PACKAGE.parent), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    )
)


@dataclass(frozen=True, slots=True)
class SandboxStatus:
    """Whether learner code can run sandboxed here; ``reason`` says why not (else empty)."""

    available: bool
    reason: str = ""


def _system_mounts() -> list[str]:
    args: list[str] = []
    for name in _SYSTEM_DIRS:
        path = Path(name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
    return args


def _python_mounts() -> list[str]:
    """The interpreter's prefix, the venv, and this package's folder, each read-only."""
    folders = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), _PACKAGE}
    executable = Path(sys.executable)
    folders.add(executable.parent.parent)  # the venv (or prefix) sys.executable lives in
    kept = sorted(
        folder
        for folder in folders
        if not any(folder != other and folder.is_relative_to(other) for other in folders)
        and not folder.is_relative_to("/usr")
    )
    args: list[str] = []
    for folder in kept:
        args += ["--ro-bind", str(folder), str(folder)]
    return args


@dataclass(frozen=True, slots=True)
class Sandbox:
    """The bwrap command line for one sandboxed process."""

    bwrap: str

    def command(self, authority_dir: Path, argv: list[str]) -> list[str]:
        """``argv`` (a path-qualified program) inside a fresh sandbox; the authority's PEM files
        are readable at ``AUTHORITY_DIR``."""
        return [
            self.bwrap,
            "--unshare-all",
            "--unshare-user",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--disable-userns",
            "--cap-drop",
            "ALL",
            "--new-session",
            "--die-with-parent",
            "--clearenv",
            "--hostname",
            "sandbox",
            *_system_mounts(),
            *_python_mounts(),
            "--ro-bind",
            str(authority_dir),
            AUTHORITY_DIR,
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            str(SHM_BYTES),
            "--tmpfs",
            "/dev/shm",
            "--size",
            str(TMP_BYTES),
            "--tmpfs",
            SCRATCH,
            "--remount-ro",
            "/dev",
            "--remount-ro",
            "/",
            "--chdir",
            SCRATCH,
            "--setenv",
            "PATH",
            "/usr/bin:/bin",
            "--setenv",
            "HOME",
            SCRATCH,
            "--setenv",
            "LANG",
            "C.UTF-8",
            "--setenv",
            "PYTHONPATH",
            WORKER_PATH,
            "--setenv",
            "PYTHONDONTWRITEBYTECODE",
            "1",
            "--",
            *argv,
        ]


def _probe(bwrap: str) -> SandboxStatus:
    found = shutil.which(bwrap)
    if found is None:
        if bwrap == "bwrap":
            return SandboxStatus(False, "bubblewrap (bwrap) is not installed")
        return SandboxStatus(False, f"bubblewrap (bwrap) was not found at {bwrap}")
    probe_dir = Path(sys.base_prefix)  # any readable folder will do as the authority mount
    argv = [
        sys.executable,
        "-I",
        "-S",
        "-c",
        "import socket; socket.socket().bind(('127.0.0.1', 0))",
    ]
    try:
        done = subprocess.run(
            Sandbox(found).command(probe_dir, argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return SandboxStatus(False, "bwrap did not start a sandbox within 20 s")
    except OSError as error:
        return SandboxStatus(False, f"bwrap cannot be run: {error.strerror}")
    if done.returncode == 0:
        return SandboxStatus(True)
    lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines()]
    said = next((line for line in lines if line), f"exit status {done.returncode}")
    if "namespace" in said.lower():
        return SandboxStatus(False, f"bwrap cannot create a user namespace: {said[:200]}")
    return SandboxStatus(False, f"bwrap cannot start a sandbox here: {said[:200]}")


@cache
def sandbox_status(bwrap: str = "bwrap") -> SandboxStatus:
    """Probe ``bwrap`` once (per path) by starting a real sandbox with the worker's Python."""
    return _probe(bwrap)
