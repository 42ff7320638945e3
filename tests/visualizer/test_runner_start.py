"""``runner.start`` without an authority: the demo CA is made while the sandbox is probed, and
bad input makes nothing at all."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from visualizer import TraceRequest
from visualizer.contract.errors import SandboxUnavailable, TraceInputError
from visualizer.contract.request import Origin
from visualizer.pool import authority as authority_module
from visualizer.pool import runner
from visualizer.pool.authority import Authority, create_authority, discard_default_authority
from visualizer.pool.sandbox import Sandbox


@pytest.fixture
def making(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Set once this process's authority is being made (it is then made for real)."""
    discard_default_authority()
    began = threading.Event()

    def noted(folder: Path) -> Authority:
        began.set()
        return create_authority(folder)

    monkeypatch.setattr(authority_module, "create_authority", noted)
    yield began
    discard_default_authority()  # waits for a thread still making it


def test_the_authority_is_made_while_the_sandbox_is_probed(
    making: threading.Event, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[bool] = []

    def probe(bwrap: str, origin: Origin) -> Sandbox | None:
        seen.append(making.wait(timeout=10))  # the probe's time is the authority's too
        raise SandboxUnavailable("no sandbox in this test")

    monkeypatch.setattr(runner, "choose_sandbox", probe)
    file = tmp_path / "f.py"
    file.write_text("async def main():\n    return 1\n")
    with pytest.raises(SandboxUnavailable):
        runner.start(TraceRequest(file, "main()", origin="learner"))
    assert seen == [True]


def test_bad_input_makes_no_authority(making: threading.Event, tmp_path: Path) -> None:
    with pytest.raises(TraceInputError):
        runner.start(TraceRequest(tmp_path / "missing.py", "main()"))
    assert authority_module._default.folder is None
    assert not making.is_set()
