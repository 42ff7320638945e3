"""The system calls a sandboxed run may not make: a seccomp filter for bwrap's ``--seccomp``.

    program = filter_program()      # compiled BPF, built once with libseccomp

The filter allows everything else (a run is ordinary Python: threads, pipes, sockets, files)
and answers a denied call with ``ENOSYS``, as if the kernel had no such call: libraries then
take their fallback (io_uring, memfd, inotify users do). Socket families other than
``AF_UNIX``, ``AF_INET`` and ``AF_INET6`` get ``EAFNOSUPPORT``. A call made through another
architecture's entry point (x86's ``int 0x80`` on x86_64) kills the process: libseccomp's
default for a foreign architecture.

Denied, and why: the kernel keyrings (``keyctl``, ``add_key``, ``request_key``: shared by all
processes of one host uid, a channel between runs), io_uring (a second syscall interface),
``userfaultfd``, ``bpf``, ``perf_event_open``, ``ptrace`` and ``process_vm_*`` (reading other
processes), ``kexec_*`` and the module calls, the mount family, ``unshare`` and ``setns``
(namespaces; ``clone`` with ``CLONE_NEWUSER`` too, and ``clone3``, whose flags a filter cannot
read), ``memfd_create``/``memfd_secret`` and SysV ``shmget`` (memory no process maps,
so no RSS sample sees it), ``inotify_init*`` and ``fanotify_init`` (per-user quotas shared
with the host user), and a few calls that only an administrator needs.

The filter is built with libseccomp (PyPI ``pyseccomp`` over Debian's ``libseccomp2``), never
assembled by hand.
"""

from __future__ import annotations

import errno
import socket
import tempfile
from functools import cache

DENIED_CALLS = (
    "keyctl",
    "add_key",
    "request_key",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "bpf",
    "perf_event_open",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "unshare",
    "setns",
    "memfd_create",
    "memfd_secret",
    "shmget",
    "inotify_init",
    "inotify_init1",
    "fanotify_init",
    "open_by_handle_at",
    "name_to_handle_at",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "quotactl",
    "syslog",
    "lookup_dcookie",
    "iopl",
    "ioperm",
    "vhangup",
)
ALLOWED_FAMILIES = (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6)
_CLONE_NEWUSER = 0x10000000
_MAX_FAMILY = 64  # AF_MAX is 46 on Linux 6.x; every number up to here is checked


class SeccompUnavailable(Exception):
    """libseccomp cannot be loaded here (the message says what to install)."""


@cache
def filter_program() -> bytes:
    """The compiled BPF program, for ``bwrap --seccomp FD``; ``SeccompUnavailable`` where
    libseccomp is missing."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as error:
        raise SeccompUnavailable(
            f"libseccomp cannot be loaded ({error}); install Debian's libseccomp2"
            " and the pyseccomp package"
        ) from None
    denied = seccomp.ERRNO(errno.ENOSYS)
    program = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in DENIED_CALLS:
        try:
            program.add_rule(denied, name)
        except (ValueError, RuntimeError, OSError):
            continue  # a call this libseccomp does not know of: the kernel has none either
    refused = seccomp.ERRNO(errno.EAFNOSUPPORT)
    for family in range(_MAX_FAMILY):
        if family not in ALLOWED_FAMILIES:
            for call in ("socket", "socketpair"):
                program.add_rule(refused, call, seccomp.Arg(0, seccomp.EQ, family))
    for call in ("socket", "socketpair"):
        program.add_rule(refused, call, seccomp.Arg(0, seccomp.GE, _MAX_FAMILY))
    # No new user namespace: clone with CLONE_NEWUSER is refused, and clone3 (whose flags a
    # filter cannot read) answers ENOSYS, so the C library falls back to clone.
    program.add_rule(
        seccomp.ERRNO(errno.EPERM),
        "clone",
        seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_NEWUSER, _CLONE_NEWUSER),
    )
    program.add_rule(denied, "clone3")
    with tempfile.TemporaryFile() as compiled:
        program.export_bpf(compiled)
        compiled.seek(0)
        return compiled.read()
