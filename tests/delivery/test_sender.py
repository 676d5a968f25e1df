"""The sender of one account, on SQLite and PostgreSQL with a manual clock: routing, pacing,
retries, dead letters and their alerts, slow-downs, file fallbacks, and the run loop."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from bisect import bisect_right
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import messages as msg
from bot.chat.rooms import RoomInfo
from bot.clock import ManualClock
from bot.config.models import Rate
from bot.core import events as kinds
from bot.core.messages import FileOut, LinkOut, Payload, Target, TextOut, payload_from_json
from bot.core.ports import DeliveryError
from bot.db.engine import session_factory
from bot.db.schema import OutboxRow
from bot.delivery import outbox, sender
from bot.delivery.fairness import BULK
from bot.delivery.outbox import Outgoing
from tests.harness import room_of

from .support import (
    ACCOUNT,
    T0,
    Answer,
    RecordingTransport,
    bind_rooms,
    demo_home,
    drive,
    events,
    make_sender,
    push,
    queue,
    row,
    rows,
)


def reply(key: str, contact: str = "wxid_tech_1", text: str = "收到") -> Outgoing:
    return Outgoing(key, ACCOUNT, Target.contact(contact), TextOut(text), "reply")


def always(error: DeliveryError) -> Answer:
    return lambda address, payload, to_room: error


def done(engine: Engine, *keys: str, status: str = "sent") -> bool:
    return all(row(engine, k).status == status for k in keys)


async def test_sends_to_rooms_and_contacts_and_records_pushes(engine: Engine) -> None:
    """A push goes to the group's room and writes push_sent with members; a reply goes private."""
    clock = ManualClock(T0)
    home = demo_home(burst=3)
    transport = RecordingTransport(clock, members=41)
    s = make_sender(engine, home, clock, transport)
    queue(engine, clock, push("p1", ref="course-7"), reply("r1"))
    await drive(s, clock, lambda: done(engine, "r1", "p1"))
    assert [(d.address, d.to_room) for d in transport.delivered] == [
        ("wxid_tech_1", False), (room_of("nongan-junior"), True)]  # the interactive one first
    sent = row(engine, "p1")
    assert (sent.attempts, sent.message_id, sent.claimed_by) == (1, "msg-2", "test-worker")
    [event] = events(engine)
    assert (event.kind, event.group_id, event.ref, event.account) == (
        kinds.PUSH_SENT, "nongan-junior", "course-7", ACCOUNT)
    assert '"members":41' in event.detail and '"key":"p1"' in event.detail


async def test_pacing_200_messages_stays_within_the_rate(engine: Engine) -> None:
    """200 queued messages: no 60 s window holds more than per_minute + burst, and the whole run
    takes (N - burst) / rate, jitter and all."""
    clock = ManualClock(T0)
    home = demo_home(per_minute=12, burst=3, jitter=2.0)
    transport = RecordingTransport(clock)
    s = make_sender(engine, home, clock, transport)
    groups = [g for g in home.groups if g != "jilin-senior"]
    queue(engine, clock, *(push(f"k{i:03d}", group=groups[i % len(groups)]) for i in range(200)))
    await drive(s, clock, lambda: len(transport.delivered) == 200)
    times = [(d.at - T0).total_seconds() for d in transport.attempts]
    assert len(times) == 200
    busiest = max(bisect_right(times, t + 60) - i for i, t in enumerate(times))
    assert busiest <= 12 + 3
    nominal = (200 - 3) * 60 / 12
    assert nominal <= times[-1] <= nominal + 2 * 2.0
    assert all(r.status == "sent" for r in rows(engine))
    assert len(events(engine, kinds.PUSH_SENT)) == 200


