"""The limits a sandboxed run cannot set on itself: how many tasks it runs, how much it holds.

Inside, the worker sets per-process rlimits (address space, file size, open files, CPU time).
Two limits cannot be had that way. ``RLIMIT_NPROC`` counts every process of the *outer* uid
(shared by every sandbox of that host user), not the run's; and ``RLIMIT_AS`` bounds each
process, not their sum, so a few forks multiply it. Nor does resident memory (RSS) count what
the kernel holds for a run outside any process's pages: tmpfs files, shared memory no process
maps, inodes and other kernel slab. So, from outside the sandbox:

- where the host lets us create a cgroup in the v1 ``pids`` hierarchy, each sandbox starts in
  its own with ``pids.max``: past ``MAX_TASKS`` tasks (threads count) ``fork`` fails inside
  with ``EAGAIN``, and ``pids.events`` tells the parent the cap was hit;
- where it lets us create one in the v1 ``memory`` hierarchy, each sandbox starts in its own
  with ``memory.limit_in_bytes`` at ``MAX_RSS_BYTES``: the kernel counts everything the run
  holds there (its pages, shmem and tmpfs, kernel memory such as inodes) and kills inside the
  cgroup past it; ``memory.oom_control`` tells the parent it did;
- in any case the parent samples the run's processes (the sandbox's pid namespace, or the
  cgroup's members) every ``SAMPLE_S``: past ``MAX_TASKS`` tasks, or (without a memory cgroup)
  past ``MAX_RSS_BYTES`` of resident memory plus what the run's tmpfs mounts hold (``Shmem``
  no process maps), or past ``MAX_FILES`` files and folders in those mounts (each an inode of
  kernel memory: bwrap cannot give a tmpfs ``nr_inodes``, so this is the inode cap), it kills
  the sandbox, and with it every process of the run.

``protection()`` says which of these the host offers (``loopscope serve`` logs it).

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
from functools import cache
from pathlib import Path
from typing import Literal

MAX_TASKS = 32
MAX_RSS_BYTES = 1024**3
MAX_FILES = 20_000  # files and folders in the run's tmpfs mounts (each an inode), sampled
SAMPLE_S = 0.05
_PIDS_ROOT = Path("/sys/fs/cgroup/pids")
_MEMORY_ROOT = Path("/sys/fs/cgroup/memory")
_TMPFS = ("tmp", "dev/shm")  # the run's writable mounts, under /proc/PID/root
_PAGE = os.sysconf("SC_PAGE_SIZE")
_serial = itertools.count(1)
_SETPRIV = shutil.which("setpriv")
GuardLimit = Literal["processes", "memory"]


def _cgroup(root: Path, settings: dict[str, str]) -> Path | None:
    """A fresh cgroup of our own in the v1 hierarchy at ``root`` with ``settings`` written
    (the first ones required, a missing optional file skipped), or None where none is allowed."""
    if not (root / "cgroup.procs").exists():
        return None
    parent = root / "loopscope"
    folder = parent / f"{os.getpid()}-{next(_serial)}"
    if parent.is_dir():
        for stale in parent.iterdir():  # left by a process that was killed; empty ones go
            owner = stale.name.partition("-")[0]
            if owner.isdigit() and not Path(f"/proc/{owner}").exists():
                with contextlib.suppress(OSError):
                    stale.rmdir()
    try:
        folder.mkdir(parents=True)
        for name, value in settings.items():
            if (folder / name).exists() or name == next(iter(settings)):
                (folder / name).write_text(value)
    except OSError:
        with contextlib.suppress(OSError):
            folder.rmdir()
        return None
    return folder


def _pids_cgroup() -> Path | None:
    return _cgroup(_PIDS_ROOT, {"pids.max": str(MAX_TASKS)})


def _memory_cgroup() -> Path | None:
    # memsw (memory plus swap) at the same figure: swap is no way around the limit
    limit = str(MAX_RSS_BYTES)
    return _cgroup(
        _MEMORY_ROOT, {"memory.limit_in_bytes": limit, "memory.memsw.limit_in_bytes": limit}
    )


@cache
def protection() -> str:
    """One line: how this host bounds a run's tasks and memory (probes by making cgroups)."""
    pids, memory = _pids_cgroup(), _memory_cgroup()
    for made in (pids, memory):
        if made is not None:
            made.rmdir()
    sampled = f"sampled every {SAMPLE_S * 1000:g} ms"
    tasks = "a pids cgroup per run" if pids else sampled
    if memory is not None:
        held = "a memory cgroup per run: pages, shmem, tmpfs and kernel memory"
    else:
        held = f"{sampled}: resident memory plus the run's tmpfs; no memory cgroup here"
    return (
        f"limits: {MAX_TASKS} tasks ({tasks}), {MAX_RSS_BYTES // 1024**2} MB of memory"
        f" ({held}), {MAX_FILES} files in its tmpfs ({sampled})"
    )


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
    memory: Path | None = None
    namespace: str | None = None
    peak_tasks: int = 0
    peak_rss: int = 0
    killed: GuardLimit | None = None
    capped: bool = False  # a fork was refused at pids.max (known once killed)
    detail: str = ""  # what passed the limit, in words (see ``message``)
    _root: int | None = field(default=None, repr=False)

    @classmethod
    def create(cls) -> Guard:
        return cls(_pids_cgroup(), _memory_cgroup())

    def wrap(self, argv: list[str], *, armed: bool = False) -> list[str]:
        """``argv`` dying with this process, and started inside this guard's cgroups (if
        any): the shell joins them, then execs. ``armed``: ``argv`` sets the parent-death
        signal itself, after a change of uid that would clear one set here (an exec saved)."""
        if _SETPRIV and not armed:
            argv = [_SETPRIV, "--pdeathsig", "KILL", "--", *argv]
        groups = [str(group / "cgroup.procs") for group in (self.cgroup, self.memory) if group]
        if not groups:
            return argv
        script = " && ".join(f'echo $$ > "${index}"' for index in range(1, len(groups) + 1))
        script = f'{script} && shift {len(groups)} && exec "$@"'
        return ["/bin/sh", "-c", script, "sh", *groups, *argv]

    def attach(self, outer_pid: int) -> None:
        """The sandbox to guard: its bwrap outside the namespace (the process just started)."""
        self._root = outer_pid

    def members(self) -> list[int]:
        """The run's processes, as host pids."""
        group = self.cgroup or self.memory
        if group is not None:
            text = _read(str(group / "cgroup.procs"))
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

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the run at the memory cgroup's limit."""
        if self.memory is None:
            return False
        for line in _read(str(self.memory / "memory.oom_control")).splitlines():
            name, _, count = line.partition(" ")
            if name == "oom_kill" and count.strip() not in ("", "0"):
                return True
        return False

    def over(self) -> GuardLimit | None:
        """Sample the run; the limit it is past, if any (then the caller kills the sandbox)."""
        tasks = rss = 0
        members = self.members()
        for pid in members:
            status = _read(f"/proc/{pid}/status")
            for line in status.splitlines():
                if line.startswith("Threads:"):
                    tasks += int(line.split()[1])
            statm = _read(f"/proc/{pid}/statm").split()
            if len(statm) > 1:
                rss += int(statm[1]) * _PAGE
        held, files = _tmpfs_usage(members)
        if self.memory is not None:
            usage = _read(str(self.memory / "memory.max_usage_in_bytes")).strip()
            rss = int(usage) if usage.isdigit() else rss
        else:
            rss += held
        self.peak_tasks = max(self.peak_tasks, tasks)
        self.peak_rss = max(self.peak_rss, rss)
        if self.oom_killed() or (self.memory is None and rss > MAX_RSS_BYTES):
            self.killed = "memory"
        elif files > MAX_FILES:
            self.killed, self.detail = "memory", "files"
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
        if self.cgroup is not None or self.memory is not None:
            self.capped = self.capped or self.hit_cap()
            if self.oom_killed():
                self.killed = "memory"
            for pid in self.members():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)

    def release(self) -> None:
        """Remove the cgroups once their processes are reaped (a zombie still counts); gives
        up after a second (a stale cgroup is removed by the next process that starts)."""
        for group in (self.cgroup, self.memory):
            if group is None:
                continue
            for _ in range(100):
                try:
                    group.rmdir()
                except FileNotFoundError:
                    break
                except OSError:
                    self.kill()
                    time.sleep(0.01)
                else:
                    break


