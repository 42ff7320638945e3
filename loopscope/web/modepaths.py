"""Where each learning mode lives under ``/lessons/{slug}/``.

Learn is the lesson's own address; Visual is ``/visualize`` (a verb, like the page's purpose);
every other mode's segment is its name.

>>> segment_for("visual"), mode_for_segment("visualize"), mode_for_segment("learn")
('visualize', 'visual', None)
"""

from __future__ import annotations

from typing import Final

from lessons.models import MODES, ModeName

_RENAMED: Final[dict[ModeName, str]] = {"visual": "visualize"}
_SEGMENTS: Final[dict[ModeName, str]] = {
    mode: _RENAMED.get(mode, mode) for mode in MODES if mode != "learn"
}
_MODES: Final[dict[str, ModeName]] = {segment: mode for mode, segment in _SEGMENTS.items()}


def segment_for(mode: ModeName) -> str:
    """The path segment of a mode other than Learn."""
    return _SEGMENTS[mode]


def mode_for_segment(segment: str) -> ModeName | None:
    """The mode a path segment names, or None (Learn has no segment)."""
    return _MODES.get(segment)
