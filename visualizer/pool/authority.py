"""The local certificate authority behind the demo upstream's TLS (made with trustme).

Key generation is the slow part, so it happens once per engine or parent process; workers get
PEM file paths. The leaf certificate covers ``example.com`` and ``*.example.com``.

The files live in a folder only this user can enter (0700; the key itself 0600). The server
removes it at shutdown (``discard_default_authority``), and an exit handler removes it for any
other process that made one.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Authority:
    """PEM files: the CA certificate to trust and the server's certificate chain and key."""

    ca_pem: Path
    cert_pem: Path
    key_pem: Path


def authority_files(directory: Path) -> Authority:
    """Where an authority's files are (or will be) in ``directory``."""
    return Authority(directory / "ca.pem", directory / "server.pem", directory / "server.key")


def create_authority(directory: Path) -> Authority:
    """Generate a CA and a server certificate for the demo domain into ``directory``."""
    import trustme  # here, not at the top: workers import this package but never need it

    ca = trustme.CA(organization_name="loopscope demo authority")
    leaf = ca.issue_cert("example.com", "*.example.com")
    files = authority_files(directory)
    ca.cert_pem.write_to_path(str(files.ca_pem))
    files.cert_pem.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    files.key_pem.touch(mode=0o600)
    leaf.private_key_pem.write_to_path(str(files.key_pem))
    files.key_pem.chmod(0o600)
    return files


class _Default:
    """This process's folder and authority. Runs start from several threads at once (the
    trace command makes the authority while its worker imports), so both are made under one
    lock, and no caller sees the folder's files before they are whole."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.folder: Path | None = None
        self.authority: Authority | None = None


_default = _Default()


def default_folder() -> Path:
    """The private temporary folder (0700) of this process's authority, made on first use."""
    with _default.lock:
        if _default.folder is None:
            directory = Path(tempfile.mkdtemp(prefix="loopscope-ca-"))
            directory.chmod(0o700)
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            _default.folder = directory
        return _default.folder


def default_authority() -> Authority:
    """This process's authority, created on first use in ``default_folder()``; a caller
    waits while another thread makes it."""
    with _default.lock:
        if _default.authority is None:
            _default.authority = create_authority(default_folder())
        return _default.authority


def discard_default_authority() -> None:
    """Remove this process's authority and its folder, if one was made; the next use of
    ``default_authority`` makes a new one."""
    with _default.lock:
        if _default.folder is not None:
            shutil.rmtree(_default.folder, ignore_errors=True)
        _default.folder = None
        _default.authority = None
