"""Reading a stored trace back without holding the GIL for long: a run the server no longer has
in its run cache (after a restart, or an eviction) is decoded in a worker thread while the event
loop keeps answering everyone else.

``Trace.from_json`` is one call into pydantic-core: it parses and validates the whole document
while holding the GIL, so even in a thread it stops the event loop for as long as it takes (on
a 6 MB trace, 200 ms on a quiet machine, over 700 ms on a busy one). ``decode_trace`` makes
the same ``Trace`` from many small calls instead: the document's top level is walked with the
stdlib's ``JSONDecoder.raw_decode``, one array element at a time, and ``steps`` and ``events``
are validated ``CHUNK`` elements at a time; between two small calls the interpreter hands the
GIL to the loop when it asks (``sys.getswitchinterval``, 5 ms). Each piece still goes through
pydantic, with the model's own types and the event validator's ``expand``, so what comes out is
what ``Trace.from_json`` makes. Anything the walk does not expect (a malformed document, a
validation error) is handed to ``Trace.from_json``, which says what is wrong in its own words.

Measured against a decode in a process (which would have to hand the page a whole ``Trace``:
unpickling one holds the GIL as long as validating it) and a cheaper single call (still one
call holding the GIL): only small pieces keep the loop's wait bounded whatever the trace's size.
"""

from __future__ import annotations

import gc
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from pydantic import TypeAdapter

from visualizer import Step, Trace
from visualizer.contract.events import expand
from visualizer.contract.wire import uninterned
from visualizer.read.model import Event

# Elements validated per call: about a millisecond of pydantic-core work on a busy machine.
CHUNK: Final = 64

_DECODER: Final = json.JSONDecoder()
_SPACE: Final = re.compile(r"[ \t\n\r]*")
_STEPS: Final = TypeAdapter(list[Step])
_EVENTS: Final = TypeAdapter(list[Event])


_paused_lock: Final = threading.Lock()
_paused = 0  # decodes under way while the collector is paused
_was_enabled = True


def decode_kept(text: str) -> Trace:
    """``decode_trace(text)``, its objects then taken out of the collector's generations.

    A 6 MB trace is half a million objects. Made with the collector on, they set off full
    collections as they pile up, each walking all of them so far while holding the GIL (90 ms
    for one of them on a busy machine): the collector is paused while they are made, and they
    are frozen before it resumes (as ``TraceService`` freezes every kept run). The pause is
    shared by decodes under way at once; it ends with the last of them."""
    with _collector_paused():
        trace = decode_trace(text)
        gc.freeze()
    return trace


@contextmanager
def _collector_paused() -> Iterator[None]:
    global _paused, _was_enabled  # one collector per process
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


class _Unexpected(ValueError):
    """The document is not a JSON object as the walk reads one."""


def decode_trace(text: str) -> Trace:
    """The ``Trace`` that ``Trace.from_json(text)`` makes, decoded in small pieces.

    Raises what ``Trace.from_json`` raises (``pydantic.ValidationError``) for a document it
    cannot read."""
    try:
        document = _top_level(text)
        steps = document.pop("steps", None)
        events = document.pop("events", None)
        if not isinstance(steps, list) or not isinstance(events, list):
            raise _Unexpected("no steps or events list")
        # Schema 5 writes task names and repeated details once, in these tables (``interned``):
        # each chunk gets its strings back before it is validated.
        tables: dict[str, Any] = {
            key: document[key] for key in ("tasks", "details") if key in document
        }
        shell = Trace.model_validate({**document, "steps": [], "events": []})
        trace = shell.model_copy(
            update={
                "steps": _validated_steps(steps, tables),
                "events": _validated_events(events, tables),
            }
        )
    except ValueError:  # pydantic's ValidationError is one
        return Trace.from_json(text)
    trace._json = text.encode()
    return trace


def _rows(key: str, chunk: list[Any], tables: dict[str, Any]) -> list[Any]:
    """``chunk`` of the ``key`` rows with the strings the tables hold put back."""
    return list(uninterned({**tables, key: chunk})[key]) if tables else chunk


def _validated_steps(items: list[Any], tables: dict[str, Any]) -> tuple[Step, ...]:
    """Validates ``items`` a chunk at a time, dropping each chunk once validated (``_drop``)."""
    out: list[Step] = []
    for start in range(0, len(items), CHUNK):
        out.extend(_STEPS.validate_python(_rows("steps", items[start : start + CHUNK], tables)))
        _drop(items, start)
    return tuple(out)


def _validated_events(items: list[Any], tables: dict[str, Any]) -> tuple[Any, ...]:
    """As ``_validated_steps``, each event's detail expanded first (``Trace``'s validator)."""
    out: list[Any] = []
    for start in range(0, len(items), CHUNK):
        chunk = _rows("events", items[start : start + CHUNK], tables)
        expanded = [expand(item) if isinstance(item, dict) else item for item in chunk]
        out.extend(_EVENTS.validate_python(expanded))
        _drop(items, start)
    return tuple(out)


def _drop(items: list[Any], start: int) -> None:
    """Frees a chunk of parsed JSON as soon as it is validated: freeing tens of thousands of
    dicts at once, when the whole list goes, is one call holding the GIL (40 ms on 8 MB)."""
    items[start : start + CHUNK] = [None] * len(items[start : start + CHUNK])


def _skip(text: str, at: int) -> int:
    end = _SPACE.match(text, at)
    assert end is not None  # the pattern matches the empty string
    return end.end()


def _top_level(text: str) -> dict[str, Any]:
    """The document's top-level object, each array in it read one element per call."""
    at = _skip(text, 0)
    if text[at : at + 1] != "{":
        raise _Unexpected("not an object")
    at = _skip(text, at + 1)
    document: dict[str, Any] = {}
    if text[at : at + 1] == "}":
        return _finished(text, at + 1, document)
    while True:
        key, at = _DECODER.raw_decode(text, at)
        if not isinstance(key, str):
            raise _Unexpected("a key that is not a string")
        at = _skip(text, at)
        if text[at : at + 1] != ":":
            raise _Unexpected("no colon after a key")
        at = _skip(text, at + 1)
        if text[at : at + 1] == "[":
            document[key], at = _array(text, at + 1)
        else:
            document[key], at = _DECODER.raw_decode(text, at)
        at = _skip(text, at)
        mark = text[at : at + 1]
        if mark == "}":
            return _finished(text, at + 1, document)
        if mark != ",":
            raise _Unexpected("no comma between members")
        at = _skip(text, at + 1)


def _array(text: str, at: int) -> tuple[list[Any], int]:
    """The array whose ``[`` ends just before ``at``, and where it ends."""
    items: list[Any] = []
    at = _skip(text, at)
    if text[at : at + 1] == "]":
        return items, at + 1
    while True:
        item, at = _DECODER.raw_decode(text, at)
        items.append(item)
        at = _skip(text, at)
        mark = text[at : at + 1]
        if mark == "]":
            return items, at + 1
        if mark != ",":
            raise _Unexpected("no comma between elements")
        at = _skip(text, at + 1)


def _finished(text: str, at: int, document: dict[str, Any]) -> dict[str, Any]:
    if _skip(text, at) != len(text):
        raise _Unexpected("text after the document")
    return document
