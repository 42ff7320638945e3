"""The sandbox every trace runs in: bubblewrap (``bwrap``), probed once, failing closed.

    status = sandbox_status("bwrap")
    if not status.available:
        print(status.reason)            # "bubblewrap (bwrap) is not installed", ...
    launch = Sandbox("/usr/bin/bwrap", sandbox_user()).launch(authority, [PYTHON, "-S", ...])
    subprocess.Popen(launch.argv, pass_fds=launch.fds, env=launch.env, cwd="/")
    launch.close()                      # our copies of the descriptors bwrap reads

A sandboxed worker gets its own user, PID, IPC, UTS, cgroup and network namespaces. Its network
is a loopback of its own (bwrap brings ``lo`` up), so the demo upstream runs inside the same
sandbox and nothing else is reachable, not even the host's 127.0.0.1. The file system is an
empty tmpfs root: first ``/tmp`` (the working folder, where a copy of the learner's file is
written, a private tmpfs capped in size), then read-only binds of only what Python needs:
``/usr`` and the ``/lib*`` and ``/bin`` links, the Python prefix, the virtual environment and
the ``visualizer`` package folder. They come after the ``/tmp`` mount, so a checkout under
``/tmp`` is seen too. The demo authority's PEM files are copied in by bwrap from descriptors
(``--ro-bind-data``), so their folder may stay private to the server. ``/dev/shm`` is a second
capped tmpfs; the root and ``/dev`` are then remounted read-only. The environment is cleared;
the process runs as uid 65534 with no capabilities, in a new session (no terminal to inject
keystrokes into), dies with its parent, and runs under a seccomp filter
(``visualizer.pool.seccomp``) that also refuses new user namespaces. (bwrap's ``--disable-userns``
is not used: it nests a second user namespace, and ``/proc/self/uid_map`` would then show the
nested mapping, not the host uid.) bwrap is PID 1 of the run: when the worker exits or
is killed, the kernel kills everything it started.

**Never host root.** bwrap maps the sandbox's uid to the uid that started it. When the server
runs as root, bwrap is started through ``setpriv`` as ``LOOPSCOPE_SANDBOX_USER`` (default
``nobody``), so the run is that unprivileged host uid: ``/proc/self/uid_map`` inside reads
``65534 65534 1``, and host root's keyrings and per-user quotas are out of reach. That user
must reach the folders bwrap binds (the Python prefix, the venv, the checkout). Where a folder
on the way is closed to it (a Python under ``/root``, which is 0700), nothing on the host is
changed: the server makes once a private mount namespace in which those folders are open
(``visualizer.pool.sandbox_view``) and starts bwrap inside it with ``nsenter``, which also drops to
the user. The files bound must be readable by the user (as pip, pyenv and git make them);
where one is not, ``sandbox_status`` names it.

**Less to see inside.** bwrap reads its arguments from a descriptor (``--args``) and starts with
an empty environment in ``/``; the worker is started as ``/run/loopscope/python`` (a link to
the interpreter). So PID 1's command line, environment and working folder show no host path,
no ``PATH`` and no folder of the server.

Where bwrap cannot start (not installed, no user namespaces, a seccomp or AppArmor policy that
forbids them, a sandbox user that cannot read the venv, a host where no private mount
namespace can be made), ``sandbox_status`` says why and what to
do in one sentence; callers switch free-form code off with that reason and keep running lesson
examples unsandboxed.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from visualizer.pool.authority import Authority
from visualizer.pool.sandbox_view import (
    ViewUnavailable,
    blocked_folders,
    covers,
    open_view,
    unreadable,
)
from visualizer.pool.seccomp import SeccompUnavailable, filter_program

SANDBOX_UID = 65534
SCRATCH = "/tmp"  # the working folder inside the sandbox; the learner's file is written here
AUTHORITY_DIR = "/run/loopscope/authority"
PYTHON = "/run/loopscope/python"  # the interpreter, as the sandbox names it
TMP_BYTES = 32 * 1024**2
SHM_BYTES = 4 * 1024**2
USER_VARIABLE = "LOOPSCOPE_SANDBOX_USER"
DEFAULT_USER = "nobody"
_PROBE_TIMEOUT_S = 20.0
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_PACKAGE = Path(__file__).resolve().parents[1]
_SETPRIV = shutil.which("setpriv")
_NSENTER = shutil.which("nsenter")
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


class SandboxUserError(Exception):
    """``LOOPSCOPE_SANDBOX_USER`` names no usable account (the message says what to do)."""


@dataclass(frozen=True, slots=True)
class SandboxUser:
    """The unprivileged host account a root server starts bwrap as."""

    name: str
    uid: int
    gid: int


def sandbox_user() -> SandboxUser | None:
    """The account to drop to before bwrap: ``None`` unless this process runs as root (then
    the sandbox already maps to the unprivileged user that started it)."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get(USER_VARIABLE, "").strip() or DEFAULT_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SandboxUserError(
            f"{USER_VARIABLE}={name!r} names no account on this host; create it"
            f" (useradd --system {name}) or set {USER_VARIABLE} to an unprivileged one"
        ) from None
    if entry.pw_uid == 0 or entry.pw_gid == 0:
        raise SandboxUserError(
            f"{USER_VARIABLE}={name!r} is root; the sandbox must run as an unprivileged account"
        )
    if _SETPRIV is None or _NSENTER is None:
        raise SandboxUserError(
            "setpriv and nsenter (Debian's util-linux) are needed to start the sandbox as"
            f" {name!r} when the server runs as root"
        )
    return SandboxUser(name, entry.pw_uid, entry.pw_gid)


