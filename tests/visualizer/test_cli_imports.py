"""``loopscope trace`` imports only what a trace needs: its fixed cost is what every run pays
before its worker starts (see ``bench/cli_start.py``)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loopscope.run_settings import (
    RUN_KEYS,
    TRACE_TIMEOUT_MAX_S,
    TRACE_TIMEOUT_S,
    RunValues,
    names_a_run_setting,
    run_settings,
)
from loopscope.settings import RunSettings, Settings

# What the web app, the database or pydantic-settings bring; a trace printed as JSON needs none.
HEAVY = (
    "pydantic",  # Typer's option parsing imports it: `trace` is parsed with argparse
    "pydantic_settings",
    "loopscope.settings",
    "loopscope.app",
    "loopscope.storage",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "rich",
    "trustme",
    "cryptography",
)

LOOPSCOPE = [sys.executable, "-c", "from loopscope.cli import main; main()"]
# The trace path up to its worker's start: the command's modules and options, the runner, the
# run settings.
TRACE_PATH = """
import json, sys
import loopscope.cli
import visualizer.tools.command
from loopscope.run_settings import run_settings
from loopscope.trace_cli import parser
parser().parse_args(["f.py", "--call", "main()", "--json", "--time-limit", "3", "--watch", "a.b"])
settings = run_settings()
print(json.dumps([settings.trace_timeout_s, sorted(sys.modules)]))
"""


def imported(environ: dict[str, str]) -> tuple[float, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", TRACE_PATH],
        capture_output=True,
        text=True,
        timeout=60,
        env=environ,
        check=True,
    )
    timeout, modules = json.loads(done.stdout)
    return timeout, set(modules)


def clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("LOOPSCOPE_")}


def test_the_trace_path_imports_nothing_heavy() -> None:
    timeout, modules = imported(clean_environ())
    assert timeout == TRACE_TIMEOUT_S
    assert "visualizer.pool.runner" in modules  # the path was really imported
    assert [name for name in HEAVY if name in modules] == []


def test_a_run_setting_in_the_environment_is_read_and_validated() -> None:
    timeout, modules = imported({**clean_environ(), "LOOPSCOPE_TRACE_TIMEOUT_S": "2.5"})
    assert timeout == 2.5
    assert "pydantic_settings" in modules  # read as the app reads it
    with pytest.raises(subprocess.CalledProcessError) as refused:
        imported({**clean_environ(), "loopscope_trace_timeout_s": "500"})
    assert "less than or equal to 120" in str(refused.value.stderr)


def test_a_setting_out_of_bounds_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [*LOOPSCOPE, "trace", "x.py", "--call", "main()"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean_environ(), "LOOPSCOPE_TRACE_TIMEOUT_S": "0"},
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("loopscope trace: bad setting:")
    assert "greater than 0" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_the_run_settings_have_one_source_of_truth(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper().startswith("LOOPSCOPE_"):
            monkeypatch.delenv(key)
    assert set(RUN_KEYS) == set(RunSettings.model_fields)
    defaults = RunSettings()
    assert run_settings() == RunValues(defaults.trace_timeout_s, defaults.bwrap_path)
    assert Settings.model_fields["trace_timeout_s"].default == TRACE_TIMEOUT_S
    assert RunSettings(trace_timeout_s=TRACE_TIMEOUT_MAX_S).trace_timeout_s == TRACE_TIMEOUT_MAX_S
    with pytest.raises(ValueError, match="less than or equal"):
        RunSettings(trace_timeout_s=TRACE_TIMEOUT_MAX_S + 0.001)
    assert not names_a_run_setting({"LOOPSCOPE_DEV": "1", "BWRAP_PATH": "x"})
    assert names_a_run_setting({"Loopscope_Bwrap_Path": "/no/bwrap"})
