"""How long a transport waits before reconnecting: 1, 2, 4 … seconds, at most five minutes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait before reconnect number ``n`` (0 = first retry after a failure)."""

    base: float = 1.0
    factor: float = 2.0
    cap: float = 300.0

    def delay(self, n: int) -> float:
        return float(min(self.cap, self.base * self.factor ** min(n, 64)))


DEFAULT_BACKOFF = Backoff()
