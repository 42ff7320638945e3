"""What the visualizer tests share besides fixtures: the samples folder and the ``trace_of``
fixture's type. A module of its own, because ``from conftest import ...`` resolves to whichever
``conftest`` pytest imported first (``tests/conftest.py`` is one too), so it broke when the
folders were collected in another order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from visualizer import Trace

SAMPLES = Path(__file__).parent / "samples"

TraceOf = Callable[..., Trace]
