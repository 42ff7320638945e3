"""``loopscope challenge check``: exit 0 all pass, 1 some fail, 2 bad input, JSON on request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lessons.loader import CONTENT_ROOT
from visualizer import sandbox_status

SLUG = "async-http-client-calls"
EXAMPLES = CONTENT_ROOT / SLUG / "examples"


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from loopscope.cli import main; main()", "challenge", "check"]
    command += args
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def test_bad_input_is_exit_2_with_one_line(tmp_path: Path) -> None:
    unknown = _check(SLUG, "no-such-challenge", str(EXAMPLES / "challenge_five_solution.py"))
    assert unknown.returncode == 2
    assert "no challenge 'no-such-challenge'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    missing = _check(SLUG, "challenge-five-at-once", str(tmp_path / "missing.py"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
    assert _check("no-such-lesson", "x", str(tmp_path)).returncode == 2


@pytest.mark.skipif(sandbox_status().available, reason="this machine has a sandbox")
def test_no_sandbox_means_nothing_runs_and_exit_2() -> None:
    result = _check(SLUG, "challenge-five-at-once", str(EXAMPLES / "challenge_five_solution.py"))
    assert result.returncode == 2
    assert "no sandbox available" in result.stderr
    assert result.stdout == ""


@pytest.mark.slow
@pytest.mark.skipif(not sandbox_status().available, reason=sandbox_status().reason)
def test_a_solution_passes_and_the_starter_fails_with_json() -> None:
    good = _check(
        SLUG, "challenge-bounded", str(EXAMPLES / "challenge_bounded_solution.py"), "--json"
    )
    assert good.returncode == 0, good.stdout + good.stderr
    verdict = json.loads(good.stdout)
    assert verdict["passed"] is True
    assert {c["id"] for c in verdict["checks"]} >= {"at-most-three", "reuse"}
    bad = _check(
        SLUG, "challenge-bounded", str(EXAMPLES / "challenge_bounded_starter.py"), "--json"
    )
    assert bad.returncode == 1
    failed = {c["id"] for c in json.loads(bad.stdout)["checks"] if not c["passed"]}
    assert {"at-most-three", "reuse"} <= failed


@pytest.mark.slow
@pytest.mark.skipif(not sandbox_status().available, reason=sandbox_status().reason)
def test_json_never_shows_what_a_hidden_run_produced() -> None:
    # This submission raises its own arguments: a visible run's detail may show them, a hidden
    # run's never does (its inputs are 'fallback', the 404 URL, and a URL of None).
    leaky = EXAMPLES / "challenge_fallback_wrong_raises_args.py"
    result = _check(SLUG, "challenge-fallback", str(leaky), "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    assert "called with url='https://api.example.com/status/500'" in checks["no-crash"]["detail"]
    for hidden in ("own-default", "propagates"):
        assert checks[hidden]["passed"] is False
        assert "hidden run" in checks[hidden]["detail"]
    assert "fallback" not in result.stdout
    assert "status/404" not in result.stdout
    assert "url=None" not in result.stdout