async def test_retries_back_off_then_dead_letter_alerts_region_admins(engine: Engine) -> None:
    """A push that keeps failing is retried at growing intervals, then dead: push_failed per
    attempt, one dead_letter, and an alert to the group's county admin that, failing in turn,
    alerts nobody."""
    clock = ManualClock(T0)
    home = demo_home(max_attempts=4, base_backoff=30)
    transport = RecordingTransport(clock, answer=always(DeliveryError("网络超时")))
    s = make_sender(engine, home, clock, transport)
    queue(engine, clock, push("doomed"))
    await drive(s, clock, lambda: done(engine, "doomed", status="dead"))
    times = [(d.at - T0).total_seconds() for d in transport.attempts if d.to_room]
    gaps = [b - a for a, b in pairwise(times)]
    assert len(times) == 4
    for gap, nominal in zip(gaps, (30, 60, 120), strict=True):
        assert 0.75 * nominal <= gap <= 1.25 * nominal + 1  # + the idle poll's granularity
    dead = row(engine, "doomed")
    assert (dead.attempts, dead.last_error) == (4, "网络超时")
    failed = events(engine, kinds.PUSH_FAILED)
    assert [json.loads(e.detail)["attempts"] for e in failed] == [1, 2, 3, 4]
    assert [json.loads(e.detail)["outcome"] for e in failed] == ["retry"] * 3 + ["dead"]
    [letter] = events(engine, kinds.DEAD_LETTER)
    assert (letter.ref, letter.group_id) == ("doomed", "nongan-junior")
    [alert] = [r for r in rows(engine) if r.purpose == "alert"]
    assert (alert.target_kind, alert.target_id) == ("contact", "wxid_na_zhoulei")
    text = payload_from_json(alert.payload)
    assert isinstance(text, TextOut)
    assert "农安县初级农技师工作群" in text.text and "网络超时" in text.text

    await drive(s, clock, lambda: done(engine, alert.key, status="dead"))
    assert [r.purpose for r in rows(engine)] == ["push", "alert"]  # no alert about the alert
    assert len(events(engine, kinds.DEAD_LETTER)) == 2
    assert len(events(engine, kinds.PUSH_FAILED)) == 4  # alerts are not pushes


async def test_private_dead_letter_tells_province_admins(engine: Engine) -> None:
    """A reply refused for good dies at once and alerts the province's admins."""
    clock = ManualClock(T0)
    transport = RecordingTransport(clock, answer=lambda a, p, room: None if a.startswith(
        "wxid_jl_") else DeliveryError("对方已删除好友", retryable=False))
    s = make_sender(engine, demo_home(), clock, transport)
    queue(engine, clock, reply("r1"))
    await drive(s, clock, lambda: any(r.purpose == "alert" and r.status == "sent"
                                      for r in rows(engine)))
    assert row(engine, "r1").attempts == 1
    assert [d.address for d in transport.delivered] == ["wxid_jl_zhangwd"]
    assert events(engine, kinds.PUSH_FAILED) == []  # a reply is not a push


async def test_alert_goes_to_the_nearest_region_with_admins(engine: Engine) -> None:
    """With no county admin configured, the city's admins hear about the county group."""
    clock = ManualClock(T0)
    home = demo_home()
    home = dataclasses.replace(home, admins=tuple(a for a in home.admins if a.region != "nongan"))
    s = make_sender(engine, home, clock, RecordingTransport(
        clock, answer=always(DeliveryError("群已解散", retryable=False))))
    queue(engine, clock, push("p1"))
    await s.step()
    assert [r.target_id for r in rows(engine) if r.purpose == "alert"] == ["wxid_cc_wangshuzhen"]


async def test_rate_limited_answer_slows_the_account_down(engine: Engine) -> None:
    """操作过于频繁 halves the account's pace and the refused row goes again, no attempt used."""
    clock = ManualClock(T0)
    answers = iter([None, DeliveryError("操作过于频繁", rate_limited=True)])
    transport = RecordingTransport(clock, answer=lambda a, p, room: next(answers, None))
    s = make_sender(engine, demo_home(per_minute=12, burst=1), clock, transport)
    queue(engine, clock, *(reply(f"r{i}") for i in range(4)))
    await drive(s, clock, lambda: len(transport.delivered) == 4)
    times = [(d.at - T0).total_seconds() for d in transport.attempts]
    assert times == [0, 5, 15, 25, 35]  # every 5 s, then every 10 s after the complaint
    assert [p.payload for p in transport.attempts][1] == transport.delivered[1].payload
    assert row(engine, "r1").attempts == 1
    assert s.bucket.per_minute == 6
    clock.advance(600)
    assert s.bucket.per_minute == 12


@pytest.mark.parametrize("too_large", [True, False])
async def test_refused_file_falls_back_to_its_link(engine: Engine, tmp_path: Path,
                                                   too_large: bool) -> None:
    """A file refused as too large, or for good, is replaced by its link card, which is sent."""
    clock = ManualClock(T0)
    (tmp_path / "c1.mp4").write_bytes(b"0" * 64)
    link = LinkOut("玉米病虫害防治", "https://example.org/c1")
    refusal = DeliveryError("文件过大", retryable=False, too_large=True) if too_large \
        else DeliveryError("不支持的文件", retryable=False)
    transport = RecordingTransport(clock, answer=lambda a, p, room: refusal
                                   if isinstance(p, FileOut) else None)
    s = make_sender(engine, demo_home(), clock, transport)
    queue(engine, clock, push("f1", payload=FileOut(str(tmp_path / "c1.mp4"), "c1.mp4", link)))
    await drive(s, clock, lambda: done(engine, "f1"))
    assert [type(d.payload) for d in transport.attempts] == [FileOut, LinkOut]
    assert transport.delivered[0].payload == link
    assert payload_from_json(row(engine, "f1").payload) == link
    [failed] = events(engine, kinds.PUSH_FAILED)
    assert '"outcome":"fallback"' in failed.detail
    assert len(events(engine, kinds.PUSH_SENT)) == 1


