"""The parent's side of ``visualizer.worker.forkserver``: one sandbox whose interpreter has
imported the worker, asked for a fork per run.

    server = await ForkServer.start(authority, sandbox)   # sandbox None: unsandboxed
    child = await server.fork()        # child.job: write ``go`` then the job; child.reply: read
    await server.kill(child.pid)       # ends it (and reaps it) whatever it does
    await server.aclose()              # ends the server, its sandbox and every child

Only lesson examples run here (see the server's docstring): every child shares one sandbox.
The control socket is used by one caller at a time (a lock); its blocking calls run in a
thread, each bounded by ``STARTUP_ALLOWANCE_S``. A server that stops answering is
``WorkerFailed``; the engine starts another.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from dataclasses import dataclass

from visualizer.contract.errors import WorkerFailed
from visualizer.pool.authority import Authority
from visualizer.pool.runner import REAP_S, STARTUP_ALLOWANCE_S, worker_launch
from visualizer.pool.sandbox import Sandbox

_MESSAGE_BYTES = 64


@dataclass(frozen=True, slots=True)
class Forked:
    """One child: our ends of its job pipe (we write) and its reply pipe (we read)."""

    pid: int
    job_fd: int
    reply_fd: int


class ForkServer:
    """A running fork server (start it with ``ForkServer.start``)."""

    def __init__(self, process: asyncio.subprocess.Process, control: socket.socket) -> None:
        self._process = process
        self._control = control
        self._lock = asyncio.Lock()
        self.failed = False

    @classmethod
    async def start(
        cls, authority: Authority, sandbox: Sandbox | None, *, idle: bool = False
    ) -> ForkServer:
        """Start a server (in ``sandbox``, with ``authority``'s files; at the idle scheduling
        policy, children too, if ``idle``) and wait until it has imported everything;
        ``WorkerFailed`` if it does not say so in time."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        flags = ("--idle",) if idle else ()
        launch = worker_launch(
            authority, sandbox, module="visualizer.worker.forkserver", flags=flags
        )
        quiet = not os.environ.get("LOOPSCOPE_WORKER_STDERR")
        try:
            process = await asyncio.create_subprocess_exec(
                *launch.argv,
                stdin=theirs.fileno(),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL if quiet else None,
                env=launch.env,
                pass_fds=launch.fds,
                cwd="/",
                start_new_session=True,  # one process group: killed as one
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
            launch.close()
        ours.settimeout(STARTUP_ALLOWANCE_S)
        server = cls(process, ours)
        try:
            said = await asyncio.to_thread(ours.recv, _MESSAGE_BYTES)
        except OSError:
            said = b""
        if said != b"ready":
            await server.aclose()
            raise WorkerFailed("the fork server did not start")
        return server

    async def _ask(self, message: bytes, fds: list[int]) -> bytes:
        async with self._lock:
            if self.failed:
                raise WorkerFailed("the fork server has stopped")
            try:
                return await asyncio.to_thread(self._exchange, message, fds)
            except OSError:
                self.failed = True
                raise WorkerFailed("the fork server stopped answering") from None

    def _exchange(self, message: bytes, fds: list[int]) -> bytes:
        socket.send_fds(self._control, [message], fds)
        answer = self._control.recv(_MESSAGE_BYTES)
        if not answer:
            raise ConnectionResetError
        return answer

    async def fork(self) -> Forked:
        """A new child, started and importing nothing: it waits for ``go`` on its job pipe."""
        job_read, job_write = os.pipe()
        reply_read, reply_write = os.pipe()
        try:
            answer = await self._ask(b"fork", [job_read, reply_write])
        except BaseException:
            for fd in (job_write, reply_read):
                os.close(fd)
            raise
        finally:
            os.close(job_read)
            os.close(reply_write)
        verb, _, pid = answer.partition(b" ")
        if verb != b"pid" or not pid.isdigit():
            os.close(job_write)
            os.close(reply_read)
            raise WorkerFailed("the fork server refused a fork")
        return Forked(int(pid), job_write, reply_read)

    async def kill(self, pid: int) -> None:
        """End child ``pid`` and wait until it is reaped (quietly if the server is gone)."""
        with contextlib.suppress(WorkerFailed):
            await self._ask(b"kill %d" % pid, [])

    async def aclose(self) -> None:
        """End the server: closing the socket ends it, and its sandbox's every child."""
        self.failed = True
        async with self._lock:
            self._control.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._process.wait(), REAP_S)
