"""Limits on anything that starts a run, per learner and per client address, counted by the
`limits` library.

    limiter = RunLimiter("12/minute", per_address="60/minute")
    decision = await limiter.take(learner="3f…", address="203.0.113.7")
    decision.allowed, decision.retry_after_s      # False, 37: wait 37 s

A moving window: at most N runs in any window of the given length, so a burst at the edge of
one minute cannot be followed at once by another. A run counts against both the learner (the
id in the signed cookie) and the client address (``loopscope.caller.address_key``: behind a
trusted proxy, the forwarded address), and is allowed only when both have room, so fetching a
fresh cookie for every run does not reset anything: the address's count still holds. The
address's rate is higher than a learner's, since a classroom may share one address. A refused
run counts against neither. Counts live in this process by default; several processes share
them through Redis (``Settings.run_rate_storage``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    retry_after_s: int = 0


class RunLimiter:
    """Counts runs per learner and per address; ``take`` counts one where both allow it."""

    def __init__(
        self, rate: str, storage_url: str = "async+memory://", *, per_address: str | None = None
    ) -> None:
        self.rate = parse(rate)
        self.address_rate = parse(per_address) if per_address is not None else None
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_url))

    def _limits(self, learner: str, address: str) -> list[tuple[RateLimitItem, str]]:
        found = [] if not learner else [(self.rate, f"learner:{learner}")]
        if self.address_rate is not None:
            found.append((self.address_rate, f"addr:{address}"))
        elif not learner:  # no learner, no address rate: the address gets a learner's rate
            found.append((self.rate, f"addr:{address}"))
        return found

    async def take(self, *, learner: str, address: str) -> RateDecision:
        limits = self._limits(learner, address)
        waits = [await self._refused_for(rate, key) for rate, key in limits]
        if any(waits):
            return RateDecision(allowed=False, retry_after_s=max(waits))
        for rate, key in limits:
            if not await self._limiter.hit(rate, "runs", key):  # raced: another run came first
                return RateDecision(allowed=False, retry_after_s=await self._refused_for(rate, key))
        return RateDecision(allowed=True)

    async def _refused_for(self, rate: RateLimitItem, key: str) -> int:
        """0 when ``key`` has room under ``rate``; else seconds until it has."""
        if await self._limiter.test(rate, "runs", key):
            return 0
        stats = await self._limiter.get_window_stats(rate, "runs", key)
        return max(1, math.ceil(stats.reset_time - time.time()))


def too_many_runs_message(retry_after_s: int) -> str:
    return f"Too many runs: wait {retry_after_s} s, then try again."
