"""Does a trace's size follow the work? Targets: at most 5 KB per request, growing linearly, and
the whole CLI run (export included) at most 1.3x the same work untraced.

The workload is ``bench/trace_overhead.py``'s: rounds of ``asyncio.gather`` over 10 GETs to a
5 ms loopback upstream (https, one shared client).

- Size: for 10, 30 and 100 rounds, below the caps, and 150 rounds, past the request cap (the
  run stops at 1,000 requests): one trace in a worker (``run_trace``, the default caps, the time
  limit raised so that a loaded machine does not stop the longer run), and the JSON the worker
  wrote (what the app stores; ``--json`` prints the contract's longer form, task names and
  details written out in every row): bytes per request is the whole
  trace divided by the requests the run made.
- Time: the real command, ``loopscope trace FILE --call 'main(30)' --json --perfetto OUT``,
  for a workload that does not sleep (``/json``) and for the sleeping one, timed from the
  outside, against the same work untraced in a fresh process set up as a trace
  worker is (the demo upstream, its routing and TLS, the warm-up request), timed the same way
  in the same run. Runs alternate and repeat; medians are printed.
- The table: the command without ``--json`` (its folded table), against ``--json``, on the
  ``/json`` workload at 30 rounds. Target: at most 2x.

Figures are noisy on a shared machine. Usage: ``python bench/trace_size.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from trace_overhead import (  # this folder is on sys.path when run as a script
    CALL,
    WORKLOAD,
    WORKLOAD_JSON,
)

from visualizer import Limits, TraceRequest, run_trace

ROOT = Path(__file__).resolve().parent.parent
# Below the caps (10, 30, 100 rounds: 100 to 1,000 requests), and past them: 150 rounds ask
# for 1,500 requests and the request cap keeps the first 1,000.
ROUNDS = (10, 30, 100, 150)
AT_CAP = 150
TARGET_BYTES_PER_REQUEST = 5 * 1024
TARGET_RATIO = 1.3
TARGET_TABLE_RATIO = 2.0


def untraced_child(file: str, call: str) -> None:
    """In a fresh process: the worker's set-up, then the call, run untraced."""
    from visualizer.pool.authority import default_authority
    from visualizer.worker.netroute import Route, Tap, install
    from visualizer.worker.process import warm_up
    from visualizer.worker.upstream import start_upstream

    authority = default_authority()
    upstream = start_upstream(str(authority.cert_pem), str(authority.key_pem))
    install(Tap(Route(upstream.http_port, upstream.https_port, str(authority.ca_pem)), {}))
    warm_up("warm-up.example.com")
    namespace: dict[str, object] = {"__name__": "workload"}
    exec(compile(Path(file).read_text(), file, "exec"), namespace)
    result = asyncio.run(eval(call, namespace))  # type: ignore[arg-type]
    print(json.dumps({"result": repr(result)}))


def _timed(command: list[str]) -> tuple[float, bytes]:
    """Wall ms and stdout of ``command``, measured from the outside."""
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, cwd=ROOT, env=_env(), check=False)
    wall_ms = (time.perf_counter() - started) * 1000.0
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}")
    return wall_ms, done.stdout


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def sized(file: Path, rounds: int) -> tuple[int, int, int]:
    """JSON bytes, requests and events of one traced run of ``main(rounds)``."""
    limits = Limits(wall_s=300.0)  # the default caps: what the CLI and the app keep
    trace = run_trace(TraceRequest(file, f"main({rounds})", limits=limits))
    capped = rounds == AT_CAP and trace.stopped == "requests"
    if (trace.stopped is not None and not capped) or trace.error is not None:
        raise SystemExit(f"the {rounds}-round run did not finish: {trace.stopped or trace.error}")
    return len(trace.json_bytes()), len(trace.requests), len(trace.events)


def cli(file: Path, rounds: int, export: Path) -> float:
    """Wall ms of the whole command, JSON and Perfetto export included."""
    command = [
        str(Path(sys.executable).with_name("loopscope")),
        "trace",
        str(file),
        "--call",
        f"main({rounds})",
        "--json",
        "--perfetto",
        str(export),
        "--time-limit",
        "300",  # a loaded machine must not stop the run
    ]
    return _timed(command)[0]