def terminate(outer_pid: int) -> None:
    """Kill bwrap's process tree: stop the outer bwrap, kill its children, then kill it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(outer_pid, signal.SIGSTOP)
    for child in _children(outer_pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(outer_pid, signal.SIGKILL)


def _tmpfs_usage(members: list[int]) -> tuple[int, int]:
    """Bytes and files held in the run's tmpfs mounts, seen through the root of a member
    inside the sandbox (the outer bwrap's root is the host's, and so is the inner one's until
    it has set the sandbox up: those are skipped)."""
    ours = _root("self")
    for pid in members:
        theirs = _root(str(pid))
        if theirs is None or theirs == ours:
            continue
        held = files = 0
        for mount in _TMPFS:
            with contextlib.suppress(OSError):
                info = os.statvfs(f"/proc/{pid}/root/{mount}")
                held += (info.f_blocks - info.f_bfree) * info.f_frsize
                files += info.f_files - info.f_ffree
        return held, files
    return 0, 0


def _root(pid: str) -> tuple[int, int] | None:
    """Which folder is ``pid``'s root (device and inode), if it can be seen."""
    try:
        info = os.stat(f"/proc/{pid}/root")
    except OSError:
        return None
    return info.st_dev, info.st_ino


def message(limit: GuardLimit, detail: str = "") -> str:
    """What a learner reads when the guard stopped a run."""
    if detail == "files":
        return f"the run made more than {MAX_FILES} files and folders; the sandbox was killed"
    if limit == "memory":
        return (
            f"the run held more than {MAX_RSS_BYTES // 1024**2} MB of memory (shared memory,"
            " files in /tmp and kernel memory count too); the sandbox was killed"
        )
    return f"the run started more than {MAX_TASKS} processes and threads; the sandbox was killed"
