"""Send the traced code's requests for ``*.example.com`` to the demo upstream, and watch them.

Inside the worker process only, ``install`` patches:

- ``httpx.AsyncHTTPTransport.__init__`` and ``httpx.HTTPTransport.__init__``: the connection
  pool's network backend is wrapped by a routing backend, and the demo authority's CA is added to
  the pool's SSL context. ``connect_tcp(host, port)`` for ``example.com`` and its subdomains goes
  to the upstream on 127.0.0.1 (port 443 to the TLS port, any other port to the plain one); any
  other host fails at once with ``httpcore.ConnectError``, which httpx raises as
  ``httpx.ConnectError``, just as an unreachable host would. TLS still verifies the certificate
  for the name in the URL, so the handshake is real.
- ``httpx.AsyncClient.__init__`` and ``httpx.Client.__init__``: a request event hook attaches
  the httpcore ``trace`` extension to every request (async callback on ``AsyncClient``, sync on
  ``Client``), which reports the connection and HTTP phases with the task and the learner's line.

- httpcore's ``PoolRequest.wait_for_connection`` (async and sync): a request that finds no
  free connection in the pool (``httpx.Limits``) records the wait as a phase of its own,
  ``connection_pool.wait_for_connection``, which ends when it gets one (or fails with
  ``PoolTimeout``, or is cancelled). Once the request ends, whether its connection was closed
  with it is recorded as ``connection.close`` (a request cancelled on the wire closes it).
- ``httpx.AsyncHTTPTransport`` built by the learner's own line: its TLS context (the CA
  bundle) is a cost of that line, recorded as a ``transport`` event.

``httpx2`` (the maintained fork, ``import httpx2``, on ``httpcore2``) is patched the same way by
``install_httpx2``, called only for code that names it (importing it costs a worker 60 ms).

This reaches into private attributes (``transport._pool``, ``pool._network_backend``,
``pool._ssl_context``): httpx is frozen at 0.28.1 and httpcore at 1.0.x, so they will not move.
The learner's code keeps its natural URLs and needs no special client.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import ssl
import sys
import time
import types
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import httpcore
import httpx

from visualizer.contract.events import (
    ClientClosed,
    ClientCreated,
    HttpPhase,
    PhaseState,
    RequestSent,
    ResponseArrived,
    TransportBuilt,
)
from visualizer.worker.recorder import Recorder, thread_of

DEMO_DOMAIN = "example.com"
_UNREACHABLE = "[Errno -2] Name or service not known"


@dataclass(frozen=True, slots=True)
class Route:
    """Where the demo upstream listens in this process."""

    http_port: int
    https_port: int
    ca_pem: str

    def port_for(self, host: str, port: int, error: type[Exception] = httpcore.ConnectError) -> int:
        """The loopback port serving ``host:port``; raises ``error`` (the ``ConnectError`` of
        the httpcore in use) otherwise."""
        name = host.lower().rstrip(".")
        if name != DEMO_DOMAIN and not name.endswith("." + DEMO_DOMAIN):
            raise error(_UNREACHABLE)
        return self.https_port if port == 443 else self.http_port


@dataclass(slots=True)
class Tap:
    """What the patched httpx reports to; ``recorder`` is ``None`` when nothing is traced."""

    route: Route
    fd_labels: dict[int, str]
    recorder: Recorder | None = None
    traced_file: str = ""
    connecting: str | None = None  # the host:port being connected, for the selector's labels
    # The pooled connection each open request got, to tell whether it was closed with it.
    connections: dict[int, Any] = field(default_factory=dict)


class AsyncRoutingBackend(httpcore.AsyncNetworkBackend):
    def __init__(
        self,
        inner: httpcore.AsyncNetworkBackend,
        tap: Tap,
        error: type[Exception] = httpcore.ConnectError,
    ) -> None:
        self._inner = inner
        self._tap = tap
        self._error = error

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        target = self._tap.route.port_for(host, port, self._error)
        self._tap.connecting = f"{host}:{port}"
        try:
            stream = await self._inner.connect_tcp(
                "127.0.0.1", target, timeout, local_address, socket_options
            )
        finally:
            self._tap.connecting = None
        _label(stream.get_extra_info("socket"), f"{host}:{port}", self._tap)
        return stream

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise self._error("unix sockets are not available to traced code")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class RoutingBackend(httpcore.NetworkBackend):
    def __init__(
        self,
        inner: httpcore.NetworkBackend,
        tap: Tap,
        error: type[Exception] = httpcore.ConnectError,
    ) -> None:
        self._inner = inner
        self._tap = tap
        self._error = error

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        target = self._tap.route.port_for(host, port, self._error)
        stream = self._inner.connect_tcp(
            "127.0.0.1", target, timeout, local_address, socket_options
        )
        _label(stream.get_extra_info("socket"), f"{host}:{port}", self._tap)
        return stream

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise self._error("unix sockets are not available to traced code")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _label(sock: Any, label: str, tap: Tap) -> None:
    fileno = getattr(sock, "fileno", None)
    if fileno is not None:
        tap.fd_labels[fileno()] = label


_patched: set[str] = set()


def install(tap: Tap) -> None:
    """Patch httpx in this process (idempotent per process; call once per worker)."""
    _install(httpx, httpcore, tap)


def install_httpx2(tap: Tap) -> bool:
    """Patch httpx2 and httpcore2 like httpx (idempotent); False where httpx2 is missing."""
    try:
        http = importlib.import_module("httpx2")
        core = importlib.import_module("httpcore2")
    except ImportError:
        return False
    _install(http, core, tap)
    return True


def _install(http: types.ModuleType, core: types.ModuleType, tap: Tap) -> None:
    if http.__name__ in _patched:
        return
    _patched.add(http.__name__)
    _patch_transport(http.AsyncHTTPTransport, tap, core, is_async=True)
    _patch_transport(http.HTTPTransport, tap, core, is_async=False)
    _patch_client(http.AsyncClient, tap, is_async=True)
    _patch_client(http.Client, tap, is_async=False)
    pools = importlib.import_module(f"{core.__name__}._async.connection_pool")
    _patch_pool_wait(pools.AsyncPoolRequest, tap, is_async=True)
    pools = importlib.import_module(f"{core.__name__}._sync.connection_pool")
    _patch_pool_wait(pools.PoolRequest, tap, is_async=False)


def _patch_transport(kind: type[Any], tap: Tap, core: types.ModuleType, *, is_async: bool) -> None:
    original: Callable[..., None] = kind.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        original(self, *args, **kwargs)
        _transport_built(tap, kwargs, started, cpu)
        pool = getattr(self, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):
            return
        if is_async:
            pool._network_backend = AsyncRoutingBackend(
                pool._network_backend, tap, core.ConnectError
            )
        else:
            pool._network_backend = RoutingBackend(pool._network_backend, tap, core.ConnectError)
        context = getattr(pool, "_ssl_context", None)
        if isinstance(context, ssl.SSLContext):
            context.load_verify_locations(
                cafile=tap.route.ca_pem
            )  # what trustme's configure_trust does

    kind.__init__ = __init__


def _transport_built(tap: Tap, kwargs: dict[str, Any], started: float, cpu: float) -> None:
    """A transport the learner's line built itself: its CA bundle is that line's cost (one a
    client builds for itself is part of the client's)."""
    recorder = tap.recorder
    if recorder is None or sys._getframe(2).f_code.co_filename != tap.traced_file:
        return
    cpu_ms = (time.thread_time() - cpu) * 1000.0
    if recorder.on_loop_thread():
        recorder.building_ms += cpu_ms
    task = recorder.task_name()
    recorder.emit(
        TransportBuilt(
            t_ms=recorder.now_ms(),
            task=task,
            line=_learner_line(tap.traced_file),
            ms=round((time.perf_counter() - started) * 1000.0, 3),
            cpu_ms=round(cpu_ms, 3),
            retries=int(kwargs.get("retries", 0) or 0),
            thread=thread_of(task),
        )
    )


def _patch_pool_wait(kind: type[Any], tap: Tap, *, is_async: bool) -> None:
    """A request waiting for a free pooled connection records the wait as its own phase."""
    original: Callable[..., Any] = kind.wait_for_connection

    def marker(pool_request: Any) -> int | None:
        found = pool_request.request.extensions.get("loopscope.request")
        return found[0] if found is not None and tap.recorder is not None else None

    def note(number: int, state: PhaseState, error: BaseException | None = None) -> None:
        recorder = tap.recorder
        if recorder is None:
            return
        event = HttpPhase(
            t_ms=recorder.now_ms(),
            task=recorder.task_name(),
            request=number,
            scope="connection_pool",
            phase="wait_for_connection",
            state=state,
            error=type(error).__name__ if error is not None else None,
        )
        if state == "started" or not _ends_last(recorder, event):
            recorder.emit(event)

    if is_async:

        async def wait_async(self: Any, timeout: float | None = None) -> Any:  # noqa: ASYNC109
            number = marker(self)
            queued = number is not None and self.connection is None
            if queued:
                note(number, "started")  # type: ignore[arg-type]
            try:
                connection = await original(self, timeout)
            except BaseException as error:
                if queued:
                    note(number, "failed", error)  # type: ignore[arg-type]
                raise
            if queued:
                note(number, "complete")  # type: ignore[arg-type]
            if number is not None:
                tap.connections[number] = connection
            return connection

        kind.wait_for_connection = wait_async
    else:

        def wait(self: Any, timeout: float | None = None) -> Any:
            number = marker(self)
            queued = number is not None and self.connection is None
            if queued:
                note(number, "started")  # type: ignore[arg-type]
            try:
                connection = original(self, timeout)
            except BaseException as error:
                if queued:
                    note(number, "failed", error)  # type: ignore[arg-type]
                raise
            if queued:
                note(number, "complete")  # type: ignore[arg-type]
            if number is not None:
                tap.connections[number] = connection
            return connection

        kind.wait_for_connection = wait


_request_ids = itertools.count(1)
_client_ids = itertools.count(1)
_CLIENT_NUMBER = "_loopscope_client"
_STATES: dict[str, PhaseState] = {"started": "started", "complete": "complete", "failed": "failed"}


def _learner_line(traced_file: str) -> int | None:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == traced_file:
            return frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _on_request(
    tap: Tap, request: httpx.Request, *, sync: bool, client: int | None = None
) -> Callable[[str, dict[str, Any]], None] | None:
    recorder = tap.recorder
    if recorder is None:
        return None
    if sync and asyncio._get_running_loop() is not None:
        recorder.note_blocking("sync_http")  # a sync request inside async def holds the loop
    number = next(_request_ids)
    line = _learner_line(tap.traced_file)
    request.extensions["loopscope.request"] = (number, line)
    task = recorder.task_name()
    recorder.emit(
        RequestSent(
            t_ms=recorder.now_ms(),
            task=task,
            line=line,
            request=number,
            method=request.method,
            url=str(request.url),
            sync=sync,
            client=client,
            thread=thread_of(task),
        )
    )

    def trace(name: str, info: dict[str, Any]) -> None:
        scope, _, rest = name.partition(".")
        phase, _, state = rest.rpartition(".")
        host = None
        if phase == "connect_tcp" and state == "started":
            host = f"{info.get('host')}:{info.get('port')}"
        error = info.get("exception") if state == "failed" else None
        event = HttpPhase(
            t_ms=recorder.now_ms(),
            task=recorder.task_name(),
            line=line,
            request=number,
            scope=scope,
            phase=phase,
            state=_STATES.get(state, "complete"),
            host=host,
            error=type(error).__name__ if error is not None else None,
        )
        if event.state == "started" or not _ends_last(recorder, event):
            recorder.emit(event)
        if phase == "response_closed" and state != "started":
            _closed_with(recorder, tap.connections.pop(number, None), event)

    return trace


def _closed_with(recorder: Recorder, connection: Any, ended: HttpPhase) -> None:
    """The request ``ended`` released its connection: record whether it was closed (a request
    cancelled or failed mid-response leaves it unusable, and httpcore closes it)."""
    is_closed = getattr(connection, "is_closed", None)
    if is_closed is None or not is_closed():
        return
    recorder.emit(
        HttpPhase(
            t_ms=recorder.now_ms(),
            task=ended.task,
            line=ended.line,
            request=ended.request,
            scope="connection",
            phase="close",
            state="complete",
            ms=0.0,
        )
    )


def _ends_last(recorder: Recorder, end: HttpPhase) -> bool:
    """If the last event recorded is the start of the phase ``end`` ends, replace it by one
    event, the end with the phase's ``ms``; return whether it did. (A sync client's thread may
    record meanwhile: then the start is no longer last, and stays an event of its own.)"""
    records = recorder.records
    index = len(records) - 1
    start = records[index] if index >= 0 else None
    if not (
        isinstance(start, HttpPhase)
        and start.state == "started"
        and (start.request, start.scope, start.phase) == (end.request, end.scope, end.phase)
    ):
        return False
    ms = round(end.t_ms - start.t_ms, 2)
    records[index] = replace(end, host=start.host, ms=ms)
    return True


def _on_response(tap: Tap, response: httpx.Response) -> None:
    recorder = tap.recorder
    marker = response.request.extensions.get("loopscope.request")
    if recorder is None or marker is None:
        return
    number, line = marker
    recorder.emit(
        ResponseArrived(
            t_ms=recorder.now_ms(),
            task=recorder.task_name(),
            line=line,
            request=number,
            status_code=response.status_code,
            reason=response.reason_phrase,
        )
    )


def _client_built(tap: Tap, client: Any, started: float, cpu: float, *, sync: bool) -> None:
    """Record a client's creation (numbered, with its timeout for each phase): building its
    SSL context holds the thread for a while."""
    recorder = tap.recorder
    if recorder is None:
        return
    cpu_ms = (time.thread_time() - cpu) * 1000.0
    if recorder.on_loop_thread():  # a worker thread's CPU is not the loop's
        recorder.building_ms += cpu_ms
    number = next(_client_ids)
    setattr(client, _CLIENT_NUMBER, number)
    timeout = client.timeout
    task = recorder.task_name()
    recorder.emit(
        ClientCreated(
            t_ms=recorder.now_ms(),
            task=task,
            thread=thread_of(task),
            line=_learner_line(tap.traced_file),
            client=number,
            sync=sync,
            ms=round((time.perf_counter() - started) * 1000.0, 3),
            cpu_ms=round(cpu_ms, 3),
            connect=timeout.connect,
            read=timeout.read,
            write=timeout.write,
            pool=timeout.pool,
        )
    )


def _client_closed(tap: Tap, client: Any) -> None:
    recorder = tap.recorder
    number = getattr(client, _CLIENT_NUMBER, None)
    if recorder is None or number is None or getattr(client, "_loopscope_closed", False):
        return
    client._loopscope_closed = True
    recorder.emit(
        ClientClosed(
            t_ms=recorder.now_ms(),
            task=recorder.task_name(),
            line=_learner_line(tap.traced_file),
            client=number,
        )
    )


def _patch_client(kind: type[Any], tap: Tap, *, is_async: bool) -> None:
    original: Callable[..., None] = kind.__init__

    def request_hooks(client: Any) -> Callable[[httpx.Request], Awaitable[None] | None]:
        async def request_hook_async(request: httpx.Request) -> None:
            number = getattr(client, _CLIENT_NUMBER, None)
            trace = _on_request(tap, request, sync=False, client=number)
            if trace is not None:
                sync_trace = trace

                async def async_trace(name: str, info: dict[str, Any]) -> None:
                    sync_trace(name, info)

                request.extensions["trace"] = async_trace

        def request_hook(request: httpx.Request) -> None:
            number = getattr(client, _CLIENT_NUMBER, None)
            trace = _on_request(tap, request, sync=True, client=number)
            if trace is not None:
                request.extensions["trace"] = trace

        return request_hook_async if is_async else request_hook

    async def response_hook_async(response: httpx.Response) -> None:
        _on_response(tap, response)

    def response_hook(response: httpx.Response) -> None:
        _on_response(tap, response)

    on_response: Callable[[httpx.Response], Awaitable[None] | None]
    on_response = response_hook_async if is_async else response_hook

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        original(self, *args, **kwargs)
        _client_built(tap, self, started, cpu, sync=not is_async)
        hooks = self._event_hooks
        hooks["request"] = [*hooks.get("request", []), request_hooks(self)]
        hooks["response"] = [on_response, *hooks.get("response", [])]

    kind.__init__ = __init__
    _patch_close(kind, tap, is_async=is_async)


def _patch_close(kind: type[Any], tap: Tap, *, is_async: bool) -> None:
    """``close``/``aclose`` and leaving ``with`` record the client as closed (once)."""
    exit_name, close_name = ("__aexit__", "aclose") if is_async else ("__exit__", "close")
    original_exit: Callable[..., Any] = getattr(kind, exit_name)
    original_close: Callable[..., Any] = getattr(kind, close_name)
    if is_async:

        async def aexit(self: Any, *args: Any) -> Any:
            result = await original_exit(self, *args)
            _client_closed(tap, self)
            return result

        async def aclose(self: Any) -> None:
            await original_close(self)
            _client_closed(tap, self)

        setattr(kind, exit_name, aexit)
        setattr(kind, close_name, aclose)
    else:

        def exit_(self: Any, *args: Any) -> Any:
            result = original_exit(self, *args)
            _client_closed(tap, self)
            return result

        def close(self: Any) -> None:
            original_close(self)
            _client_closed(tap, self)

        setattr(kind, exit_name, exit_)
        setattr(kind, close_name, close)
