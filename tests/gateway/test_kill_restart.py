"""SIGKILL ``agribot run`` four times during a push to 520 groups over ``agribot gateway``:
afterwards every group has the push, with at most one repeat per kill (the message in flight,
announced as a possible repeat), and the restarts take over at once: the last group's push
arrives within (groups left ÷ rate) + 30 s of the last restart, not after a 10-minute lease."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core import events
from bot.db.engine import make_engine, session_factory
from bot.db.schema import Event
from bot.transport.local_world import room_id_for
from tests.gateway.restart_support import Gateway, big_home, queue_push, start_bot
from tests.gateway.test_e2e import Proc

GROUPS, PER_MINUTE, KILLS = 520, 600, 4
RATE = PER_MINUTE / 60.0
START_TIMEOUT = 300.0  # the first start lists and binds every room


@pytest.mark.e2e
def test_killed_during_a_push_every_group_has_it_and_restarts_resume_at_once(
        tmp_path: Path) -> None:
    home = big_home(tmp_path / "home", GROUPS, per_minute=PER_MINUTE)
    db = tmp_path / "bot.db"
    print('start', datetime.now(UTC))
    gateway = Gateway(home, tmp_path / "world.jsonl")
    print('gateway', datetime.now(UTC))
    bots: list[Proc] = []
    try:
        bots.append(start_bot(home, gateway, db))
        bots[-1].until(bots[-1].said("ready as"), "every room bound", timeout=START_TIMEOUT)
        print('bound', datetime.now(UTC))
        assert queue_push(home, db) == GROUPS

        for kill in range(1, KILLS + 1):
            target = kill * GROUPS // (KILLS + 1)
            gateway.until(lambda t=target: len(gateway.arrivals()) >= t,  # type: ignore[misc]
                          f"the push in {target} groups", timeout=START_TIMEOUT)
            bots[-1].stop(signal.SIGKILL)
            left = GROUPS - len(gateway.arrivals())
            restarted = datetime.now(UTC)
            bots.append(start_bot(home, gateway, db))
            print('kill', kill, restarted, left)

        bound = left / RATE + 30
        gateway.until(lambda: len(gateway.arrivals()) == GROUPS, "the push in every group",
                      timeout=bound + 60)
        arrived = gateway.arrivals()
        last = max(times[0] for times in arrived.values())
        print('last', last, last - restarted, bound)
        assert last - restarted <= timedelta(seconds=bound), (last - restarted, left)
        twice = {room for room, times in arrived.items() if len(times) > 1}
        assert len(twice) <= KILLS and all(len(t) == 2 for t in arrived.values() if len(t) > 1)

        last_bot = bots[-1]
        last_bot.until(last_bot.said("ready as"), "the last bot's rooms listed",
                       timeout=START_TIMEOUT)
        assert last_bot.stop() == 0
        engine = make_engine(f"sqlite:///{db}")
        with session_factory(engine)() as session:
            announced = set(session.scalars(select(Event.group_id).where(
                Event.kind == events.POSSIBLE_REPEAT)))
        engine.dispose()
        # every repeat was taken over from a killed process and logged as possibly repeated
        assert twice <= {room_id_for(g) for g in announced if g}, (twice, announced)
        assert len(announced) <= KILLS
        for proc in bots:
            assert "Traceback" not in "".join(proc.err)
    finally:
        for proc in bots:
            proc.stop(signal.SIGKILL)
        gateway.stop()