def cli_output(file: Path, rounds: int, flags: list[str]) -> float:
    """Wall ms of the command printing ``flags``' output (the table without any) to a pipe."""
    loopscope = str(Path(sys.executable).with_name("loopscope"))
    command = [loopscope, "trace", str(file), "--call", f"main({rounds})", *flags]
    return _timed([*command, "--time-limit", "300"])[0]


def untraced(file: Path, rounds: int) -> float:
    command = [sys.executable, __file__, "--untraced-child", str(file), f"main({rounds})"]
    return _timed(command)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--untraced-child", nargs=2, metavar=("FILE", "CALL"))
    args = parser.parse_args()
    if args.untraced_child:
        untraced_child(*args.untraced_child)
        return
    assert CALL == "main()"
    timed_rounds = 30  # 300 requests: the lesson's pattern, as a learner runs it
    with tempfile.TemporaryDirectory() as directory:
        file = Path(directory) / "workload.py"
        file.write_text(WORKLOAD)
        json_file = Path(directory) / "workload_json.py"
        json_file.write_text(WORKLOAD_JSON)
        export = Path(directory) / "perfetto.json"
        sizes: dict[int, tuple[int, int, int]] = {}
        for rounds in ROUNDS:
            sizes[rounds] = sized(file, rounds)
        timings: dict[str, tuple[list[float], list[float]]] = {}
        for name, path in (("/json, not sleeping", json_file), ("/delay/0.005", file)):
            plain: list[float] = []
            whole: list[float] = []
            for _ in range(args.repeat):
                plain.append(untraced(path, timed_rounds))
                whole.append(cli(path, timed_rounds, export))
            timings[name] = (plain, whole)
        export_bytes = export.stat().st_size
        as_json: list[float] = []
        table: list[float] = []
        for _ in range(args.repeat):
            as_json.append(cli_output(json_file, timed_rounds, ["--json"]))
            table.append(cli_output(json_file, timed_rounds, []))
    print("trace size: rounds x gather(10 GETs to /delay/0.005), https, shared client")
    per_request: dict[int, float] = {}
    for rounds, (size, requests, events) in sizes.items():
        per_request[rounds] = size / max(requests, 1)
        verdict = "met" if per_request[rounds] <= TARGET_BYTES_PER_REQUEST else "MISSED"
        cap = f", the request cap kept {requests} of {rounds * 10}" if rounds == AT_CAP else ""
        print(
            f"  {rounds:3d} rounds: {requests:5d} requests, {events:6d} events,"
            f" {size / 1e6:6.2f} MB JSON, {per_request[rounds] / 1024:5.2f} KB per request"
            f"  (target <= 5 KB: {verdict}){cap}"
        )
    below = [rounds for rounds in ROUNDS if rounds != AT_CAP]
    for small, large in itertools.pairwise(below):
        more_json = sizes[large][0] / sizes[small][0]
        more_requests = sizes[large][1] / sizes[small][1]
        print(
            f"  growth {small}->{large} rounds: {more_requests:.2f}x the requests gives"
            f" {more_json:.2f}x the JSON ({more_json / more_requests:.2f} of linear;"
            " 1.00 is exactly linear)"
        )
    for name, (plain, whole) in timings.items():
        plain_ms, cli_ms = statistics.median(plain), statistics.median(whole)
        ratio = cli_ms / plain_ms
        verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
        print(
            f"  whole CLI run at {timed_rounds} rounds of {name}, --json and --perfetto"
            f" ({export_bytes} B export):"
        )
        print(f"    untraced run median {plain_ms:8.0f} ms   (all: {_list(plain)})")
        print(f"    CLI run median      {cli_ms:8.0f} ms   (all: {_list(whole)})")
        print(f"    ratio CLI/untraced: {ratio:.2f}x  (target <= {TARGET_RATIO}x: {verdict})")
    json_ms, table_ms = statistics.median(as_json), statistics.median(table)
    ratio = table_ms / json_ms
    verdict = "met" if ratio <= TARGET_TABLE_RATIO else "MISSED"
    print(f"  the CLI's table at {timed_rounds} rounds of /json, against its --json:")
    print(f"    --json median       {json_ms:8.0f} ms   (all: {_list(as_json)})")
    print(f"    table median        {table_ms:8.0f} ms   (all: {_list(table)})")
    print(f"    ratio table/--json: {ratio:.2f}x  (target <= {TARGET_TABLE_RATIO}x: {verdict})")


def _list(values: list[float]) -> str:
    return ", ".join(f"{value:.0f}" for value in values)


if __name__ == "__main__":
    main()
