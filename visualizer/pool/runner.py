"""``run_trace``: one trace in a fresh worker process, synchronously.

``run_trace`` is ``start`` then ``Running.finish``: a caller with work of its own (the trace
command's imports) does it between the two, while the worker warms up. This module imports
nothing heavy at the top for that reason; the reply is decoded (pydantic) in ``finish``.

The request is checked here first (file, syntax, expression), so bad input fails fast with
one clear line and no process is started. Where the sandbox is available the worker runs inside
it (see ``visualizer.pool.sandbox``), whatever the request's origin; where it is not, a lesson
example runs unsandboxed and learner code raises ``SandboxUnavailable``. The worker enforces
its own soft limits and returns a partial trace; only if it does not answer by ``wall_s`` plus
a grace period is it killed, and ``TraceLimitExceeded`` raised. The reply is read with a byte
cap and checked (see ``visualizer.contract.protocol``).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from visualizer.contract.errors import SandboxUnavailable, TraceLimitExceeded, WorkerFailed
from visualizer.contract.inputs import check_watches, load, parse_call
from visualizer.contract.protocol import GO, Job, ReplyReader
from visualizer.contract.request import Origin, TraceRequest
from visualizer.pool.authority import Authority, authority_files, default_authority, default_folder
from visualizer.pool.guard import SAMPLE_S, Guard, message
from visualizer.pool.sandbox import (
    AUTHORITY_DIR,
    PYTHON,
    SCRATCH,
    WORKER_PATH,
    Launch,
    Sandbox,
    sandbox_status,
    sandbox_user,
)

if TYPE_CHECKING:
    from visualizer.read.model import Trace

STARTUP_ALLOWANCE_S = 10.0
GRACE_S = 5.0  # for the worker to condense and reply after its wall clock
REAP_S = 5.0  # after its kill, how long a worker may take to be reaped before we move on
_CHUNK = 64 * 1024


def check(request: TraceRequest) -> str:
    """Raise the ``TraceInputError`` a worker would raise before running anything; return the
    file's source (what the worker will run)."""
    source, _tree = load(request.file)
    parse_call(request.call)
    check_watches(request.watch)
    return source


def choose_sandbox(bwrap: str, origin: Origin) -> Sandbox | None:
    """The sandbox to run in; ``None`` (unsandboxed) only for lesson code where bwrap cannot
    start; ``SandboxUnavailable`` for learner code there."""
    status = sandbox_status(bwrap)
    if status.available:
        return Sandbox(shutil.which(bwrap) or bwrap, sandbox_user())
    if origin == "learner":
        raise SandboxUnavailable(status.reason)
    return None


# httpx imports its command-line client (click, rich, pygments: a third of a worker's start-up)
# whenever they are installed; a worker never uses it, so it starts with that import disabled.
# The collector is off while the worker imports (tens of thousands of long-lived objects, each
# collection a wasted walk over them); the worker freezes them and turns it on before the run.
def _boot(module: str) -> str:
    return (
        "import gc; gc.disable(); import os, sys; sys.modules['httpx._main'] = None;"
        f" from {module} import main; os._exit(main(sys.argv))"
    )


def worker_launch(
    authority: Authority,
    sandbox: Sandbox | None,
    guard: Guard | None = None,
    *,
    module: str = "visualizer.worker.process",
    flags: tuple[str, ...] = (),
) -> Launch:
    """How to start a worker (or, with ``module``, the fork server, given its ``flags``): in
    ``sandbox`` (inside ``guard``'s cgroups), or unsandboxed. The authority's files must be
    whole when it is sandboxed (bwrap copies them in)."""
    # -S: no site module at start-up (its .pth files, the editable install's finder among
    # them, cost a tenth of a start); the import path is set in full instead (WORKER_PATH).
    boot = [_boot(module), *flags]
    if sandbox is None:
        argv = [sys.executable, "-S", "-P", "-c", *boot, str(authority.ca_pem.parent)]
        return Launch(argv, env=unsandboxed_env())
    inner = [PYTHON, "-S", "-P", "-c", *boot, AUTHORITY_DIR, SCRATCH]
    launch = sandbox.launch(authority, inner)
    if guard is None:
        return launch
    # bwrap gets an empty environment: PID 1 of the run shows nothing of the server's
    return Launch(guard.wrap(launch.argv, armed=launch.armed), launch.fds, launch.env)


