"""The host as a root server's sandbox user sees it: a private mount namespace where it can
reach the folders bwrap binds, with no permission changed on the host.

    blocked = blocked_folders(user, folders)   # [Path("/root")] for a Python under /root
    view = open_view(user, folders)            # None when nothing is in the way
    # nsenter --mount=/proc/self/fd/{view} --setuid ... -- bwrap ...

A root server drops to an unprivileged account before bwrap (``visualizer.pool.sandbox``), and
bwrap, as that account, must walk to every folder it binds: the Python prefix, the venv, the
checkout's package. A Python under ``/root`` (pyenv installs it there) sits behind a 0700
folder. bwrap's ``--ro-bind-fd`` does not help: bwrap 0.8 turns the descriptor back into its
path (``realpath("/proc/self/fd/N")``) and walks that, as the unprivileged account, and fails
with "Permission denied".

So the server makes, once per process, a mount namespace of its own: a copy of the host's
mounts (a slave: nothing done in it reaches the host), where each folder the account may not
search is covered by a small read-only tmpfs (0755) that holds only the way down to the bound
folders, each of them a bind mount of the real one, opened by root before the cover went on.
bwrap is started inside it (``nsenter --mount``) as the unprivileged account, walks the same
paths as on the host, and binds the same folders: the run sees nothing else of ``/root``. The
namespace lives as long as the server holds its descriptor; the helper that made it exits.
The files themselves must still be readable by the account (pip, pyenv and git make them
0644/0755): a folder bound but not readable is named, with its fix, as the reason the sandbox
is off.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

_HELPER_TIMEOUT_S = 20.0
_CLONE_NEWNS = 0x00020000
_MS_RDONLY = 0x1
_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_REMOUNT = 0x20
_MS_BIND = 0x1000
_MS_REC = 0x4000
_MS_SLAVE = 0x80000


class Account(Protocol):
    """Who must reach the folders (``visualizer.pool.sandbox.SandboxUser``)."""

    @property
    def uid(self) -> int: ...

    @property
    def gid(self) -> int: ...


class ViewUnavailable(Exception):
    """The private view cannot be made here (the message says why and what to do)."""


def _may(info: os.stat_result, account: Account, bits: int) -> bool:
    """Whether ``account`` has ``bits`` (of ``r=4 w=2 x=1``) by the mode (ACLs not read)."""
    if info.st_uid == account.uid:
        return bool(info.st_mode & (bits << 6))
    if info.st_gid == account.gid:
        return bool(info.st_mode & (bits << 3))
    return bool(info.st_mode & bits)


def blocked_folders(account: Account, folders: list[Path]) -> list[Path]:
    """The folders on the way to ``folders`` (not the folders themselves) that ``account``
    may not search, outermost first."""
    blocked: list[Path] = []
    for folder in folders:
        for step in reversed(folder.parents):
            if not _may(step.stat(), account, 1) and step not in blocked:
                blocked.append(step)
    return sorted(blocked, key=lambda path: len(path.parts))


def unreadable(account: Account, folders: list[Path]) -> list[Path]:
    """Of ``folders``, those ``account`` cannot list and enter (no view can fix those)."""
    return [folder for folder in folders if not _may(folder.stat(), account, 5)]


def covers(blocked: list[Path]) -> list[Path]:
    """The folders to cover: the outermost blocked ones (what is inside a cover is rebuilt)."""
    outer: list[Path] = []
    for folder in blocked:
        if not any(folder.is_relative_to(cover) for cover in outer):
            outer.append(folder)
    return outer


def open_view(account: Account, folders: list[Path]) -> int | None:
    """A descriptor of a mount namespace where ``account`` reaches ``folders`` (see the module
    docstring); ``None`` when it reaches them on the host already. Must run as root."""
    outer = covers(blocked_folders(account, folders))
    if not outer:
        return None
    if Path("/") in outer:
        raise ViewUnavailable("the root folder / is not searchable by the sandbox user")
    hidden = [folder for folder in folders if any(folder.is_relative_to(c) for c in outer)]
    argv = [sys.executable, "-I", "-S", __file__, os.pathsep.join(map(str, outer))]
    helper = subprocess.Popen(
        [*argv, *map(str, hidden)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd="/",
    )
    view: int | None = None
    try:
        assert helper.stdout is not None
        if helper.stdout.readline().strip() == b"ready":
            view = os.open(f"/proc/{helper.pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        try:  # closes its stdin: it exits
            _out, said = helper.communicate(timeout=_HELPER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            helper.kill()
            _out, said = helper.communicate()
    if view is None:
        lines = said.decode("utf-8", "replace").strip().splitlines() or ["no reason given"]
        raise ViewUnavailable(lines[-1][:200])
    return view


def _call(result: int, what: str) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"{what}: {os.strerror(number)}")


def _make_view(outer: list[str], folders: list[str]) -> None:
    """The helper (single-threaded, as root): a slave mount namespace, each of ``outer``
    covered by a tmpfs holding only the way to ``folders``, each bound from its original."""
    libc = ctypes.CDLL(None, use_errno=True)
    _call(libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _call(libc.mount(None, b"/", None, _MS_REC | _MS_SLAVE, None), "making / a slave")
    opened = {folder: os.open(folder, os.O_PATH | os.O_DIRECTORY) for folder in folders}
    flags = _MS_NOSUID | _MS_NODEV
    for cover in outer:
        options = b"mode=0755,size=64k,nr_inodes=256"
        _call(libc.mount(b"loopscope", cover.encode(), b"tmpfs", flags, options), f"tmpfs {cover}")
    os.umask(0o022)
    for folder, fd in opened.items():
        os.makedirs(folder, exist_ok=True)
        source = f"/proc/self/fd/{fd}".encode()  # the magic link: no walk through the cover
        _call(libc.mount(source, folder.encode(), None, _MS_BIND | _MS_REC, None), f"{folder}")
        os.close(fd)
    for cover in outer:  # the skeleton is done: nothing more is written to it
        remount = _MS_REMOUNT | _MS_RDONLY | flags
        _call(libc.mount(None, cover.encode(), None, remount, None), f"read-only {cover}")


if __name__ == "__main__":  # the helper: python -I -S sandbox_view.py COVERS FOLDER...
    try:
        _make_view(sys.argv[1].split(os.pathsep), sys.argv[2:])
    except OSError as error:
        print(f"a private view for the sandbox user cannot be made: {error}", file=sys.stderr)
        sys.exit(1)
    print("ready", flush=True)
    sys.stdin.read()  # the namespace lives while the server opens it; then this exits
