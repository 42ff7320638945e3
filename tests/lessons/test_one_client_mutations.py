"""Lesson 2's own mutants: break a fact of the lesson, and the claim that states it must fail.

Each mutant edits one file of a copy of the lesson (an example, or the claim's counter), then
runs the lesson's check that states the broken fact (or loads the lesson, for a mutant the
validation catches). A mutant that the check survives would show a claim that cannot fail.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from lessons import CONTENT_ROOT, LessonError, load_lesson
from lessons.check import engine_runner, plan, run_checks

FOLDER = CONTENT_ROOT / "one-client"


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str  # relative to the lesson folder
    old: str
    new: str
    label: str  # the check label that must fail, e.g. "one-client/deep.yaml: steps.2.evidence"
    at_load: bool = False  # caught when the lesson loads, before anything runs


LIFESPAN_GET = 'response = await request.state.client.get("https://prices.example.com/data")'
OWN_CLIENT_GET = (
    "async with httpx.AsyncClient() as own:\n"
    '        response = await own.get("https://prices.example.com/data")'
)
RESPX_BLOCK = '        upstream.get(UPSTREAM).respond(json={"message": "Hello from respx"})\n'
LIFESPAN_CLOSES = (
    '    async with httpx.AsyncClient(timeout=2.0) as client:\n        yield {"client": client}'
)
NEVER_CLOSED = '    client = httpx.AsyncClient(timeout=2.0)\n    yield {"client": client}'
COUNTER = "          example: {}\n          changes: one client opened by the lifespan"

MUTANTS = [
    # The lifespan's route builds its own client after all: three connects, not one.
    Mutant(
        "lifespan-client-per-request",
        "examples/step3_lifespan.py",
        LIFESPAN_GET,
        OWN_CLIENT_GET,
        "one-client/deep.yaml: steps.2.evidence",
    ),
    # One event loop instead of two: the module-level client never meets a closed loop.
    Mutant(
        "module-client-one-loop",
        "examples/step2_module_client.py",
        "for _ in range(2):",
        "for _ in range(1):",
        "one-client/deep.yaml: steps.1.evidence",
    ),
    # The default dependency scope: the client is still open when the task runs.
    Mutant(
        "background-default-scope",
        "examples/step6_background_request_client.py",
        'Depends(get_client, scope="function")',
        "Depends(get_client)",
        "one-client/deep.yaml: steps.5.evidence",
    ),
    # respx's routes defined, but the app called after the mock has ended: a real connect.
    Mutant(
        "test-outside-respx",
        "examples/step7_testing.py",
        RESPX_BLOCK + '        return await call_app("/greeting")',
        RESPX_BLOCK + '    return await call_app("/greeting")',
        "one-client/deep.yaml: steps.6.evidence",
    ),
    # A counter-example identical to the claim's own run proves nothing: the claim must fail.
    Mutant(
        "counter-equals-claim",
        "deep.yaml",
        COUNTER.format("step3_lifespan"),
        COUNTER.format("step1_client_per_call"),
        "one-client/deep.yaml: steps.0.prompt.evidence",
        at_load=True,
    ),
    # The lifespan no longer closes its client: sockets outlive shutdown.
    Mutant(
        "shutdown-never-closes",
        "examples/step5_close.py",
        LIFESPAN_CLOSES,
        NEVER_CLOSED,
        "one-client/deep.yaml: steps.4.evidence",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_each_mutant_fails_the_claim_it_breaks(mutant: Mutant, tmp_path: Path) -> None:
    folder = tmp_path / "one-client"
    shutil.copytree(FOLDER, folder)
    target = folder / mutant.file
    text = target.read_text(encoding="utf-8")
    assert text.count(mutant.old) == 1, f"the mutant no longer applies to {mutant.file}"
    target.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")

    if mutant.at_load:
        with pytest.raises(LessonError, match=re.escape(mutant.label.split(": ", 1)[1])):
            load_lesson(folder)
        return
    checks = [c for c in plan(load_lesson(folder), folder) if c.label == mutant.label]
    assert len(checks) == 1, f"no check {mutant.label!r}"
    [outcome] = run_checks(checks, engine_runner(), workers=1)
    assert not outcome.passed, f"{mutant.id} survived {mutant.label}"
