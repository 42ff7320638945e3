"""The second round of attacks (issue 14), each run for real in bwrap as learner code, and
each contained: denied system calls, keyrings, memory the RSS does not show, the inode flood,
inotify quotas, what PID 1 shows, and the host uid the sandbox maps to."""

import ast
import ctypes
import os
import secrets
import sys
from pathlib import Path
from unittest import mock

import pytest
from tracesamples import SAMPLES

from visualizer import Limits, Trace, TraceLimitExceeded, TraceRequest, run_trace, sandbox_status
from visualizer.pool.guard import MAX_FILES, protection
from visualizer.pool.sandbox import sandbox_user

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sandbox_status().available, reason=f"no sandbox here: {sandbox_status().reason}"
    ),
]
ATTACKS = SAMPLES / "attacks.py"
LIMITS = Limits(wall_s=10.0, max_output_bytes=64_000)  # generous: the machine is shared
CHECKOUT = Path(__file__).resolve().parents[2]
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def learner_run(call: str, limits: Limits = LIMITS) -> Trace:
    return run_trace(TraceRequest(ATTACKS, call, limits=limits, origin="learner"))


def result_of(call: str) -> object:
    trace = learner_run(call)
    assert trace.error is None, trace.error
    assert trace.result is not None
    return ast.literal_eval(trace.result)  # the run's own repr of a dict or a string


def test_each_denied_call_fails_inside_as_if_the_kernel_had_none() -> None:
    got = result_of("denied_calls()")
    assert isinstance(got, dict)
    assert len(got) == 27
    assert {name: answer for name, answer in got.items() if answer != "ENOSYS"} == {}


def test_only_unix_and_ip_sockets_can_be_opened() -> None:
    assert result_of("socket_families()") == {
        "AF_UNIX": "ok",
        "AF_INET": "ok",
        "AF_INET6": "ok",
        "AF_NETLINK": "EAFNOSUPPORT",
        "AF_VSOCK": "EAFNOSUPPORT",
        "AF_PACKET": "EAFNOSUPPORT",
    }


def test_threads_pipes_and_socket_pairs_still_work() -> None:
    assert result_of("threads_and_pipes()") == "thread pipe pair"


def test_the_canonical_lesson_example_still_traces_under_the_filter() -> None:
    canonical = SAMPLES / "canonical.py"
    call = 'fetch_data("https://api.example.com/data")'
    trace = run_trace(TraceRequest(canonical, call, origin="learner"))
    assert trace.error is None
    assert trace.stopped is None
    assert len(trace.steps) == 7


def _add_host_key(description: bytes, payload: bytes) -> int:
    """A key in this (host) user's keyring, as host root would plant it."""
    key = _libc.syscall(248, b"user", description, payload, len(payload), -4)  # add_key, @u
    assert key > 0, os.strerror(ctypes.get_errno())
    return int(key)


def test_the_hosts_keys_are_out_of_reach_and_nothing_can_be_planted() -> None:
    secret = f"key-{secrets.token_hex(8)}"
    key = _add_host_key(b"loopscope-test", secret.encode())
    try:
        got = result_of(f"keyring({secret!r})")
    finally:
        _libc.syscall(250, 21, key)  # keyctl(KEYCTL_INVALIDATE, key)
    assert got == "keys:'' plant:ENOSYS secret:False"


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid drop applies to a root server")
def test_the_sandbox_maps_to_the_unprivileged_sandbox_user_not_host_root() -> None:
    user = sandbox_user()
    assert user is not None
    assert user.uid != 0
    got = result_of("pid_one()")
    assert isinstance(got, dict)
    assert got["uid_map"].split() == ["65534", str(user.uid), "1"]
    assert got["gid_map"].split() == ["65534", str(user.gid), "1"]


def test_pid_one_shows_no_host_path_path_or_working_folder() -> None:
    got = result_of("pid_one()")
    assert isinstance(got, dict)
    shown = got["cmdline"] + got["environ"] + got["cwd"]
    for host in {str(CHECKOUT), str(Path.cwd()), os.path.realpath(sys.prefix), "/root"}:
        assert host not in shown
    assert "PATH=" not in got["environ"]
    assert got["cmdline"].startswith("/usr/bin/bwrap --args ")


def test_memfd_and_shared_memory_cannot_hold_memory_unseen() -> None:
    # memfd_create is denied; /dev/shm, the fallback, is a 4 MB tmpfs: the 16 MB a file wants
    # is refused (the attack held 3,040 MB this way while RSS read 38 MB)
    assert result_of("memfd_hoard(190)") == "0 files, then ENOSPC"
    assert result_of("tmp_hoard(64)") == "31 MB, then ENOSPC"


def test_an_inode_flood_is_stopped_at_the_file_cap() -> None:
    with pytest.raises(TraceLimitExceeded, match=f"more than {MAX_FILES} files") as stopped:
        learner_run("inode_flood(400_000)", Limits(wall_s=20.0))
    assert stopped.value.limit == "memory"


def test_inotify_instances_are_refused_so_no_quota_is_shared() -> None:
    assert result_of("inotify_hoard()") == "0 instances"
    fd = _libc.syscall(294, 0)  # the host user's inotify still works
    assert fd >= 0
    os.close(fd)


@pytest.mark.skipif("memory cgroup" not in protection(), reason="no memory cgroup here")
def test_memory_held_by_many_processes_is_counted_together() -> None:
    """Four processes of 400 MB each stay under each one's address-space limit; the run's
    memory cgroup counts their sum."""
    with pytest.raises(TraceLimitExceeded, match="more than 1024 MB") as stopped:
        learner_run("fork_hoard(4, 400)", Limits(wall_s=25.0))
    assert stopped.value.limit == "memory"


def test_without_a_memory_cgroup_the_sample_counts_what_the_tmpfs_holds() -> None:
    """Files in /tmp are memory no process's RSS shows. With the memory allowance set between
    a run's resident memory (about 45 MB) and that plus 30 MB of files, the sample stops it."""
    allowance = 60 * 1024**2
    with (
        mock.patch("visualizer.pool.guard._memory_cgroup", return_value=None),
        mock.patch("visualizer.pool.guard.MAX_RSS_BYTES", allowance),
    ):
        assert learner_run("tmp_hoard(0, 2.0)").result == "'0 MB'"
        with pytest.raises(TraceLimitExceeded, match="more than 60 MB") as stopped:
            learner_run("tmp_hoard(30, 5.0)")
    assert stopped.value.limit == "memory"