def unsandboxed_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [WORKER_PATH, env.get("PYTHONPATH")]))
    env.pop("PYTHONWARNINGS", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def limit_message(request: TraceRequest) -> str:
    return (
        f"the run passed its {request.limits.wall_s:g} s time limit and did not stop;"
        " the worker was killed"
    )


def guarded(trace: Trace, guard: Guard | None) -> Trace:
    """``trace``, marked stopped at the process limit if the sandbox refused a fork (call it
    once the guard has killed the sandbox)."""
    if guard is not None and trace.stopped is None and guard.capped:
        return trace.model_copy(update={"stopped": "processes"})
    return trace


def guard_check(guard: Guard | None) -> None:
    """Sample the sandbox; raise ``TraceLimitExceeded`` past its process or memory limit."""
    if guard is not None:
        limit = guard.over()
        if limit is not None:
            raise TraceLimitExceeded(message(limit, guard.detail), limit=limit)


def _read_reply(
    process: subprocess.Popen[bytes], reader: ReplyReader, timeout_s: float, guard: Guard | None
) -> bytes:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    fd = process.stdout.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if not selector.select(min(left, SAMPLE_S)):
                guard_check(guard)
                continue
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                guard_check(guard)  # the kernel's memory limit may have ended it
                raise reader.ended()
            body = reader.feed(chunk)
            if body is not None:
                return body


class Running:
    """A worker started with its job: ``finish`` waits for its trace (or kill it by leaving
    the ``with`` block unfinished)."""

    def __init__(
        self, request: TraceRequest, process: subprocess.Popen[bytes], job: Job, guard: Guard | None
    ) -> None:
        self.request = request
        self._process = process
        self._job = job
        self._guard = guard
        self._done = False

    def __enter__(self) -> Running:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._end()

    def finish(self) -> Trace:
        """Wait for the reply, end the worker's sandbox, and decode the trace."""
        from visualizer.pool.reply import decode  # pydantic: imported while the worker warmed up

        timeout = STARTUP_ALLOWANCE_S + self.request.limits.wall_s + GRACE_S
        try:
            body = _read_reply(self._process, ReplyReader(self._job.nonce), timeout, self._guard)
        except TimeoutError:
            raise TraceLimitExceeded(limit_message(self.request)) from None
        finally:
            self._end()
        return guarded(decode(body, self._job.file), self._guard)

    def _end(self) -> None:
        if self._done:
            return
        self._done = True
        if self._guard is not None:
            self._guard.kill()
        try:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
            if self._process.stdout is not None:
                self._process.stdout.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(REAP_S)
        finally:
            if self._guard is not None:
                self._guard.release()


def _make_default_authority() -> None:
    # a failure is raised again where the authority is needed: default_authority() retries
    with contextlib.suppress(Exception):
        default_authority()


def _begin_default_authority() -> Path:
    """Start making this process's authority in a thread (cryptography's import and the key
    generation, a tenth of a second or more); return its folder. ``default_authority`` waits
    for the thread (it returns at once if the authority is made already)."""
    folder = default_folder()  # here: the thread holds the authority's lock while it works
    threading.Thread(target=_make_default_authority, name="authority", daemon=True).start()
    return folder


def start(
    request: TraceRequest, *, authority: Authority | None = None, bwrap: str = "bwrap"
) -> Running:
    """Check ``request`` and start its worker with the job; raises ``TraceInputError`` (no
    process started) or ``SandboxUnavailable``.

    Without an ``authority``, this process's is made in a thread while the sandbox is probed
    (and, unsandboxed, while the worker imports: it waits for ``GO`` before it reads the
    files); sandboxed, the worker starts once it is whole, since bwrap copies the files in.
    """
    source = check(request)
    make_authority = authority is None
    folder = _begin_default_authority() if authority is None else None
    sandbox = choose_sandbox(bwrap, request.origin)
    if folder is not None and sandbox is not None:
        authority = default_authority()  # waits for the thread
        make_authority = False
    elif folder is not None:
        authority = authority_files(folder)
    assert authority is not None
    job = Job.of(request, source)
    guard = Guard.create() if sandbox is not None else None
    launch = worker_launch(authority, sandbox, guard)
    try:
        process = subprocess.Popen(
            launch.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None if os.environ.get("LOOPSCOPE_WORKER_STDERR") else subprocess.DEVNULL,
            env=launch.env,
            pass_fds=launch.fds,
            cwd="/",
            start_new_session=True,  # one process group: killed as one
        )
    except BaseException:
        if guard is not None:
            guard.release()
        raise
    finally:
        launch.close()
    if guard is not None:
        guard.attach(process.pid)
    running = Running(request, process, job, guard)
    if make_authority:
        default_authority()  # the worker imports meanwhile; GO tells it the files are whole
    assert process.stdin is not None
    try:
        process.stdin.write(GO + job.to_json() + b"\n")
        process.stdin.close()
    except BrokenPipeError:
        running._end()
        raise WorkerFailed("the trace worker ended before it took the job") from None
    return running


def run_trace(
    request: TraceRequest, *, authority: Authority | None = None, bwrap: str = "bwrap"
) -> Trace:
    """Trace ``request.call`` in ``request.file`` in a fresh worker; blocks until done."""
    with start(request, authority=authority, bwrap=bwrap) as running:
        return running.finish()
