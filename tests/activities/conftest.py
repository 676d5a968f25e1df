"""Shared fixtures: the demo home with an overflow county (农安县 has two junior groups), a
router with the activity commands, and helpers that speak through it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.activities import chat as activities
from bot.chat.router import Router
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.core.messages import Inbound, MessageKind, Payload, payload_from_json
from bot.db.schema import OutboxRow
from tests.harness import ACCOUNT, bound_router

ADMIN = "wxid_na_zhoulei"  # 农安县 admin
SECOND = "nongan-junior-2"  # 农安县's overflow group
_ids = itertools.count(1)

OVERFLOW = """  - id: nongan-junior-2
    name: 农安县初级农技师工作二群
    tier: junior
    region: nongan
    account: jilin-kexie
    room_topic: 农安县初级农技师工作二群
"""


def with_overflow_group(home: Path) -> Path:
    """Add 农安县's second junior group to a home copy, right after its first."""
    groups = home / "config" / "groups.yaml"
    text = groups.read_text("utf-8")
    anchor = "    room_topic: 农安县初级农技师工作群\n"
    assert anchor in text
    groups.write_text(text.replace(anchor, anchor + OVERFLOW, 1), "utf-8")
    return home


@pytest.fixture
def home(demo_copy: Path) -> Home:
    return load_home(with_overflow_group(demo_copy))


@pytest.fixture
def router(engine: Engine, home: Home) -> Router:
    clock = ManualClock(datetime(2026, 3, 4, 2, 0, tzinfo=UTC))
    router = bound_router(home, engine, clock, *activities.commands(
        lambda: home.reports))
    for fallback in activities.fallbacks():
        router.add_fallback(fallback)
    return router


def post(router: Router, sender: str, text: str, group: str | None = "nongan-junior", *,
         kind: MessageKind = MessageKind.TEXT, media: str | None = None,
         mentions: tuple[str, ...] = (), name: str = "某人") -> list[tuple[str, Payload]]:
    """Send one message; return what it queued, as (target, payload)."""
    with router.sessions() as session:
        before = session.scalar(select(OutboxRow.id).order_by(OutboxRow.id.desc()).limit(1)) or 0
    router.handle_message(Inbound(f"m{next(_ids)}", ACCOUNT, f"room-{group}" if group else None,
                                  sender, name, text, router.clock.now(), kind=kind,
                                  mentions=mentions, media=media))
    with router.sessions() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.id > before)
                               .order_by(OutboxRow.id)).all()
        return [(f"{r.target_kind}:{r.target_id}", payload_from_json(r.payload)) for r in rows]


def say(router: Router, sender: str, text: str, group: str | None = "nongan-junior",
        **kwargs: object) -> str:
    """Send one message; return the text of everything it queued."""
    return "\n".join(getattr(p, "text", "") for _, p in post(router, sender, text, group,
                                                              **kwargs))  # type: ignore[arg-type]
