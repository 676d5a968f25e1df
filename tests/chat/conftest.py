"""A router over the demo home and a real database, with every demo group bound to a room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.chat.router import Router
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.core.messages import Inbound, MessageKind, TextOut, payload_from_json
from bot.db.engine import session_factory
from bot.db.schema import OutboxRow
from tests.harness import ACCOUNT, bound_router, room_of


@dataclass
class Chat:
    """Speak to a router as members do and read what it queued."""

    router: Router
    home: Home
    engine: Engine
    clock: ManualClock
    ids = count(1)

    def say(self, sender: str, text: str, *, group: str | None = "nongan-junior",
            name: str = "", kind: MessageKind = MessageKind.TEXT) -> str:
        message_id = f"m{next(self.ids)}"
        self.router.handle_message(Inbound(
            message_id=message_id, account=ACCOUNT, room_id=room_of(group) if group else None,
            sender_id=sender, sender_name=name or sender, text=text, ts=self.clock.now(),
            kind=kind))
        return message_id

    def outbox(self) -> list[OutboxRow]:
        with session_factory(self.engine)() as session:
            return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))

    def texts(self) -> list[str]:
        return [p.text for r in self.outbox()
                if isinstance(p := payload_from_json(r.payload), TextOut)]


@pytest.fixture
def chat(demo_copy: Path, engine: Engine) -> Chat:
    home = load_home(demo_copy)
    clock = ManualClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    return Chat(bound_router(home, engine, clock), home, engine, clock)
