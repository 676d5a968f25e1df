"""How the outbox shares the send budget, on SQLite and PostgreSQL: priorities from the purpose,
round robin across targets within a priority, and stale replies dropped (and counted) when
claimed."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.core import events as kinds
from bot.core.messages import Target, TextOut
from bot.db.engine import session_factory
from bot.delivery import fairness, outbox
from bot.delivery.outbox import Outgoing

from .support import ACCOUNT, T0, RecordingTransport, demo_home, drive, events, make_sender, queue
from .support import row as row_of


def out(key: str, group: str, purpose: str = "reply", text: str = "好") -> Outgoing:
    return Outgoing(key, ACCOUNT, Target.group(group), TextOut(text), purpose)


def claim_all(engine: Engine, clock: ManualClock, n: int) -> list[str]:
    with session_factory(engine).begin() as session:
        claimed = outbox.claim(session, ACCOUNT, clock.now(), n, "w")
        return [r.key for r in claimed]


def test_priorities_follow_the_purpose() -> None:
    """Answers and relays before command replies, command replies before pushes and reports."""
    assert fairness.priority_of("answer") == fairness.priority_of("relay") == fairness.ANSWER
    assert fairness.priority_of("reply") == fairness.COMMAND
    assert fairness.priority_of("push") == fairness.priority_of("report") == fairness.BULK
    assert fairness.priority_of("something-new") == fairness.COMMAND


def test_one_flooded_group_does_not_block_another(engine: Engine) -> None:
    """120 replies queued for one group, then one for another: the second is claimed second,
    not 121st; the answer to a question goes before both, the push after all."""
    clock = ManualClock(T0)
    queue(engine, clock, out("push-1", "jiutai-junior", "push"))
    queue(engine, clock, *(out(f"flood-{i}", "nongan-junior") for i in range(120)))
    clock.advance(timedelta(seconds=1))
    queue(engine, clock, out("help", "jiutai-junior"))
    queue(engine, clock, out("answer", "shuangyang-junior", "answer"))
    order = claim_all(engine, clock, 200)
    assert order[:4] == ["answer", "flood-0", "help", "flood-1"]
    assert order[-1] == "push-1" and len(order) == 123


def test_a_quiet_group_does_not_save_up_turns(engine: Engine) -> None:
    """A group that comes in while another is half served joins the round being served: the
    two alternate from there."""
    clock = ManualClock(T0)
    queue(engine, clock, *(out(f"a{i}", "nongan-junior") for i in range(10)))
    assert claim_all(engine, clock, 5) == [f"a{i}" for i in range(5)]
    clock.advance(timedelta(seconds=1))
    queue(engine, clock, *(out(f"b{i}", "jiutai-junior") for i in range(3)))
    assert claim_all(engine, clock, 8) == ["a5", "b0", "a6", "b1", "a7", "b2", "a8", "a9"]


def test_fifo_when_fairness_is_off(engine: Engine) -> None:
    """``fair=False`` (the benchmark's baseline) queues in arrival order within a priority."""
    clock = ManualClock(T0)
    with session_factory(engine).begin() as session:
        outbox.enqueue(session, [out(f"a{i}", "nongan-junior") for i in range(3)],
                       now=clock.now(), fair=False)
        outbox.enqueue(session, [out("b0", "jiutai-junior")], now=clock.now(), fair=False)
    assert claim_all(engine, clock, 4) == ["a0", "a1", "a2", "b0"]


async def test_stale_reply_is_dropped_and_counted_not_sent(engine: Engine) -> None:
    """A command reply claimed past its kind's age is dropped with a ``reply_stale`` event and
    costs no send; a push of the same age still goes."""
    home = demo_home()
    clock = ManualClock(T0)
    transport = RecordingTransport(clock)
    queue(engine, clock, out("late-help", "nongan-junior"), out("push", "nongan-junior", "push"))
    clock.advance(timedelta(minutes=home.bot.outbox.stale_after_minutes["reply"] + 1))
    sender = make_sender(engine, home, clock, transport)
    await drive(sender, clock, lambda: row_of(engine, "push").status == outbox.SENT)
    assert row_of(engine, "late-help").status == outbox.DROPPED
    assert [d.payload for d in transport.attempts] == [TextOut("好")]
    [dropped] = events(engine, kinds.REPLY_STALE)
    assert dropped.group_id == "nongan-junior" and dropped.ref == "late-help"
    assert json.loads(dropped.detail)["waited_seconds"] >= 15 * 60
    assert sender.bucket.wait_seconds() == 0  # burst 3, one used: the drop took no token
