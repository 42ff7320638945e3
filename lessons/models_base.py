"""The base every lesson record shares: frozen, unknown keys forbidden."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

Markdown = str
ItemId = str  # [a-z0-9-]+, unique within its lesson


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
