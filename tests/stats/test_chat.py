"""#统计 through a real Router, rooms and database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from bot.activities import chat as activities
from bot.chat.router import Router
from bot.clock import ManualClock
from bot.config import Home
from bot.config.settings import ReportsConfig
from bot.core.messages import Inbound, payload_from_json
from bot.db.engine import session_factory
from bot.db.schema import OutboxRow
from bot.stats import rollup
from bot.stats.chat import commands
from tests.harness import ACCOUNT, bound_router

ADMIN = "wxid_na_zhoulei"  # 农安县 admin
_ids = itertools.count(1)


@pytest.fixture
def router(engine: Engine, home: Home) -> Router:
    clock = ManualClock(datetime(2026, 3, 4, 2, 0, tzinfo=UTC))
    return bound_router(home, engine, clock, *commands(),
                        *activities.commands(lambda: ReportsConfig()))


def say(router: Router, sender: str, text: str, group: str | None = "nongan-junior") -> str:
    """Send one message; return the text of the replies it queued."""
    with router.sessions() as session:
        before = session.scalar(select(OutboxRow.id).order_by(OutboxRow.id.desc()).limit(1)) or 0
    router.handle_message(Inbound(f"m{next(_ids)}", ACCOUNT, f"room-{group}" if group else None,
                                  sender, "某人", text, router.clock.now()))
    with router.sessions() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.id > before)).all()
        return "\n".join(getattr(payload_from_json(r.payload), "text", "") for r in rows)


def test_stats_command_answers_admins_with_this_week(router: Router, engine: Engine,
                                                     home: Home) -> None:
    """#统计 gives an admin this week's figures for their region; members are refused."""
    say(router, ADMIN, "#开始培训 大豆")
    say(router, "m1", "#签到")
    say(router, "m1", "今天下雨")
    router.clock.advance(timedelta(minutes=1))
    with session_factory(engine).begin() as session:
        rollup.catch_up(session, home)
    reply = say(router, ADMIN, "#统计")
    assert "【本周统计】农安县 03-02–03-04" in reply
    assert "培训 1 场，签到 1 人次" in reply
    assert "消息 " in reply and "群 1 个" in reply
    private = say(router, "wxid_jl_zhangwd", "#统计", group=None)
    assert "吉林省" in private and f"群 {len(home.groups)} 个" in private
    assert "只有" in say(router, "m1", "#统计")
