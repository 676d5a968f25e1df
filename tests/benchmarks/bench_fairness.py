"""Fairness under a flood (issue 13), on a simulated clock: one member of 农安县's group sends 120
commands (``#帮助`` and ``#课程 …``) in 30 seconds; then a member of 九台区's group sends
``#帮助``.

Figure: the seconds from that ``#帮助`` to its answer, at the demo's 12 a minute (target: within
two pacing intervals, under 15 s), and what became of the flood (answered, held back by the
per-member limit, repeats not queued, dropped as stale, still queued); baseline, same run: the
same flood with ``bot.outbox.fair: false`` (arrival order, no per-member limit).

Also the claim query at 3,000 groups: milliseconds per claim with 3,000 pushes, 3,000 command
replies and the flood queued on one account, on SQLite (and PostgreSQL when
``AGRIBOT_TEST_PG_URL`` or the local test server is there), against the same queue claimed in
arrival order; and the query plan, which must walk ``ix_outbox_due``.

Real parts: the router with the app's #帮助 and #课程 handlers, the outbox, ``Sender.step`` with
its token bucket (jitter included), SQLite in a temporary folder. Simulated: the clock, which
moves to the next inbound message or the sender's next wake-up, and the transport.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, select, text

from bot.chat.basics import help_command
from bot.chat.rooms import RoomDirectory, RoomInfo
from bot.chat.router import Router
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.core import events
from bot.core.messages import Inbound, Payload, Sent, Target, TextOut
from bot.db.engine import make_engine, session_factory, upgrade
from bot.db.runner import DatabaseRunner
from bot.db.schema import Event, OutboxRow
from bot.delivery import outbox
from bot.delivery.outbox import Outgoing, enqueue
from bot.delivery.sender import Sender
from bot.schedules.chat import commands as schedule_commands
from bot.schedules.loader import load_schedules

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # a Thursday morning in Jilin
FLOOD, FLOOD_SECONDS = 120, 30.0
WORDS = ["玉米", "水稻", "大豆", "香菇", "黄瓜", "番茄", "苹果", "生猪", "肉牛", "蛋鸡"]
FLOODED, CALM = "nongan-junior", "jiutai-junior"
FLOODER, ASKER = "wxid_t_nongan_flood", "wxid_t_jiutai_ask"
GROUPS = 3000
PG_URL = os.environ.get("AGRIBOT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


class MemoryTransport:
    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.sent: list[tuple[datetime, str, Payload]] = []

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent:
        self.sent.append((self.clock.now(), address, payload))
        return Sent(f"m{len(self.sent)}", {"members": 40})


@dataclass
class Outcome:
    answer_seconds: float | None
    flood_answered: int = 0
    deferred: int = 0
    duplicates: int = 0
    stale: int = 0
    queued: int = 0
    notes: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def flood_home(fair: bool, limit: int | None) -> Home:
    home = load_home(REPO)
    update: dict[str, object] = {"fair": fair}
    if limit is not None:
        update["command_replies_per_minute"] = limit
    settings = home.bot.outbox.model_copy(update=update)
    return dataclasses.replace(home, bot=home.bot.model_copy(update={"outbox": settings}))


async def flood(fair: bool, url: str, limit: int | None = None) -> Outcome:
    home = flood_home(fair, limit)
    account = home.groups[FLOODED].account
    assert home.groups[CALM].account == account
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    clock = ManualClock(T0)
    rooms = RoomDirectory(home)
    with sessions.begin() as session:
        rooms.bind(session, account, [RoomInfo(f"room-{g.id}", g.room_topic or g.name)
                                      for g in home.groups.values() if g.account == account],
                   clock.now())
    router = Router(home, sessions, clock, rooms)
    book = load_schedules(home)
    router.add(help_command(router), *schedule_commands(lambda _home: book))
    transport = MemoryTransport(clock)
    sender = Sender(home=home, account=account, db=DatabaseRunner(sessions),
                    transport=transport, rooms=rooms, clock=clock, rng=random.Random(13),
                    worker="bench")
    step = FLOOD_SECONDS / FLOOD
    inbound = [(T0 + timedelta(seconds=i * step), FLOODED, FLOODER,
                "#帮助" if i % 2 == 0 else f"#课程 {WORDS[(i // 2) % len(WORDS)]}")
               for i in range(FLOOD)]
    asked_at = T0 + timedelta(seconds=FLOOD_SECONDS + 1)
    inbound.append((asked_at, CALM, ASKER, "#帮助"))
    end = T0 + timedelta(minutes=40)  # long enough for every held-back reply's time to come
    calm_room, answered = f"room-{CALM}", None
    n = 0
    while clock.now() < end:
        while inbound and inbound[0][0] <= clock.now():
            _, group, who, said = inbound.pop(0)
            n += 1
            router.handle_message(Inbound(f"in{n}", account, f"room-{group}", who, who, said,
                                          clock.now()))
        wait = await sender.step()
        if answered is None:
            answered = next((at for at, address, _ in transport.sent
                             if address == calm_room and at >= asked_at), None)
        wake = clock.now() + timedelta(seconds=wait)
        clock.set(min(wake, inbound[0][0]) if inbound else wake)
    with sessions() as session:
        counted = {kind: int(n) for kind, n in session.execute(
            select(Event.kind, func.count()).group_by(Event.kind))}
        queued = session.scalar(select(func.count()).where(
            OutboxRow.status.in_([outbox.PENDING, outbox.SENDING]))) or 0
    engine.dispose()
    return Outcome(
        answer_seconds=(answered - asked_at).total_seconds() if answered else None,
        flood_answered=sum(1 for _, address, _ in transport.sent
                           if address == f"room-{FLOODED}"),
        deferred=counted.get(events.REPLY_DEFERRED, 0),
        duplicates=counted.get(events.REPLY_DUPLICATE, 0),
        stale=counted.get(events.REPLY_STALE, 0), queued=int(queued),
        notes=sum(1 for _, address, _ in transport.sent if address == FLOODER))


# --- the claim at 3,000 groups ------------------------------------------------------------------


def claim_cost(url: str, fair: bool) -> tuple[float, float, float, str]:
    """Median and p99 milliseconds of one claim-and-complete with 6,120 rows queued for 3,000
    groups, milliseconds to queue a push to the 3,000 groups, and the claim's query plan."""
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    now = T0
    started = time.perf_counter()
    with sessions.begin() as session:
        enqueue(session, [Outgoing(f"push:{g}", "acct", Target.group(f"g{g:04d}"),
                                   TextOut("推送"), "push") for g in range(GROUPS)],
                now=now, fair=fair)
    push_ms = (time.perf_counter() - started) * 1000
    with sessions.begin() as session:
        enqueue(session, [Outgoing(f"reply:{g}", "acct", Target.group(f"g{g:04d}"),
                                   TextOut("回复"), "reply") for g in range(GROUPS)],
                now=now, fair=fair)
        enqueue(session, [Outgoing(f"flood:{i}", "acct", Target.group("g0000"),
                                   TextOut("刷屏"), "reply") for i in range(FLOOD)],
                now=now, fair=fair)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:  # as autovacuum would after so many inserts
            connection.execute(text("ANALYZE outbox"))
            connection.commit()
    times = []
    for _ in range(600):
        started = time.perf_counter()
        with sessions.begin() as session:
            [row] = outbox.claim(session, "acct", now, 1, "bench")
            outbox.complete(row, now=now, sent=Sent("x", {}))
        times.append((time.perf_counter() - started) * 1000)
    plan = _plan(engine)
    engine.dispose()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)], push_ms, plan