def _system_mounts() -> list[str]:
    args: list[str] = []
    for name in _SYSTEM_DIRS:
        path = Path(name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
    return args


def python_folders() -> list[Path]:
    """The interpreter's prefix, the venv, and this package's folder (outside ``/usr``)."""
    folders = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), _PACKAGE}
    executable = Path(sys.executable)
    folders.add(executable.parent.parent)  # the venv (or prefix) sys.executable lives in
    return sorted(
        folder
        for folder in folders
        if not any(folder != other and folder.is_relative_to(other) for other in folders)
        and not folder.is_relative_to("/usr")
    )


def _python_mounts() -> list[str]:
    args: list[str] = []
    for folder in python_folders():
        args += ["--ro-bind", str(folder), str(folder)]
    return [*args, "--symlink", os.path.realpath(sys.executable), PYTHON]


def _device_mounts() -> list[str]:
    """A ``/dev`` of a few harmless nodes. Not bwrap's ``--dev``: that mounts a devpts, for
    which bwrap nests a second user namespace mapped to root, and ``/proc/self/uid_map``
    inside would then show that nested mapping rather than the host uid."""
    args = ["--size", str(64 * 1024), "--tmpfs", "/dev"]
    for node in ("null", "zero", "full", "random", "urandom"):
        args += ["--dev-bind", f"/dev/{node}", f"/dev/{node}"]
    args += ["--symlink", "/proc/self/fd", "/dev/fd"]
    for number, name in enumerate(("stdin", "stdout", "stderr")):
        args += ["--symlink", f"/proc/self/fd/{number}", f"/dev/{name}"]
    return args


def _pipe(data: bytes) -> int:
    """A descriptor to read ``data`` from (bwrap reads it whole while it sets up)."""
    read_end, write_end = os.pipe()
    try:
        if len(data) > 60_000:  # past a pipe's buffer: a file instead
            os.close(read_end)
            read_end = os.memfd_create("loopscope-bwrap")
            os.write(read_end, data)
            os.lseek(read_end, 0, os.SEEK_SET)
        else:
            os.write(write_end, data)
    finally:
        os.close(write_end)
    return read_end


@dataclass(frozen=True, slots=True)
class Launch:
    """How to start one sandbox: pass ``fds`` to the child, then ``close`` our copies."""

    argv: list[str]
    fds: tuple[int, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    # argv changes uid and arms the parent-death signal after it (setpriv's --pdeathsig, or
    # bwrap's --die-with-parent after nsenter): no need to arm it before (it would be cleared)
    armed: bool = False

    def close(self) -> None:
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)


@dataclass(frozen=True, slots=True)
class Sandbox:
    """The bwrap command line for one sandboxed process."""

    bwrap: str
    user: SandboxUser | None = None

    def options(self) -> list[str]:
        """bwrap's options but the descriptors (see ``launch``), in the order they apply."""
        return [
            "--unshare-all",
            "--unshare-user",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
            "--cap-drop",
            "ALL",
            "--new-session",
            "--die-with-parent",
            "--clearenv",
            "--hostname",
            "sandbox",
            "--size",
            str(TMP_BYTES),
            "--tmpfs",
            SCRATCH,
            *_system_mounts(),
            *_python_mounts(),
            "--proc",
            "/proc",
            *_device_mounts(),
            "--size",
            str(SHM_BYTES),
            "--tmpfs",
            "/dev/shm",
            "--remount-ro",
            "/dev",
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
        ]

    def launch(self, authority: Authority | None, argv: list[str]) -> Launch:
        """``argv`` (a program path inside, ``PYTHON`` for the interpreter) in a fresh sandbox;
        ``authority``'s PEM files readable at ``AUTHORITY_DIR``. Raises
        ``SeccompUnavailable`` where no filter can be built."""
        fds: list[int] = []
        try:
            options = self.options()
            fds.append(_pipe(filter_program()))
            options += ["--seccomp", str(fds[-1])]
            if authority is not None:
                for file in (authority.ca_pem, authority.cert_pem, authority.key_pem):
                    fds.append(_pipe(file.read_bytes()))
                    options += ["--ro-bind-data", str(fds[-1]), f"{AUTHORITY_DIR}/{file.name}"]
            options += ["--remount-ro", "/"]
            fds.append(_pipe(b"".join(option.encode() + b"\0" for option in options)))
        except BaseException:
            Launch([], tuple(fds)).close()
            raise
        command = [self.bwrap, "--args", str(fds[-1]), "--", *argv]
        if self.user is None:
            return Launch(command, tuple(fds))
        view = _view(self.user)
        if view is not None and _NSENTER is not None:
            # into the private view, then as the user (nsenter's --setgid clears the groups);
            # bwrap's --die-with-parent re-arms the parent-death signal the uid change clears
            fds.append(os.dup(view))
            enter = [f"--mount=/proc/self/fd/{fds[-1]}", f"--setuid={self.user.uid}"]
            enter.append(f"--setgid={self.user.gid}")
            return Launch([_NSENTER, *enter, "--", *command], tuple(fds), armed=True)
        if _SETPRIV is not None:
            # the parent-death signal is re-armed here: a change of uid clears it
            drop = [f"--reuid={self.user.uid}", f"--regid={self.user.gid}", "--clear-groups"]
            command = [_SETPRIV, *drop, "--pdeathsig", "KILL", "--", *command]
            return Launch(command, tuple(fds), armed=True)
        return Launch(command, tuple(fds))


