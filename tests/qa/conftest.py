"""A conversation harness for Q&A: the demo home, a real Router with every demo group bound to a
room, a real database, an injected clock, and the Q&A feature installed as the app installs it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.chat.router import Router
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.core.messages import Inbound, MessageKind, Quote, TextOut, payload_from_json
from bot.db.engine import session_factory
from bot.db.schema import Event, OutboxRow, Question
from bot.qa import QaService
from tests.harness import ACCOUNT, bound_router, room_of

START = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Jilin

# The demo world's people (config/groups.yaml).
TECH = "wxid_t_jiutai_01"  # a technician in the 九台区 junior group
JIUTAI_FUNGI = "wxid_exp_yinhongliang"  # 尹洪亮, 九台区 食用菌
JIUTAI_GENERAL = "wxid_exp_suilihua"  # 隋立华, 九台区 general
CITY_FUNGI = "wxid_exp_bailijun"  # 白立军, 长春市 棚膜蔬菜与食用菌
PROVINCE_FUNGI = "wxid_exp_liyunfeng"  # 李云峰, 省 食用菌
JIUTAI_ADMIN = "wxid_jt_fengbo"  # 冯波
NONGAN_ADMIN = "wxid_na_zhoulei"


@dataclass(frozen=True)
class Sent:
    key: str
    target: tuple[str, str]
    account: str
    purpose: str
    ref: str | None
    text: str
    mentions: tuple[str, ...]


@dataclass
class Chat:
    """Speak to the router as members do; read what it queued and recorded."""

    router: Router
    home: Home
    engine: Engine
    clock: ManualClock
    qa: QaService
    ids: count[int] = field(default_factory=lambda: count(1))
    _read: int = 0

    def say(self, sender: str, text: str, *, group: str | None = "jiutai-junior",
            name: str = "", kind: MessageKind = MessageKind.TEXT, mentions_bot: bool = False,
            quote: Quote | None = None, mentions: tuple[str, ...] = ()) -> str:
        message_id = f"m{next(self.ids)}"
        self.router.handle_message(Inbound(
            message_id=message_id, account=ACCOUNT, room_id=room_of(group) if group else None,
            sender_id=sender, sender_name=name or sender, text=text, ts=self.clock.now(),
            kind=kind, mentions=mentions, mentions_bot=mentions_bot, quote=quote))
        return message_id

    def outbox(self) -> list[Sent]:
        with session_factory(self.engine)() as session:
            rows = list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
        found = []
        for row in rows:
            payload = payload_from_json(row.payload)
            assert isinstance(payload, TextOut)
            found.append(Sent(row.key, (row.target_kind, row.target_id), row.account,
                              row.purpose, row.ref, payload.text, payload.mentions))
        return found

    def new(self) -> list[Sent]:
        """What was queued since the last call."""
        rows = self.outbox()
        fresh, self._read = rows[self._read:], len(rows)
        return fresh

    def to(self, kind: str, target: str, rows: list[Sent] | None = None) -> list[Sent]:
        return [r for r in (self.outbox() if rows is None else rows)
                if r.target == (kind, target)]

    def events(self, kind: str | None = None) -> list[Event]:
        with session_factory(self.engine)() as session:
            found = list(session.scalars(select(Event).order_by(Event.id)))
        return [e for e in found if kind is None or e.kind == kind]

    def questions(self) -> list[Question]:
        with session_factory(self.engine)() as session:
            return list(session.scalars(select(Question).order_by(Question.id)))

    def tick(self) -> int:
        with session_factory(self.engine).begin() as session:
            return self.qa.escalate_due(session, self.clock.now())

    def ask(self, text: str, *, sender: str = TECH, group: str = "jiutai-junior") -> str:
        """Ask and return the new question's id (``Q-0001``)."""
        self.say(sender, f"#问 {text}", group=group, name="张志强")
        return f"Q-{self.questions()[-1].id:04d}"


def detail(event: Event) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(event.detail)
    return loaded


def make_chat(home_dir: Path, engine: Engine) -> Chat:
    home = load_home(home_dir)
    clock = ManualClock(START)
    router = bound_router(home, engine, clock)
    qa = QaService.build(home, session_factory(engine))
    qa.install(router)
    return Chat(router, home, engine, clock, qa)


@pytest.fixture
def chat(demo_copy: Path, engine: Engine) -> Chat:
    return make_chat(demo_copy, engine)
