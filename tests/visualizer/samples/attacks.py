"""The second round of attacks from inside a traced run (issue 14). Each coroutine returns
what it got, so a test can assert the attack was contained."""

import asyncio
import contextlib
import ctypes
import errno
import os
import socket
import time

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _descriptors() -> list[int]:
    return sorted(int(name) for name in os.listdir("/proc/self/fd") if int(name) > 2)


async def flood_reply() -> None:
    """Write to every descriptor past stdio without end: the reply pipe among them."""
    chunk = b"Z" * 65536
    fds = _descriptors()
    while True:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.write(fd, chunk)


async def flood_stdio() -> None:
    """Write to stdout, stderr and stdin (and print) without end."""
    chunk = b"Z" * 65536
    while True:
        for fd in (0, 1, 2):
            with contextlib.suppress(OSError):
                os.write(fd, chunk)
        print("Z" * 1000)


async def stall_midway(megabytes: int) -> None:
    """Write ``megabytes`` to every descriptor past stdio, a reply's size, then hang."""
    chunk = b"Z" * (1024**2)
    for fd in _descriptors():
        for _ in range(megabytes):
            try:
                os.write(fd, chunk)
            except OSError:
                break
    _hang()


def _hang() -> None:
    """Block the loop for ever, in a way no await ends (as a stuck C call would)."""
    while True:
        time.sleep(1)


def _syscall(number: int, *args: int) -> str:
    """A raw system call: "ok" or the errno's name."""
    result = _libc.syscall(number, *(ctypes.c_long(a) for a in args))
    if result >= 0:
        return "ok"
    return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))


# x86_64 numbers of the calls the filter must deny (asm/unistd_64.h)
DENIED = {
    "keyctl": 250,
    "add_key": 248,
    "request_key": 249,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "userfaultfd": 323,
    "bpf": 321,
    "perf_event_open": 298,
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kexec_load": 246,
    "kexec_file_load": 320,
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "move_mount": 429,
    "open_tree": 428,
    "fsopen": 430,
    "unshare": 272,
    "setns": 308,
    "memfd_create": 319,
    "inotify_init1": 294,
}


async def denied_calls() -> dict[str, str]:
    """Each call the filter denies, tried with harmless arguments: what each returned."""
    got = {name: _syscall(number, 0, 0, 0, 0, 0, 0) for name, number in DENIED.items()}
    await asyncio.sleep(0)
    return got


async def socket_families() -> dict[str, str]:
    """Which socket families can be opened."""
    got = {}
    for name in ("AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_VSOCK", "AF_PACKET"):
        family = getattr(socket, name)
        kind = socket.SOCK_RAW if name in ("AF_NETLINK", "AF_PACKET") else socket.SOCK_STREAM
        try:
            socket.socket(family, kind).close()
            got[name] = "ok"
        except OSError as error:
            got[name] = errno.errorcode.get(error.errno or 0, str(error.errno))
    await asyncio.sleep(0)
    return got


async def keyring(secret: str) -> str:
    """Read every key this process can reach, then plant one in the user keyring."""
    found = _read("/proc/keys")
    planted = _syscall(248, 0, 0, 0, 0, 0, 0)
    await asyncio.sleep(0)
    return f"keys:{found!r} plant:{planted} secret:{secret in found}"


async def memfd_hoard(count: int) -> str:
    """Fill memfd files (or, where those are denied, files in /dev/shm) and never map them."""
    held = []
    block = b"M" * (1024**2)
    for index in range(count):
        try:
            fd = os.memfd_create(f"hoard{index}")
        except OSError:
            try:
                fd = os.open(f"/dev/shm/hoard{index}", os.O_CREAT | os.O_RDWR, 0o600)
            except OSError as error:
                return f"{len(held)} files, then {errno.errorcode.get(error.errno or 0)}"
        try:
            for _ in range(16):
                os.write(fd, block)
        except OSError as error:
            return f"{len(held)} files, then {errno.errorcode.get(error.errno or 0)}"
        held.append(fd)
    await asyncio.sleep(0)
    return f"{len(held)} files"


async def tmp_hoard(megabytes: int, hold_s: float = 0.0) -> str:
    """Write ``megabytes`` of files into the scratch tmpfs, and hold them ``hold_s``."""
    written = 0
    try:
        for index in range(megabytes):
            _fill(f"/tmp/hoard{index}", 1024**2)
            written += 1
    except OSError as error:
        return f"{written} MB, then {errno.errorcode.get(error.errno or 0)}"
    await asyncio.sleep(hold_s)
    return f"{written} MB"


def _fill(path: str, size: int) -> None:
    with open(path, "wb") as handle:
        handle.write(b"T" * size)


async def inode_flood(count: int) -> str:
    """Make ``count`` empty folders in the scratch tmpfs."""
    made = 0
    try:
        for index in range(count):
            os.mkdir(f"/tmp/d{index}")
            made += 1
    except OSError as error:
        return f"{made} folders, then {errno.errorcode.get(error.errno or 0)}"
    await asyncio.sleep(0)
    return f"{made} folders"


async def inotify_hoard() -> str:
    """Take inotify instances until refused (the per-user quota is 128)."""
    made = 0
    while made < 200:
        if _syscall(294, 0) != "ok":
            break
        made += 1
    await asyncio.sleep(0)
    return f"{made} instances"


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(20000).decode("latin-1")
    except OSError as error:
        return type(error).__name__


async def pid_one() -> dict[str, str]:
    """What the sandbox's PID 1 and this process show of the host."""
    got = {
        "cmdline": _read("/proc/1/cmdline").replace("\0", " "),
        "environ": _read("/proc/1/environ").replace("\0", " "),
        "uid_map": _read("/proc/self/uid_map"),
        "gid_map": _read("/proc/self/gid_map"),
    }
    try:
        got["cwd"] = os.readlink("/proc/1/cwd")
    except OSError as error:
        got["cwd"] = type(error).__name__
    await asyncio.sleep(0)
    return got


async def threads_and_pipes() -> str:
    """What the runner itself needs: a thread, a pipe, a socket pair, the loop's executor."""
    loop = asyncio.get_running_loop()
    done = await loop.run_in_executor(None, lambda: "thread")
    read_end, write_end = os.pipe()
    os.write(write_end, b"pipe")
    piped = os.read(read_end, 4).decode()
    left, right = socket.socketpair()
    left.send(b"pair")
    paired = right.recv(4).decode()
    for closing in (left, right):
        closing.close()
    return f"{done} {piped} {paired}"


async def fork_hoard(children: int, megabytes: int) -> str:
    """``children`` processes, each holding ``megabytes`` (each under its own address-space
    limit; only their sum is too much)."""
    for _ in range(children):
        if os.fork() == 0:
            held = bytearray(megabytes * 1024**2)
            held[::4096] = b"x" * len(held[::4096])
            _hang()
    await asyncio.sleep(30)
    return "still running"
