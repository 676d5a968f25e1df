"""Fan-out of one push to 3,000 groups over 5 accounts at the default rate, on a simulated clock.

Figure: the time until the last group has the push, against the bound N / (K·R) that no paced
sender can beat by more than the initial bursts (target: within 2%), and the number of 60-second
windows on any account holding more than per_minute + burst sends (must be 0).

Real parts: the five ``Sender.run`` loops, their token buckets with jitter, a SQLite database in a
temporary folder (claims, outcomes and push_sent events all committed). Simulated: the clock, which
jumps to the earliest wake-up once every loop is asleep, and the transport, which records in
memory. Wall-clock seconds are printed too: the cost of the database work per message.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import itertools
import random
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.chat.rooms import RoomDirectory, RoomInfo
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.config.models import Account, Group, Rate
from bot.core.messages import LinkOut, Payload, Sent, Target
from bot.db.engine import make_engine, session_factory, upgrade
from bot.db.runner import DatabaseRunner
from bot.delivery.outbox import Outgoing, enqueue
from bot.delivery.sender import Sender
from bot.domain import Level, Tier

REPO = Path(__file__).resolve().parents[2]
GROUPS, ACCOUNTS, TOLERANCE = 3000, 5, 0.02
T0 = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


def fanout_home() -> Home:
    """The demo home's regions and admins with 3,000 county groups spread over 5 accounts, each
    account at the default rate."""
    base = load_home(REPO)
    counties = [r.id for r in base.regions.values() if r.level == Level.COUNTY]
    accounts = [Account(id=f"acct-{k}", name=f"农技助手{k}") for k in range(ACCOUNTS)]
    groups = {}
    for n in range(GROUPS):
        gid = f"g{n:04d}"
        groups[gid] = Group(id=gid, name=f"第{n}初级农技师工作群", tier=Tier.JUNIOR,
                            region=counties[n % len(counties)], account=f"acct-{n % ACCOUNTS}",
                            room_topic=f"第{n}初级农技师工作群")
    return dataclasses.replace(base, bot=base.bot.model_copy(update={"accounts": accounts}),
                               groups=groups)


class MemoryTransport:
    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.times: list[float] = []

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent:
        self.times.append((self.clock.now() - T0).total_seconds())
        return Sent(f"m{len(self.times)}", {"members": 500})


class SimulatedTime:
    """An injected ``sleep`` for many loops: when every loop is asleep, jump the clock to the
    earliest wake-up and wake that loop."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        wake = self.clock.now() + timedelta(seconds=seconds)
        heapq.heappush(self.sleepers, (wake, next(self._order), future))
        await future

    async def run(self, loops: int, done: Callable[[], bool]) -> None:
        while not done():
            while len(self.sleepers) < loops:  # let every loop reach its next sleep
                await asyncio.sleep(0)
            wake, _, future = heapq.heappop(self.sleepers)
            if wake > self.clock.now():
                self.clock.set(wake)
            future.set_result(None)

    def release_all(self) -> None:
        for _, _, future in self.sleepers:
            future.set_result(None)
        self.sleepers.clear()


def violations(times: list[float], rate: Rate) -> int:
    """60-second windows (one starting at each send) holding more than per_minute + burst."""
    limit = rate.per_minute + rate.burst
    return sum(1 for i, t in enumerate(times) if bisect_right(times, t + 60) - i > limit)


async def fan_out(home: Home, url: str) -> tuple[float, int, dict[str, MemoryTransport]]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    db = DatabaseRunner(sessions)
    clock = ManualClock(T0)
    rooms = RoomDirectory(home)
    with sessions.begin() as session:
        for account in home.bot.accounts:
            rooms.bind(session, account.id, [
                RoomInfo(f"room-{g.id}", g.room_topic or g.name)
                for g in home.groups.values() if g.account == account.id], clock.now())
        enqueue(session, [
            Outgoing(f"push:corn-pests:2026-03-02T11:00:{g.id}", g.account, Target.group(g.id),
                     LinkOut("玉米螟绿色防控技术", "https://example.org/agribot/corn-pests"),
                     "push", "corn-pests")
            for g in home.groups.values()], now=clock.now())
    simulated = SimulatedTime(clock)
    transports = {a.id: MemoryTransport(clock) for a in home.bot.accounts}
    senders = [Sender(home=home, account=a.id, db=db, transport=transports[a.id],
                      rooms=rooms, clock=clock, rng=random.Random(k), sleep=simulated.sleep)
               for k, a in enumerate(home.bot.accounts)]
    stop = asyncio.Event()
    loops = [asyncio.ensure_future(s.run(stop)) for s in senders]
    await simulated.run(len(loops), lambda: sum(len(t.times) for t in transports.values())
                        >= len(home.groups))
    stop.set()
    simulated.release_all()
    await asyncio.gather(*loops)
    engine.dispose()
    finish = max(t.times[-1] for t in transports.values())
    bad = sum(violations(t.times, a.rate) for a, t in
              zip(home.bot.accounts, transports.values(), strict=True))
    return finish, bad, transports


def main() -> int:
    home = fanout_home()
    rate = home.bot.accounts[0].rate
    bound = GROUPS / (ACCOUNTS * rate.per_minute) * 60
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        finish, bad, transports = asyncio.run(fan_out(home, f"sqlite:///{tmp}/fanout.db"))
        wall = time.perf_counter() - started
    sent = sum(len(t.times) for t in transports.values())
    ratio = finish / bound
    print(f"fan-out of one push to {sent} groups over {ACCOUNTS} accounts at "
          f"{rate.per_minute:g}/min, burst {rate.burst}, jitter {rate.jitter_seconds:g} s")
    print(f"simulated completion {finish:.1f} s vs bound N/(K·R) {bound:.1f} s: "
          f"ratio {ratio:.4f} (target within {TOLERANCE:.0%})")
    print(f"rate violations (60 s windows over per_minute + burst): {bad} (must be 0)")
    print(f"wall clock {wall:.1f} s ({wall / sent * 1000:.2f} ms per message, SQLite)")
    return 0 if sent == GROUPS and bad == 0 and abs(ratio - 1) <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
