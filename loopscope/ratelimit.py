"""Per-learner limits on anything that starts a run, counted by the `limits` library.

    limiter = RunLimiter("12/minute")
    verdict = await limiter.take("learner-id")
    verdict.allowed, verdict.retry_after_s      # False, 37: wait 37 s

A moving window: at most N runs in any window of the given length, so a burst at the edge of
one minute cannot be followed at once by another. The key is the learner's id from the signed
cookie; a request without a valid cookie is counted by its client address instead, so dropping
the cookie does not reset the count. Counts live in this process by default; several processes
share them through Redis (``Settings.run_rate_storage``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.requests import Request

from loopscope.learner import Learner


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0


class RunLimiter:
    """Counts runs per key; ``take`` counts one and says whether it was allowed."""

    def __init__(self, rate: str, storage_url: str = "async+memory://") -> None:
        self.rate = parse(rate)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))

    async def take(self, key: str) -> Verdict:
        if await self._limiter.hit(self.rate, "runs", key):
            return Verdict(allowed=True)
        stats = await self._limiter.get_window_stats(self.rate, "runs", key)
        return Verdict(
            allowed=False, retry_after_s=max(1, math.ceil(stats.reset_time - time.time()))
        )


def run_key(request: Request, learner: Learner) -> str:
    """Whose runs these are: the learner, or the client address for a cookieless request."""
    if not learner.is_new:
        return f"learner:{learner.id}"
    client = request.client
    return f"addr:{client.host if client is not None else 'unknown'}"


def too_many_runs_message(retry_after_s: int) -> str:
    return f"Too many runs: wait {retry_after_s} s, then try again."
