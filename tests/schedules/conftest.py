"""Homes with hand-written schedule files, a clock, and readers for what a firing left behind."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot.config import Home, load_home
from bot.core.messages import Payload, payload_from_json
from bot.db.engine import session_factory
from bot.db.schema import Event, OutboxRow, PushLog

ACCOUNT = "jilin-kexie"
# 2026-12-01 is a Tuesday; the demo home's time zone is Asia/Shanghai (UTC+8).
MONDAY_NOON = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def home_dir(demo_copy: Path) -> Path:
    """The demo home without its schedules: each test writes the files it needs."""
    shutil.rmtree(demo_copy / "schedules", ignore_errors=True)
    (demo_copy / "schedules").mkdir()
    return demo_copy


def write(home_dir: Path, rel: str, text: str) -> Path:
    path = home_dir / "schedules" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def home_of(home_dir: Path) -> Home:
    return load_home(home_dir)


def outbox(engine: Engine) -> list[OutboxRow]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def pushes(engine: Engine) -> list[tuple[str, str | None, str]]:
    """(group, content, key) of every push queued, in order."""
    return [(r.target_id, r.ref, r.key) for r in outbox(engine) if r.purpose == "push"]


def payload(row: OutboxRow) -> Payload:
    return payload_from_json(row.payload)


def events(engine: Engine, kind: str | None = None) -> list[Event]:
    with session_factory(engine)() as session:
        query = select(Event).order_by(Event.id)
        if kind is not None:
            query = query.where(Event.kind == kind)
        return list(session.scalars(query))


def push_log(engine: Engine) -> list[PushLog]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(PushLog).order_by(PushLog.fire_time, PushLog.key)))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Asia/Shanghai, as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)
