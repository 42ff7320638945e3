"""The limits a sandboxed run cannot set on itself: how many tasks it runs, how much it holds.

Inside, the worker sets per-process rlimits (address space, file size, open files, CPU time).
Two limits cannot be had that way. ``RLIMIT_NPROC`` counts every process of the *outer* uid
(root, when root starts bwrap), not the run's; and ``RLIMIT_AS`` bounds each process, not
their sum, so a few forks multiply it. So, from outside the sandbox:

- where the host lets us create a cgroup in the v1 ``pids`` hierarchy, each sandbox starts in
  its own with ``pids.max``: past ``MAX_TASKS`` tasks (threads count) ``fork`` fails inside
  with ``EAGAIN``, and ``pids.events`` tells the parent the cap was hit;
- in any case the parent samples the run's processes (the sandbox's pid namespace, or the
  cgroup's members) every ``SAMPLE_S``: past ``MAX_TASKS`` tasks or ``MAX_RSS_BYTES`` of
  resident memory in total, it kills the sandbox, and with it every process of the run.

    guard = Guard.create()
    argv = guard.wrap(bwrap_argv)      # joins the cgroup, then execs bwrap
    ...
    guard.attach(process.pid)          # the outer bwrap, as soon as it is started
    guard.over()                       # "processes", "memory" or None; sample every SAMPLE_S
    guard.kill()                       # kills the whole sandbox
    guard.release()                    # once bwrap is reaped: removes the cgroup

Killing the sandbox kills bwrap's inner process (PID 1 of the run's namespace, so the kernel
kills every process in it) as well as the outer one: bwrap's ``--die-with-parent`` is armed only
once the sandbox is set up, and an inner bwrap whose parent was killed before that waits
forever, holding the pipes. The outer bwrap is stopped first so it cannot start another child
meanwhile, and it gets ``SIGKILL`` if its own parent (this process) dies.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

MAX_TASKS = 32
MAX_RSS_BYTES = 1024**3
SAMPLE_S = 0.05
_PIDS_ROOT = Path("/sys/fs/cgroup/pids")
_PAGE = os.sysconf("SC_PAGE_SIZE")
_serial = itertools.count(1)
_SETPRIV = shutil.which("setpriv")
GuardLimit = Literal["processes", "memory"]


def _pids_cgroup() -> Path | None:
    """A fresh cgroup of our own in the v1 ``pids`` hierarchy, or None where none is allowed."""
    if not (_PIDS_ROOT / "cgroup.procs").exists():
        return None
    parent = _PIDS_ROOT / "loopscope"
    folder = parent / f"{os.getpid()}-{next(_serial)}"
    if parent.is_dir():
        for stale in parent.iterdir():  # left by a process that was killed; empty ones go
            owner = stale.name.partition("-")[0]
            if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                with contextlib.suppress(OSError):
                    stale.rmdir()
    try:
        folder.mkdir(parents=True)
        (folder / "pids.max").write_text(str(MAX_TASKS))
    except OSError:
        with contextlib.suppress(OSError):
            folder.rmdir()
        return None
    return folder


def _read(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def _children(parent: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = _read(f"/proc/{name}/stat")
            fields = stat[stat.rfind(")") + 2 :].split()
            if len(fields) > 1 and fields[1] == str(parent):
                found.append(int(name))
    return found


@dataclass(slots=True)
class Guard:
    """Watches one sandbox from outside (see the module docstring)."""

    cgroup: Path | None
    namespace: str | None = None
    peak_tasks: int = 0
    peak_rss: int = 0
    killed: GuardLimit | None = None
    capped: bool = False  # a fork was refused at pids.max (known once killed)
    _root: int | None = field(default=None, repr=False)

    @classmethod
    def create(cls) -> Guard:
        return cls(_pids_cgroup())

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` dying with this process, and started inside this guard's cgroup (if any):
        the shell joins it, then execs."""
        argv = [_SETPRIV, "--pdeathsig", "KILL", "--", *argv] if _SETPRIV else argv
        if self.cgroup is None:
            return argv
        script = 'echo $$ > "$0" && exec "$@"'
        return ["/bin/sh", "-c", script, str(self.cgroup / "cgroup.procs"), *argv]

    def attach(self, outer_pid: int) -> None:
        """The sandbox to guard: its bwrap outside the namespace (the process just started)."""
        self._root = outer_pid

    def members(self) -> list[int]:
        """The run's processes, as host pids."""
        if self.cgroup is not None:
            text = _read(str(self.cgroup / "cgroup.procs"))
            return [int(pid) for pid in text.split()]
        if self.namespace is None and self._root is not None:
            inner = _children(self._root)  # bwrap inside: PID 1 of the run's namespace
            if inner:
                with contextlib.suppress(OSError):
                    self.namespace = os.readlink(f"/proc/{inner[0]}/ns/pid")
        if self.namespace is None:
            return []
        members = []
        for name in os.listdir("/proc"):
            if name.isdigit():
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{name}/ns/pid") == self.namespace:
                        members.append(int(name))
        return members

    def hit_cap(self) -> bool:
        """Whether a ``fork`` in the run was refused by the cgroup's ``pids.max``."""
        if self.cgroup is None:
            return False
        for line in _read(str(self.cgroup / "pids.events")).splitlines():
            name, _, count = line.partition(" ")
            if name == "max" and count.strip() not in ("", "0"):
                return True
        return False

    def over(self) -> GuardLimit | None:
        """Sample the run; the limit it is past, if any (then the caller kills the sandbox)."""
        tasks = rss = 0
        for pid in self.members():
            status = _read(f"/proc/{pid}/status")
            for line in status.splitlines():
                if line.startswith("Threads:"):
                    tasks += int(line.split()[1])
            statm = _read(f"/proc/{pid}/statm").split()
            if len(statm) > 1:
                rss += int(statm[1]) * _PAGE
        self.peak_tasks = max(self.peak_tasks, tasks)
        self.peak_rss = max(self.peak_rss, rss)
        if rss > MAX_RSS_BYTES:
            self.killed = "memory"
        elif tasks > MAX_TASKS + 2:  # bwrap's two processes are members too
            self.killed = "processes"
        return self.killed

    def kill(self) -> None:
        """Kill the sandbox: bwrap outside and inside, so everything the run started. Call it
        whenever a sandboxed process is done with, also after a reply; then reap the process
        and ``release`` the guard."""
        if self._root is not None:
            terminate(self._root)
            self._root = None
        if self.cgroup is not None:
            self.capped = self.capped or self.hit_cap()
            for pid in self.members():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def release(self) -> None:
        """Remove the cgroup once its processes are reaped (a zombie still counts)."""
        if self.cgroup is None:
            return
        for _ in range(100):
            try:
                self.cgroup.rmdir()
            except FileNotFoundError:
                return
            except OSError:
                self.kill()
                time.sleep(0.01)
            else:
                return


def terminate(outer_pid: int) -> None:
    """Kill bwrap's process tree: stop the outer bwrap, kill its children, then kill it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(outer_pid, signal.SIGSTOP)
    for child in _children(outer_pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(outer_pid, signal.SIGKILL)


def message(limit: GuardLimit) -> str:
    """What a learner reads when the guard stopped a run."""
    if limit == "memory":
        return (
            f"the run held more than {MAX_RSS_BYTES // 1024**2} MB of memory;"
            " the sandbox was killed"
        )
    return f"the run started more than {MAX_TASKS} processes and threads; the sandbox was killed"
