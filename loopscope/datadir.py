"""The data folder is private: 0700, and every file in it 0600, whoever made it and when.

    secure_data_dir(settings.data_dir)   # creates it, or tightens what is already there

It holds the SQLite database (with its ``-wal``, ``-shm`` and ``-journal`` files), the secret
that signs learner cookies and the sources of recorded runs: nothing another local user may
read. A folder made by an older loopscope (0755, files 0644) is tightened at start-up: those
files, and ``sources/`` with everything under it (call it in a thread: it may hold many runs).
Only loopscope's own names are touched, in case the setting points at a folder shared with
other things. SQLite gives its ``-wal`` and
``-shm`` files the database file's mode, so the database is made 0600 before SQLite opens it.
New files are created with these modes directly (``private_file``, ``private_dir``), never
created wide and narrowed after.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

DIR_MODE: Final = 0o700
FILE_MODE: Final = 0o600
DATABASE_FILE: Final = "loopscope.sqlite3"
KEY_FILE: Final = "secret.key"
SOURCES: Final = "sources"
_DATABASE_FILES: Final = tuple(
    DATABASE_FILE + suffix for suffix in ("", "-wal", "-shm", "-journal")
)


def private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents as 0700; an existing ``path`` is made 0700."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    _tighten(path, DIR_MODE)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new or existing file that is 0600 from its first byte."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    _tighten(path, FILE_MODE)


def secure_data_dir(data_dir: Path, *, embedded_database: bool = True) -> None:
    """Make ``data_dir`` 0700, and loopscope's files in it 0600 (folders under ``sources/``
    0700). ``embedded_database``: create the SQLite file (empty, 0600) if it is not there, so
    SQLite never makes it, or its ``-wal`` and ``-shm``, readable by others."""
    private_dir(data_dir)
    database = data_dir / DATABASE_FILE
    if embedded_database and not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    for name in (*_DATABASE_FILES, KEY_FILE):
        _tighten(data_dir / name, FILE_MODE)
    sources = data_dir / SOURCES
    if sources.is_dir() and not sources.is_symlink():
        _tighten(sources, DIR_MODE)
        for root, dirs, files in os.walk(sources):
            for name in dirs:
                _tighten(Path(root) / name, DIR_MODE)
            for name in files:
                _tighten(Path(root) / name, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    try:
        found = path.lstat()
    except FileNotFoundError:  # removed meanwhile (a run's temporary file)
        return
    if stat.S_ISLNK(found.st_mode):
        return  # never follow a link out of the folder
    if stat.S_IMODE(found.st_mode) != mode:
        path.chmod(mode)