async def test_file_without_link_and_retryable_file_errors(engine: Engine, tmp_path: Path) -> None:
    """A refused file with no link dies; a file that merely timed out is retried as a file."""
    clock = ManualClock(T0)
    answers: dict[str, DeliveryError | None] = {
        "big.mp4": DeliveryError("文件过大", retryable=False, too_large=True),
        "slow.mp4": DeliveryError("超时")}

    def answer(address: str, payload: Payload, to_room: bool) -> DeliveryError | None:
        return answers.pop(payload.name, None) if isinstance(payload, FileOut) else None

    link = LinkOut("课程", "https://example.org/c2")
    s = make_sender(engine, demo_home(), clock, transport := RecordingTransport(clock, answer))
    queue(engine, clock, push("big", payload=FileOut(str(tmp_path / "big.mp4"), "big.mp4")),
          push("slow", payload=FileOut(str(tmp_path / "slow.mp4"), "slow.mp4", link)))
    await drive(s, clock, lambda: done(engine, "slow"))
    assert row(engine, "big").status == "dead"
    sent_files = [d.payload for d in transport.attempts if isinstance(d.payload, FileOut)]
    assert [f.name for f in sent_files] == ["big.mp4", "slow.mp4", "slow.mp4"]
    assert not any(isinstance(d.payload, LinkOut) for d in transport.attempts)


async def test_unbound_group_is_retried_until_bound(engine: Engine) -> None:
    """A push to a group with no room yet waits (an attempt used, nothing sent) and goes out
    once the room is bound."""
    clock = ManualClock(T0)
    home = demo_home(max_attempts=6, base_backoff=30)
    rooms = bind_rooms(engine, home, clock, groups=["yushu-junior"])
    transport = RecordingTransport(clock)
    s = make_sender(engine, home, clock, transport, rooms=rooms)
    queue(engine, clock, push("p1"))
    clock.advance(await s.step())
    waiting = row(engine, "p1")
    assert (waiting.status, waiting.attempts, waiting.last_error) == (
        "pending", 1, msg.OUTBOX_UNBOUND)
    assert transport.attempts == []
    with session_factory(engine).begin() as session:
        rooms.bind(session, ACCOUNT, [RoomInfo("room-x", "农安县初级农技师工作群")], clock.now())
    await drive(s, clock, lambda: done(engine, "p1"))
    assert [d.address for d in transport.delivered] == ["room-x"]


async def test_unknown_group_and_broken_payload_die_at_once(engine: Engine) -> None:
    """Rows no retry can fix (a group gone from the config, an unreadable payload) die now."""
    clock = ManualClock(T0)
    s = make_sender(engine, demo_home(), clock, RecordingTransport(clock))
    queue(engine, clock, push("gone", group="no-such-group"), reply("broken"))
    with session_factory(engine).begin() as session:
        broken = session.get(OutboxRow, row(engine, "broken").id)
        assert broken is not None
        broken.payload = '{"kind": "hologram"}'
    await s.step()
    assert done(engine, "gone", "broken", status="dead")
    assert len(events(engine, kinds.DEAD_LETTER)) == 2