@cache
def _view(user: SandboxUser) -> int | None:
    """The private view ``user`` starts bwrap in (made once; ``None``: the host will do)."""
    return open_view(user, python_folders())


def _probe(bwrap: str) -> SandboxStatus:
    found = shutil.which(bwrap)
    if found is None:
        if bwrap == "bwrap":
            return SandboxStatus(False, "bubblewrap (bwrap) is not installed")
        return SandboxStatus(False, f"bubblewrap (bwrap) was not found at {bwrap}")
    try:
        user = sandbox_user()
        filter_program()
    except (SandboxUserError, SeccompUnavailable) as error:
        return SandboxStatus(False, str(error))
    if user is not None:
        refused = _unreachable_reason(user)
        if refused:
            return SandboxStatus(False, refused)
    argv = [PYTHON, "-I", "-S", "-c", "import socket; socket.socket().bind(('127.0.0.1', 0))"]
    launch = Sandbox(found, user).launch(None, argv)
    try:
        done = subprocess.run(
            launch.argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
            pass_fds=launch.fds,
            env=launch.env,
            cwd="/",
        )
    except subprocess.TimeoutExpired:
        return SandboxStatus(False, "bwrap did not start a sandbox within 20 s")
    except OSError as error:
        return SandboxStatus(False, f"bwrap cannot be run: {error.strerror}")
    finally:
        launch.close()
    if done.returncode == 0:
        return SandboxStatus(True)
    lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines()]
    said = next((line for line in lines if line), f"exit status {done.returncode}")
    if "namespace" in said.lower():
        return SandboxStatus(
            False,
            f"bwrap cannot create a user namespace: {said[:200]} (allow unprivileged user"
            " namespaces: sysctl kernel.unprivileged_userns_clone=1, or an AppArmor profile"
            " for bwrap)",
        )
    if "Permission denied" in said and user is not None:
        return SandboxStatus(
            False,
            f"bwrap cannot start a sandbox here: {said[:200]} (the sandbox user"
            f" {user.name!r} must be able to read it, or set {USER_VARIABLE})",
        )
    return SandboxStatus(False, f"bwrap cannot start a sandbox here: {said[:200]}")


def _unreachable_reason(user: SandboxUser) -> str:
    """Why ``user`` cannot reach the folders bwrap binds, even through the private view;
    empty when it can."""
    folders = python_folders()
    closed = unreadable(user, folders)
    if closed:
        return (
            f"the sandbox user {user.name!r} cannot read {closed[0]} (the Python, the venv or"
            f" the checkout); make it readable by that account (chmod o+rx {closed[0]}), or"
            f" set {USER_VARIABLE} to an account that can read it"
        )
    try:
        _view(user)
    except (ViewUnavailable, OSError) as error:
        blocked = covers(blocked_folders(user, folders))
        return (
            f"the sandbox user {user.name!r} cannot reach {blocked[0]} (the Python or the"
            f" checkout is inside it), and {error}; run the server as an unprivileged"
            " account that can reach them, or install the Python and the checkout where"
            f" {user.name!r} can"
        )
    return ""


@cache
def sandbox_status(bwrap: str = "bwrap") -> SandboxStatus:
    """Probe ``bwrap`` once (per path) by starting a real sandbox with the worker's Python."""
    return _probe(bwrap)


def describe(bwrap: str = "bwrap") -> str:
    """One line for a server's start-up log: whether runs are sandboxed, as whom, and which
    protections against memory and process floods this host offers."""
    from visualizer.pool.guard import protection  # the guard probes cgroups: only when asked

    status = sandbox_status(bwrap)
    if not status.available:
        return (
            f"sandbox: off ({status.reason}); learner code is refused, lesson examples run"
            " unsandboxed"
        )
    user = sandbox_user()
    who = f"as {user.name} (uid {user.uid})" if user else f"as uid {os.geteuid()}"
    hidden = covers(blocked_folders(user, python_folders())) if user else []
    if hidden:  # the host is unchanged: say how the user gets through anyway
        who += f" in a private mount view of {', '.join(map(str, hidden))}"
    return f"sandbox: bwrap {who}, seccomp filter on; {protection()}"


if __name__ == "__main__":  # python -m visualizer.pool.sandbox: whether runs are sandboxed, and how
    print(describe())
    sys.exit(0 if sandbox_status().available else 1)
