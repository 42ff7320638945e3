"""Liveness for process managers and the browser tests."""

from __future__ import annotations

from fastapi import APIRouter, Request

router = APIRouter()


@router.get("/healthz", name="healthz", include_in_schema=True)
async def healthz(request: Request) -> dict[str, object]:
    return {"status": "ok", "lessons": len(request.app.state.lessons)}
