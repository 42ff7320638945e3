"""The Visual quiz says mypy flags a missing ``await``, in annotated code only: run mypy on both.

The no-await example silences mypy with ``type: ignore`` so that ``make lint`` stays clean; the
test runs mypy on its source without that comment, and on a copy without annotations, which is
the counter-example the claim must reject (mypy skips the bodies of unannotated functions).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

from lessons import CONTENT_ROOT

EXAMPLE = CONTENT_ROOT / "async-http-client-calls" / "examples" / "fetch_data_no_await.py"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for both runs, so httpx's stubs are analysed once."""
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(source: str, cache: Path) -> str:
    stdout, _, _ = api.run(["--config-file=/dev/null", f"--cache-dir={cache}", "-c", source])
    return stdout


def _annotated() -> str:
    return re.sub(r"\s*# type: ignore\[.*\]", "", EXAMPLE.read_text())


@pytest.mark.slow
def test_mypy_flags_the_missing_await_in_annotated_code(cache: Path) -> None:
    assert 'has no attribute "text"' in _mypy(_annotated(), cache)


@pytest.mark.slow
def test_counter_example_mypy_is_silent_without_annotations(cache: Path) -> None:
    unannotated = _annotated().replace("(url: str) -> str:", "(url):")
    assert "(url):" in unannotated

    report = _mypy(unannotated, cache)

    assert report.startswith("Success: no issues found"), report  # it ran, and saw nothing
