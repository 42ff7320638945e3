"""A fork server for lesson examples: one interpreter imports the worker once, and every run
is a fork of it. ``python -m visualizer.worker.forkserver [--idle] AUTHORITY_DIR [SCRATCH_DIR]``.

A started worker spends most of its start (about 0.2 s of CPU) importing httpx, asyncio,
uvicorn and the tracer; a fork of a process that imported them costs a few milliseconds. The
server imports everything a run and its warm-up use (``PRELOAD``), starts no thread and runs
no event loop (a fork copies neither), and then serves its control socket, which it reads on
stdin (a ``SOCK_SEQPACKET`` socket, one message per datagram):

- ``fork`` with two descriptors (the job pipe's read end and the reply pipe's write end): it
  forks a child that takes them as its stdin and stdout and runs ``process.serve``, exactly as
  a started worker does (``go``, warm-up with a demo upstream of its own, ``ready``, one job,
  one reply); the server answers ``pid N``.
- ``kill N``: it kills child N's process group and reaps it, then answers ``killed``.

With ``--idle`` first, the server and every child it forks run at the idle scheduling
policy (``SCHED_IDLE``): they get a CPU only when no other process wants it, so runs whose
timing a lesson compares can run beside them on a machine that is quiet for them.

The parent's end of the socket closing ends the server, and the sandbox with it (bwrap is
PID 1 of the sandbox's PID namespace: the kernel kills every child). A child runs in its own
folder of the scratch tmpfs, removed when it is reaped.

Every child shares the server's sandbox: its network namespace, its tmpfs, its cgroups. That
is why only lesson examples (the project's own code) run here; learner code always gets a
sandbox of its own (``visualizer.pool.engine``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import signal
import socket
import sys
import threading
from pathlib import Path

from visualizer.worker.process import serve, set_up_process, silence

READY = b"ready"
# What a run's warm-up imports on first use (see ``process.warm_up``): imported once, here.
PRELOAD = (
    "anyio._backends._asyncio",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "anyio.streams.tls",
    "uvicorn.lifespan.off",
    "uvicorn.protocols.http.h11_impl",
)
_MESSAGE_BYTES = 64


def _reap(live: dict[int, Path | None], pid: int = -1, flags: int = os.WNOHANG) -> None:
    """Reap ended children (``pid``, or any); remove each one's folder."""
    while live:
        try:
            done, _status = os.waitpid(pid, flags)
        except ChildProcessError:
            live.clear()
            return
        if done == 0:
            return
        folder = live.pop(done, None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        if pid != -1:
            return


def _idle() -> None:
    """The idle policy; where a host refuses it, the lowest priority (niceness 19, a CPU share
    of about 1.5% against an ordinary process's)."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except OSError:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, 19)


def _folder(scratch: Path | None, pid: int) -> Path | None:
    return None if scratch is None else scratch / f"run-{pid}"


def _child(control: socket.socket, fds: list[int], authority: Path, scratch: Path | None) -> int:
    control.close()
    os.setsid()  # a process group of its own: ``kill`` ends whatever it started
    os.dup2(fds[0], 0)
    os.dup2(fds[1], 1)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    if scratch is not None:
        scratch.mkdir()
    return serve(authority, scratch)


def main(argv: list[str]) -> int:
    idle = argv[1:2] == ["--idle"]
    folders = argv[2:] if idle else argv[1:]
    authority = Path(folders[0])
    scratch = Path(folders[1]) if len(folders) > 1 else None
    if idle:  # inherited by every fork
        _idle()
    control = socket.socket(fileno=os.dup(0))
    silence(0, 1)
    set_up_process()
    for name in PRELOAD:
        importlib.import_module(name)
    if threading.active_count() != 1:  # a fork copies only the thread that forks
        return 1
    live: dict[int, Path | None] = {}
    control.sendall(READY)
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(control, _MESSAGE_BYTES, 2)
        except OSError:
            return 0
        if not message:
            return 0  # the parent is gone
        _reap(live)
        verb, _, argument = message.partition(b" ")
        if verb == b"fork" and len(fds) == 2:
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    code = _child(control, fds, authority, _folder(scratch, os.getpid()))
                finally:
                    os._exit(code)
            live[pid] = _folder(scratch, pid)
            answer = b"pid %d" % pid
        elif verb == b"kill" and argument.isdigit() and int(argument) in live:
            pid = int(argument)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            _reap(live, pid, 0)
            answer = b"killed"
        else:
            answer = b"refused"
        for fd in fds:
            os.close(fd)
        control.sendall(answer)


if __name__ == "__main__":
    os._exit(main(sys.argv))
