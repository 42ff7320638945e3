"""``/favicon.ico``: the site's icon where browsers and tools look for it without a <link>.

Pages name ``static/favicon.svg`` in their <head>; this address answers with the same mark as
an ICO (one 32x32 PNG inside), cached for a day.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter
from starlette.responses import FileResponse

router = APIRouter(include_in_schema=False)

ICON: Final = Path(__file__).resolve().parents[3] / "static" / "favicon.ico"


@router.get("/favicon.ico", name="favicon")
async def favicon() -> FileResponse:
    cache = {"Cache-Control": "public, max-age=86400"}
    return FileResponse(ICON, media_type="image/vnd.microsoft.icon", headers=cache)
