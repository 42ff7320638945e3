"""Turn any value into the short display string the tables show.

Values are encoded the moment a hook sees them, so the recorder never keeps a reference to a
learner's object. The strings are made for people: ``AsyncClient (open)``, ``Response [200 OK]``,
``<coroutine fetch_data>``, ``ReadTimeout('timed out')``; long text is cut with an ellipsis and no
memory address (``at 0x7f...``) ever appears.

    >>> display("x" * 100)[-5:]
    'xxxx…'
    >>> display({"a": 1, "b": [1, 2]})
    "{'a': 1, 'b': [1, 2]}"
"""

from __future__ import annotations

import asyncio
import re
import types
from collections.abc import Callable

from visualizer.contract.events import NOT_SET as NOT_SET
from visualizer.contract.events import ErrorText

WIDTH = 60
# ``Trace.result`` keeps the whole repr of the returned value up to this many bytes.
RESULT_BYTES = 64 * 1024
_ADDRESS = re.compile(
    r"\s*(?:object )?at 0x[0-9a-fA-F]+"  # "<Foo object at 0x7f...>"
    r"|0x[0-9a-fA-F]{6,}"  # a bare pointer
    r"|\b(?:7f|55|56)[0-9a-f]{10}\b"  # an id() printed in hex, as anyio does
)
_ITEMS_SHOWN = 4


def cut(text: str, width: int = WIDTH) -> str:
    """Shorten ``text`` to ``width`` characters, ending with an ellipsis when cut."""
    if "0x" in text or len(text) >= 12:
        text = _ADDRESS.sub("", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def display(value: object, width: int = WIDTH) -> str:
    """The display string of ``value``; never raises, never shows an address."""
    encoder = _EXACT.get(type(value))
    try:
        if encoder is not None:
            return cut(encoder(value), width)
        return cut(_general(value), width)
    except Exception:
        return f"<{type(value).__name__}>"


def exception_text(exc: BaseException) -> str:
    """``ReadTimeout('timed out')``: the type and the message, without the traceback."""
    try:
        return cut(repr(exc))
    except Exception:
        return f"{type(exc).__name__}()"


def error_text(exc: BaseException) -> ErrorText:
    """The exception as a typed record: its type name and its short repr."""
    return ErrorText(type=type(exc).__name__, text=exception_text(exc))


def full_repr(value: object, budget: int = RESULT_BYTES) -> str:
    """The whole repr of ``value`` (no address), cut only past ``budget`` bytes of UTF-8.

    >>> full_repr("x" * 10, budget=8)
    "'xxxxxxx… (4 more bytes)"
    """
    try:
        text = _ADDRESS.sub("", _general(value) if _http_kind(value) == "Response" else repr(value))
    except Exception:
        return f"<{type(value).__name__}>"
    data = text.encode("utf-8", "replace")
    if len(data) <= budget:
        return text
    kept = data[:budget].decode("utf-8", "ignore")
    return f"{kept}… ({len(data) - len(kept.encode())} more bytes)"


def _text(value: object) -> str:
    # A huge string or buffer is cut before repr: repr of 64 MB would cost seconds and 256 MB.
    if isinstance(value, str | bytes | bytearray) and len(value) > 4 * WIDTH:
        return repr(value[: 4 * WIDTH])
    return repr(value)


def _sequence(value: list[object] | tuple[object, ...] | set[object] | frozenset[object]) -> str:
    items = list(value)[:_ITEMS_SHOWN]
    inner = ", ".join(display(item, 20) for item in items)
    more = ", …" if len(value) > _ITEMS_SHOWN else ""
    if isinstance(value, list):
        body = f"[{inner}{more}]"
    elif isinstance(value, tuple):
        body = f"({inner}{',' if len(value) == 1 else ''}{more})"
    else:
        body = f"{{{inner}{more}}}" if value else "set()"
    return f"{body} ({len(value)} items)" if len(value) > _ITEMS_SHOWN else body


def _mapping(value: dict[object, object]) -> str:
    pairs = list(value.items())[:_ITEMS_SHOWN]
    inner = ", ".join(f"{display(k, 16)}: {display(v, 20)}" for k, v in pairs)
    if len(value) > _ITEMS_SHOWN:
        return f"{{{inner}, …}} ({len(value)} keys)"
    return f"{{{inner}}}"


_HTTP_KINDS = frozenset({"AsyncClient", "Client", "Response", "Request"})


def _http_kind(value: object) -> str | None:
    """``AsyncClient``, ``Response``…, for httpx's classes and httpx2's (the same API)."""
    kind = type(value)
    if kind.__name__ in _HTTP_KINDS and kind.__module__.partition(".")[0] in ("httpx", "httpx2"):
        return kind.__name__
    return None


def _general(value: object) -> str:
    http = _http_kind(value)
    if http in ("AsyncClient", "Client"):
        closed = getattr(value, "is_closed", False)
        return f"{http} ({'closed' if closed else 'open'})"
    if http == "Response":
        code, reason = getattr(value, "status_code", 0), getattr(value, "reason_phrase", "")
        return f"Response [{code} {reason}]"
    if http == "Request":
        return f"Request [{getattr(value, 'method', '')} {getattr(value, 'url', '')}]"
    if isinstance(value, BaseException):
        return exception_text(value)
    if isinstance(value, types.CoroutineType):
        return f"<coroutine {value.__qualname__}>"
    if isinstance(value, asyncio.Task):
        return f"<Task {value.get_name()} {_future_state(value)}>"
    if isinstance(value, asyncio.Future):
        return f"<Future {_future_state(value)}>"
    if isinstance(value, types.FunctionType | types.BuiltinFunctionType | types.MethodType):
        return f"<function {value.__qualname__}>"
    if isinstance(value, types.ModuleType):
        return f"<module {value.__name__}>"
    if isinstance(value, type):
        return f"<class {value.__qualname__}>"
    if isinstance(value, dict):
        return _mapping(value)
    if isinstance(value, list | tuple | set | frozenset):
        return _sequence(value)
    return repr(value)


def _future_state(future: asyncio.Future[object]) -> str:
    if future.cancelled():
        return "cancelled"
    if not future.done():
        return "pending"
    error = future.exception()
    return f"raised {exception_text(error)}" if error else "done"


_EXACT: dict[type, Callable[[object], str]] = {
    str: _text,
    int: _text,
    float: _text,
    bool: _text,
    type(None): _text,
    bytes: _text,
    bytearray: _text,
}
