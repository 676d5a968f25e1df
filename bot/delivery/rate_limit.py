"""Pacing for one account: a token bucket with jitter, and a slow-down when the platform
complains.

The bucket is pure: it reads an injected clock and says how long to wait; the sender does the
waiting. Two properties matter and are pinned by tests:

- **No window is too busy.** A token is taken at the moment of each send and the bucket never
  holds more than ``burst`` tokens, so any window of T seconds holds at most
  ``burst + per_minute * T / 60`` sends, jitter or not.
- **Jitter does not slow the long run.** A send waits for its token and then a random extra
  ``0..jitter_seconds``; tokens keep accruing during that extra wait, so the next send's wait is
  that much shorter. Gaps look irregular to WeChat, yet N messages still take about
  ``(N - burst) / rate``.

When WeChat answers 操作过于频繁 (or WeCom 45009) the account's rate is halved for a cool-down
window and any saved-up burst is dropped; each quiet window after that doubles it back.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config.models import Rate

COOLDOWN_SECONDS = 600.0  # WeChat's "too frequent" state typically lasts minutes
MIN_FACTOR = 1 / 16  # however often we are told off, keep trickling (12/min → 0.75/min)


class TokenBucket:
    def __init__(self, rate: Rate, clock: Clock, *, rng: random.Random | None = None,
                 cooldown_seconds: float = COOLDOWN_SECONDS, min_factor: float = MIN_FACTOR
                 ) -> None:
        self.rate = rate
        self._clock = clock
        self._rng = rng or random.Random()
        self._cooldown = timedelta(seconds=cooldown_seconds)
        self._min_factor = min_factor
        self._tokens = float(rate.burst)  # may go slightly negative: a debt paid before next
        self._stamp = clock.now()
        self._factor = 1.0
        self._calm_at: datetime | None = None  # end of the current slow-down window
        self._next_at: datetime | None = None  # planned time of the next send, jitter included

    @property
    def factor(self) -> float:
        """The share of the configured rate currently allowed (1 normally, 1/2… when slowed)."""
        self._advance(self._clock.now())
        return self._factor

    @property
    def per_minute(self) -> float:
        return self.rate.per_minute * self.factor

    def wait_seconds(self) -> float:
        """Seconds until the next send may go (0: now). The jitter is drawn once per send."""
        now = self._clock.now()
        self._advance(now)
        if self._next_at is None:
            deficit = max(0.0, 1.0 - self._tokens)
            # round up to the microsecond so a caller that waits exactly this long finds a token
            token_at = now + timedelta(microseconds=math.ceil(deficit / self._per_second() * 1e6))
            jitter = self._rng.uniform(0.0, self.rate.jitter_seconds)
            self._next_at = token_at + timedelta(microseconds=math.ceil(jitter * 1e6))
        return max(0.0, (self._next_at - now).total_seconds())

    def take(self) -> None:
        """Spend a token for a send happening now (call it for every attempt that reaches the
        platform: a refused message still counted against us)."""
        self._advance(self._clock.now())
        self._tokens -= 1.0
        self._next_at = None

    def slow_down(self) -> None:
        """The platform said we are too fast: halve the rate for a cool-down window."""
        now = self._clock.now()
        self._advance(now)
        self._factor = max(self._min_factor, self._factor / 2)
        self._calm_at = now + self._cooldown
        self._tokens = min(self._tokens, 0.0)  # no bursting while we are in trouble
        self._next_at = None

    def _per_second(self) -> float:
        return self.rate.per_minute * self._factor / 60.0

    def _advance(self, now: datetime) -> None:
        """Accrue tokens up to ``now``, at each slow-down window's own rate."""
        while True:
            if self._calm_at is not None and self._stamp >= self._calm_at:
                self._factor = min(1.0, self._factor * 2)
                self._calm_at = self._calm_at + self._cooldown if self._factor < 1 else None
                self._next_at = None  # planned at the slower rate; plan again
                continue
            if self._stamp >= now:
                return
            end = now if self._calm_at is None else min(now, self._calm_at)
            gained = (end - self._stamp).total_seconds() * self._per_second()
            self._tokens = min(float(self.rate.burst), self._tokens + gained)
            self._stamp = end
