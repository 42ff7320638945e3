"""Liveness for process managers and the browser tests."""

from __future__ import annotations

from fastapi import APIRouter

from loopscope.web.deps import ServicesDep

router = APIRouter()


@router.get("/healthz", name="healthz", include_in_schema=True)
async def healthz(services: ServicesDep) -> dict[str, object]:
    return {"status": "ok", "lessons": len(services.lessons)}