async def test_stale_claim_is_sent_and_logged(engine: Engine,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """A row a crashed process left mid-send is sent after the lease, logged as maybe twice."""
    clock = ManualClock(T0)
    queue(engine, clock, push("in-flight"))
    with session_factory(engine).begin() as session:
        outbox.claim(session, ACCOUNT, clock.now(), 1, "crashed-process")
    transport = RecordingTransport(clock)
    s = make_sender(engine, demo_home(), clock, transport, idle_seconds=20)
    with caplog.at_level(logging.WARNING):
        await drive(s, clock, lambda: done(engine, "in-flight"))
    assert (transport.delivered[0].at - T0) >= outbox.CLAIM_LEASE
    assert "possibly sent twice: in-flight" in caplog.text


async def test_claim_lost_mid_send_leaves_outcome_to_new_owner(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """If a send outlives the lease and another sender takes the row, the first records nothing."""
    clock = ManualClock(T0)

    def slow(address: str, payload: Payload, to_room: bool) -> None:
        clock.advance(outbox.CLAIM_LEASE.total_seconds() + 1)
        with session_factory(engine).begin() as session:
            assert len(outbox.claim(session, ACCOUNT, clock.now(), 1, "other")) == 1
        return None

    s = make_sender(engine, demo_home(), clock, RecordingTransport(clock, answer=slow))
    queue(engine, clock, push("p1"))
    with caplog.at_level(logging.WARNING):
        await s.step()
    taken = row(engine, "p1")
    assert (taken.status, taken.claimed_by) == ("sending", "other")
    assert events(engine) == []
    assert "possibly sent twice: p1" in caplog.text


async def test_pushes_to_a_robot_group_go_through_the_robot_at_its_pace(engine: Engine) -> None:
    """A group with a WeCom robot gets pushes through it, paced by the robot's own limit, while
    replies to that group and other groups' pushes use the account's room at the account's."""
    clock = ManualClock(T0)

    @dataclasses.dataclass
    class Robot(RecordingTransport):
        def rate(self) -> Rate:
            return Rate(per_minute=20, burst=1, jitter_seconds=0)

        def cost(self, payload: Payload) -> int:
            return 2 if isinstance(payload, TextOut) and len(payload.text) > 10 else 1

    robot, room = Robot(clock), RecordingTransport(clock)
    s = make_sender(engine, demo_home(per_minute=12, burst=1), clock, room,
                    webhooks={"jilin-senior": robot})
    queue(engine, clock,
          *(push(f"s{i}", group="jilin-senior") for i in range(3)),
          push("long", group="jilin-senior", payload=TextOut("很长的一条推送" * 3)),
          push("last", group="jilin-senior"),
          push("n1"), push("n2"),
          Outgoing("hello", ACCOUNT, Target.group("jilin-senior"), TextOut("欢迎"), "welcome",
                   priority=BULK))
    await drive(s, clock, lambda: len(robot.delivered) == 5 and len(room.delivered) == 3)
    assert [(d.at - T0).total_seconds() for d in robot.delivered] == [0, 3, 6, 9, 15]
    assert {d.address for d in robot.delivered} == {"jilin-senior"}
    assert [(d.at - T0).total_seconds() for d in room.delivered] == [0, 5, 10]
    assert [d.address for d in room.delivered].count(room_of("jilin-senior")) == 1


async def test_run_sends_until_stopped_and_survives_a_failing_step(engine: Engine) -> None:
    """run() steps with the injected sleep, keeps going after a step raises, ends on stop."""
    clock = ManualClock(T0)
    stop = asyncio.Event()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    def answer(address: str, payload: Payload, to_room: bool) -> None:
        if len(transport.delivered) == 4:
            stop.set()

    transport = RecordingTransport(clock, answer=answer)
    s = make_sender(engine, demo_home(per_minute=12, burst=2), clock, transport, sleep=sleep)
    real_step, failures = s.step, [RuntimeError("database went away")]

    async def flaky_step() -> float:
        if failures:
            raise failures.pop()
        return await real_step()

    s.step = flaky_step  # type: ignore[method-assign]
    queue(engine, clock, *(reply(f"r{i}") for i in range(8)))
    await asyncio.wait_for(s.run(stop), timeout=30)
    assert slept[0] == sender.ERROR_PAUSE_SECONDS
    assert len(transport.delivered) == 5  # the fifth was in flight when stop was set
    assert [(d.at - T0).total_seconds() for d in transport.delivered] == [5, 5, 10, 15, 20]


async def test_run_without_injected_sleep_stops_promptly(engine: Engine) -> None:
    """With the real sleep, setting stop ends a long idle wait at once."""
    clock = ManualClock(T0)
    s = make_sender(engine, demo_home(), clock, RecordingTransport(clock), idle_seconds=3600)
    stop = asyncio.Event()
    task = asyncio.ensure_future(s.run(stop))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, timeout=5)


async def test_nothing_is_claimed_while_the_account_is_offline(engine: Engine) -> None:
    """A disconnected account claims nothing, so an outage of any length uses up no attempts;
    once it is back, the queue goes out (a command reply three hours late is dropped as stale,
    and counted, rather than sent)."""
    clock = ManualClock(T0)
    online = False
    transport = RecordingTransport(clock)
    s = make_sender(engine, demo_home(), clock, transport, online=lambda: online)
    queue(engine, clock, reply("r1"), push("p1"))
    for _ in range(3 * 60 * 60):  # three hours of stepping while offline
        clock.advance(await s.step())
    assert transport.delivered == []
    assert [(r.status, r.attempts) for r in rows(engine)] == [("pending", 0), ("pending", 0)]
    online = True
    await drive(s, clock, lambda: done(engine, "p1"))
    assert len(transport.delivered) == 1
    assert row(engine, "r1").status == outbox.DROPPED
    assert len(events(engine, kinds.REPLY_STALE)) == 1
