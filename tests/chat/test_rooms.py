"""Binding configured groups to the rooms an account is in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.chat.rooms import RoomDirectory, RoomInfo
from bot.config import load_home
from bot.db.engine import session_factory

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ACCOUNT = "jilin-kexie"


def test_bind_by_topic_then_keep_by_id_after_rename(demo_copy: Path, engine: Engine) -> None:
    """Groups bind by exact topic; a later rename keeps the binding, also after a restart."""
    home = load_home(demo_copy)
    sessions = session_factory(engine)
    rooms = [RoomInfo(f"r-{g.id}", g.room_topic or g.name) for g in home.groups.values()]
    rooms.append(RoomInfo("r-family", "家人群"))
    directory = RoomDirectory(home)
    with sessions.begin() as session:
        report = directory.bind(session, ACCOUNT, rooms[1:], NOW)  # the senior room is missing
    first = next(iter(home.groups))
    assert report.unbound == [first]
    assert [r.topic for r in report.unknown] == ["家人群"]
    assert directory.group_for_room(ACCOUNT, "r-taonan-junior") == "taonan-junior"

    renamed = [RoomInfo(r.id, "洮南农技交流群") if r.id == "r-taonan-junior" else r for r in rooms]
    restarted = RoomDirectory(home)
    with sessions.begin() as session:
        restarted.load(session)
        report = restarted.bind(session, ACCOUNT, renamed, NOW)
    assert report.unbound == [] and "taonan-junior" in report.bound
    assert restarted.room_for_group("taonan-junior") == "r-taonan-junior"


def test_other_accounts_groups_are_left_alone(demo_copy: Path, engine: Engine) -> None:
    """An account binds only the groups configured for it."""
    home = load_home(demo_copy)
    directory = RoomDirectory(home)
    with session_factory(engine).begin() as session:
        report = directory.bind(session, "another-account",
                                [RoomInfo("r1", "吉林省高级农技师工作群")], NOW)
    assert report.bound == {} and report.unbound == []
    assert directory.group_for_room("another-account", "r1") is None