def _plan(engine: Engine) -> str:
    """The plan of the claim's query for due rows, as the claim itself sends it."""
    seen: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object,
                _context: object, _many: bool) -> None:
        if "FROM outbox" in statement and "ORDER BY outbox.priority" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    with session_factory(engine)() as session:
        outbox.claim(session, "acct", T0, 1, "plan")
        session.rollback()
    event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = seen[-1]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()  # type: ignore[arg-type]
    return " | ".join(str(r[-1]).strip() for r in rows)


def pg_schema() -> tuple[str, str] | None:
    """A fresh schema on the local PostgreSQL (the tests' server), or ``None`` without one."""
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
    except Exception:
        return None
    return f"{PG_URL}?options=-csearch_path%3D{schema}", schema


def drop_pg_schema(schema: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def main() -> int:
    home = load_home(REPO)
    rate = home.bot.accounts[0].rate
    interval = 60 / rate.per_minute
    target = min(2 * interval, 15.0)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        fair = asyncio.run(flood(True, f"sqlite:///{tmp}/fair.db"))
        rounds = asyncio.run(flood(True, f"sqlite:///{tmp}/rounds.db", limit=60))
        fifo = asyncio.run(flood(False, f"sqlite:///{tmp}/fifo.db"))
        wall = time.perf_counter() - started
        costs = {"SQLite": (claim_cost(f"sqlite:///{tmp}/c1.db", True),
                            claim_cost(f"sqlite:///{tmp}/c2.db", False))}
    schemas = [pg_schema(), pg_schema()]
    try:
        if schemas[0] is not None and schemas[1] is not None:
            costs["PostgreSQL"] = (claim_cost(schemas[0][0], True),
                                   claim_cost(schemas[1][0], False))
    finally:
        for made in schemas:
            if made is not None:
                drop_pg_schema(made[1])
    print(f"fairness: {FLOOD} commands from one member of {FLOODED} in {FLOOD_SECONDS:g} s, "
          f"then #帮助 in {CALM}; {rate.per_minute:g}/min, burst {rate.burst}, jitter "
          f"{rate.jitter_seconds:g} s (pacing interval {interval:g} s), simulated clock")
    default = home.bot.outbox.command_replies_per_minute
    for name, o, limit in (("fair", fair, default), ("limit raised to 60/min", rounds, 60),
                           ("baseline FIFO (fair: false)", fifo, None)):
        held = (f"{o.deferred} held back by the limit ({limit}/min, {o.notes} private note)"
                if limit else "no limit")
        shown = f"{o.answer_seconds:.1f} s" if o.answer_seconds is not None else "never (40 min)"
        print(f"  {name}: {CALM}'s #帮助 answered after {shown}; flood: {o.flood_answered} "
              f"answered, {held}, {o.duplicates} repeats not queued, {o.stale} dropped as "
              f"stale, {o.queued} still queued after 40 min")
    print(f"  target: within {target:g} s (two pacing intervals, < 15 s), with the limit and "
          f"without it; wall clock {wall:.1f} s")
    for db, ((p50, p99, push_ms, plan), (fifo_p50, fifo_p99, fifo_push, _)) in costs.items():
        print(f"claim at {GROUPS:,} groups, {2 * GROUPS + FLOOD:,} rows queued, {db}: "
              f"{p50:.2f} ms median, {p99:.2f} ms p99 per claim+complete; arrival order "
              f"same run {fifo_p50:.2f} / {fifo_p99:.2f} ms; queueing a push to {GROUPS:,} "
              f"groups {push_ms:.0f} ms (without rounds {fifo_push:.0f} ms)")
        print(f"  plan: {plan}")
    ok = all(o.answer_seconds is not None and o.answer_seconds <= target
             for o in (fair, rounds))
    ok = ok and all("ix_outbox_due" in cost[0][3] for cost in costs.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
