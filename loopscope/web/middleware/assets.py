"""Static files with content-hashed URLs and long-lived caching.

Starlette's StaticFiles sends an ETag but no Cache-Control. ``static_url("app.css")`` gives
``/static/app.css?v=<hash of the file>``; a request that carries the current hash is cached for a
year (the URL changes with the content), anything else must revalidate.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def file_hashes(directory: Path) -> dict[str, str]:
    """Relative POSIX path -> first 12 hex digits of the SHA-256 of the file."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


class HashedStaticFiles(StaticFiles):
    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        self.hashes = file_hashes(directory)

    def url_path(self, path: str) -> str:
        """The versioned path below the mount point; an unknown file is a programming error."""
        return f"{path}?v={self.hashes[path]}"

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        version = Request(scope).query_params.get("v")
        current = self.hashes.get(Path(path).as_posix())
        fresh = version is not None and version == current and response.status_code == 200
        response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
        return response
