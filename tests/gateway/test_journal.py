"""A journaled world comes back after a restart with the same messages, ids, times and people."""

from __future__ import annotations

from pathlib import Path

from bot.clock import SystemClock
from bot.config import Home
from bot.gateway.journal import Journal, ReplayClock
from bot.transport.local_world import LocalWorld

from .conftest import BOT, NONGAN

TECH = "wxid_t_nongan-junior_3"


def _open(home: Home, path: Path) -> tuple[LocalWorld, Journal]:
    clock = ReplayClock(SystemClock())
    world = LocalWorld.from_home(home, clock)
    return world, Journal.open(path, world, clock)


def _snapshot(world: LocalWorld) -> list[tuple[object, ...]]:
    return [(m.id, m.from_id, m.type, m.text, m.mentions, m.ts, m.title)
            for m in world.messages(NONGAN) + world.private_messages(TECH)]


def test_replay_restores_messages_ids_members_and_epoch(home: Home, tmp_path: Path) -> None:
    """Speech, a newcomer, a leaver, a topic, bot sends and private chat all replay identically,
    and new messages continue after the old ids."""
    path = tmp_path / "world.jsonl"
    world, journal = _open(home, path)
    world.speak(NONGAN, TECH, "请问专家", mentions=[BOT])
    world.join(NONGAN, "wxid_newcomer", "赵新农")
    world.post(NONGAN, BOT, "url", title="课程", url="https://example.org")
    world.speak_private(TECH, "私聊一下")
    world.post(TECH, BOT, "text", text="好的")
    world.leave(NONGAN, "wxid_t_nongan-junior_4")
    world.set_topic(NONGAN, "农安县农技群")
    before, members, epoch = _snapshot(world), world.room(NONGAN).member_ids, journal.epoch
    journal.close()

    again, reopened = _open(home, path)
    assert reopened.epoch == epoch and reopened.replayed == 7
    assert _snapshot(again) == before
    assert again.room(NONGAN).member_ids == members
    assert again.room(NONGAN).topic == "农安县农技群"
    assert again.contact("wxid_newcomer").name == "赵新农"
    assert again.speak(NONGAN, TECH, "新的一条") == max(m[0] for m in before) + 1  # type: ignore[type-var]
    reopened.close()


def test_a_line_cut_short_by_a_crash_is_ignored(home: Home, tmp_path: Path) -> None:
    """A half-written last line (killed mid-write) loses only that line."""
    path = tmp_path / "world.jsonl"
    world, journal = _open(home, path)
    world.speak(NONGAN, TECH, "第一条")
    journal.close()
    with path.open("a", encoding="utf-8") as file:
        file.write('{"op": "post", "ts": "2026-')
    again, reopened = _open(home, path)
    assert [m.text for m in again.messages(NONGAN)] == ["第一条"]
    reopened.close()
