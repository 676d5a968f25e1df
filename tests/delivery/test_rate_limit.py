"""The token bucket on a manual clock: bursts, the steady rate, jitter that never busies a
window nor slows the long run, and the slow-down after the platform complains."""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.config.models import Rate
from bot.delivery.rate_limit import TokenBucket

from .support import T0


def send_all(bucket: TokenBucket, clock: ManualClock, count: int) -> list[float]:
    """Send ``count`` messages as fast as the bucket allows; their times in seconds from T0."""
    times = []
    for _ in range(count):
        clock.advance(bucket.wait_seconds())
        assert bucket.wait_seconds() == 0
        bucket.take()
        times.append((clock.now() - T0).total_seconds())
    return times


def busiest_window(times: list[float], seconds: float = 60.0) -> int:
    """The most sends in any closed window of ``seconds``."""
    return max(bisect_right(times, t + seconds) - i for i, t in enumerate(times))


def bucket(per_minute: float = 12, burst: int = 3, jitter: float = 0.0,
           seed: int = 1) -> tuple[TokenBucket, ManualClock]:
    clock = ManualClock(T0)
    rate = Rate(per_minute=per_minute, burst=burst, jitter_seconds=jitter)
    return TokenBucket(rate, clock, rng=random.Random(seed)), clock


def test_burst_then_steady_rate() -> None:
    """A full bucket sends ``burst`` at once, then one every 60/per_minute seconds."""
    b, clock = bucket(per_minute=12, burst=3)
    times = send_all(b, clock, 6)
    assert times == [0, 0, 0, 5, 10, 15]


@settings(max_examples=40, deadline=None)
@given(per_minute=st.floats(1, 120), burst=st.integers(1, 10), jitter=st.floats(0, 30),
       seed=st.integers(0, 10_000))
def test_no_window_exceeds_rate_plus_burst(per_minute: float, burst: int, jitter: float,
                                           seed: int) -> None:
    """Whatever the settings and the jitter, no 60 s window holds more than rate + burst."""
    b, clock = bucket(per_minute, burst, jitter, seed)
    times = send_all(b, clock, 150)
    assert busiest_window(times) <= int(per_minute + burst + 1e-9)


def test_jitter_varies_gaps_without_slowing_the_long_run() -> None:
    """With 2 s of jitter gaps differ, yet 200 sends still take (200 - burst) / rate."""
    b, clock = bucket(per_minute=12, burst=3, jitter=2.0)
    times = send_all(b, clock, 200)
    gaps = {round(b2 - a, 3) for a, b2 in pairwise(times[3:])}
    assert len(gaps) > 50
    nominal = (200 - 3) * 5.0
    assert nominal <= times[-1] <= nominal + 2 * 2.0


def test_jitter_is_drawn_once_per_send() -> None:
    """Asking again before sending gives the same plan, only nearer."""
    b, clock = bucket(burst=1, jitter=5.0)
    b.take()
    first = b.wait_seconds()
    clock.advance(1)
    assert b.wait_seconds() == first - 1


def test_slow_down_halves_rate_then_recovers() -> None:
    """Told off, the account runs at half rate with no burst, and doubles back per quiet window."""
    b, clock = bucket(per_minute=12, burst=3)
    b.slow_down()
    assert b.per_minute == 6
    times = send_all(b, clock, 3)
    assert times == [10, 20, 30]  # no saved-up burst, one per 10 s
    b.slow_down()
    assert b.per_minute == 3
    clock.advance(600)
    assert b.per_minute == 6  # one quiet window: doubled back
    clock.advance(600)
    assert b.per_minute == 12 and b.factor == 1.0
    clock.advance(3600)
    assert b.per_minute == 12  # stays recovered


def test_slow_down_has_a_floor() -> None:
    """However often we are told off, the account keeps trickling at 1/16 of its rate."""
    b, _ = bucket(per_minute=12)
    for _ in range(10):
        b.slow_down()
    assert b.per_minute == 12 / 16


def test_tokens_accrue_at_the_slow_rate_during_the_window() -> None:
    """Idle time inside a slow-down window earns tokens at the slow rate, not the full one."""
    b, clock = bucket(per_minute=12, burst=3)
    b.slow_down()
    clock.advance(10)  # 1 token at 6/min (it would be 2 at 12/min)
    assert b.wait_seconds() == 0
    b.take()
    assert b.wait_seconds() == 10
