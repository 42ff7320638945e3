"""The settings a trace run reads, without pydantic-settings when none of them is set.

``loopscope trace`` needs two settings (``trace_timeout_s``, ``bwrap_path``), and importing
pydantic-settings to read them cost a third of a second before the worker could start. Their
defaults and bounds live here, once; ``loopscope.settings.RunSettings`` declares its fields
with them. When no ``LOOPSCOPE_`` variable names one of them, the defaults are used as they
are; when one does, ``RunSettings`` reads and validates the environment as the app does.

    >>> names_a_run_setting({"LOOPSCOPE_DEV": "1"})
    False
    >>> names_a_run_setting({"loopscope_bwrap_path": "/no/bwrap"})
    True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

ENV_PREFIX = "LOOPSCOPE_"
TRACE_TIMEOUT_S = 10.0
TRACE_TIMEOUT_MAX_S = 120.0  # the bound is exclusive below (> 0), inclusive above
BWRAP_PATH = "bwrap"
# The fields of ``RunSettings`` (a test checks these are all of them).
RUN_KEYS = ("trace_timeout_s", "bwrap_path")


@dataclass(frozen=True, slots=True)
class RunValues:
    """The run settings as read: what ``RunSettings`` holds, as a plain record."""

    trace_timeout_s: float = TRACE_TIMEOUT_S
    bwrap_path: str = BWRAP_PATH


def names_a_run_setting(environ: Mapping[str, str]) -> bool:
    """Whether ``environ`` sets one of the run settings (pydantic-settings matches names
    case-insensitively: so does this)."""
    names = {f"{ENV_PREFIX}{key}".upper() for key in RUN_KEYS}
    return any(name.upper() in names for name in environ)


def run_settings() -> RunValues:
    """The run settings: the defaults, or ``RunSettings`` read from the environment when a
    variable names one of them (its ``ValidationError``, a ``ValueError``, if out of bounds)."""
    if not names_a_run_setting(os.environ):
        return RunValues()
    from loopscope.settings import RunSettings

    settings = RunSettings()
    return RunValues(settings.trace_timeout_s, settings.bwrap_path)
