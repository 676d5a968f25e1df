"""#课程, #点播 and #暂停推送 / #恢复推送 through the real router and database."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.config import Home
from bot.core import events as kinds
from bot.core.messages import Inbound, TextOut
from bot.db.engine import session_factory
from bot.schedules.chat import DAILY_REQUESTS, commands
from bot.schedules.firing import fire
from bot.schedules.loader import load_schedules
from tests.harness import bound_router
from tests.schedules.conftest import ACCOUNT, events, home_of, local, outbox, payload, write

TECH = "wxid_t_jiutai_1"
COUNTY_ADMIN = "wxid_jt_fengbo"  # 九台区
OTHER_ADMIN = "wxid_tn_gaojinlong"  # 洮南市


class Chat:
    ids = count(1)

    def __init__(self, home: Home, engine: Engine, clock: ManualClock) -> None:
        self.home, self.engine, self.clock = home, engine, clock
        book = load_schedules(home)
        self.router = bound_router(home, engine, clock, *commands(lambda _home: book))

    def say(self, sender: str, text: str, group: str | None = "jiutai-junior") -> None:
        self.router.handle_message(Inbound(
            message_id=f"m{next(self.ids)}", account=ACCOUNT,
            room_id=f"room-{group}" if group else None, sender_id=sender, sender_name=sender,
            text=text, ts=self.clock.now()))

    def last_text(self) -> str:
        texts = [p.text for r in outbox(self.engine) if isinstance(p := payload(r), TextOut)]
        return texts[-1]

    def pushes(self) -> list[tuple[str, str | None]]:
        return [(r.target_id, r.ref) for r in outbox(self.engine) if r.purpose == "push"]


@pytest.fixture
def chat(home_dir: Path, engine: Engine) -> Chat:
    write(home_dir, "jilin/changchun/jiutai.yaml", (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: lvmei\n"
        "    targets: [jiutai-junior]\n"
        "    when: {weekly: {weekdays: [四], time: \"20:00\"}}\n"
        "    what: {series: xianggu-lvmei}\n"))
    return Chat(home_of(home_dir), engine, ManualClock(local(2026, 12, 1, 10)))


def test_request_queues_the_course_to_the_group(chat: Chat) -> None:
    """#点播 sends the item to the group as a push and records who asked."""
    chat.say(TECH, "#点播 CS-002")
    assert chat.pushes() == [("jiutai-junior", "cs-002")]
    assert "全株玉米青贮制作技术" in chat.last_text()
    [queued] = events(chat.engine, kinds.PUSH_QUEUED)
    assert (queued.actor, queued.ref, queued.group_id) == (TECH, "cs-002", "jiutai-junior")


def test_request_limit_per_member_per_day(chat: Chat) -> None:
    """The fourth request of a local day is refused; the next day it works again."""
    for item in ("cs-002", "cs-003", "cs-004", "po-001"):
        chat.say(TECH, f"#点播 {item}")
    assert len(chat.pushes()) == DAILY_REQUESTS
    assert "每人每天最多点播 3 次" in chat.last_text()
    chat.say("wxid_t_jiutai_2", "#点播 po-001")  # another member is not limited by the first
    assert len(chat.pushes()) == DAILY_REQUESTS + 1
    chat.clock.advance(timedelta(days=1))
    chat.say(TECH, "#点播 po-001")
    assert chat.pushes()[-1] == ("jiutai-junior", "po-001")


def test_request_must_suit_the_tier_and_exist(chat: Chat) -> None:
    """A senior course is refused in a junior group; unknown ids and a bare #点播 get help."""
    chat.say(TECH, "#点播 cs-005")
    assert "不适合本群（初级）" in chat.last_text()
    chat.say(TECH, "#点播 zz-999")
    assert "没有编号为 “zz-999”" in chat.last_text()
    chat.say(TECH, "#点播")
    assert "请写上课程编号" in chat.last_text()
    assert chat.pushes() == []


def test_courses_lists_upcoming_pushes_and_searches(chat: Chat) -> None:
    """#课程 shows the group's next episodes; #课程 香菇 finds junior-suited items only."""
    chat.say(TECH, "#课程")
    text = chat.last_text()
    assert "2026-12-03 周四 20:00  ef-007" in text and "2026-12-10 周四 20:00  ef-008" in text
    chat.say(TECH, "#课程 香菇")
    found = chat.last_text()
    assert "ef-001" in found and "ef-007" in found
    chat.say(TECH, "#课程 产业园区")  # ef-006 is senior only
    assert "没有找到" in chat.last_text()


def test_pause_is_admin_only_and_skips_pushes(chat: Chat) -> None:
    """A member and a neighbouring county's admin cannot pause; the county admin can."""
    chat.say(TECH, "#暂停推送")
    assert "只有本群所属地区的管理员" in chat.last_text()
    chat.say(OTHER_ADMIN, "#暂停推送 jiutai-junior", group="taonan-junior")
    assert "不归您管理" in chat.last_text()
    chat.say(COUNTY_ADMIN, "#暂停推送")
    assert "已暂停" in chat.last_text()
    assert [e.group_id for e in events(chat.engine, kinds.PUSH_PAUSED)] == ["jiutai-junior"]
    chat.say(TECH, "#课程")
    assert "已暂停" in chat.last_text()

    schedule = load_schedules(chat.home).schedules["lvmei"]
    at = local(2026, 12, 3, 20)
    with session_factory(chat.engine).begin() as session:
        assert fire(session, chat.home, schedule, at, at).skipped == {"jiutai-junior": "paused"}
    chat.say(COUNTY_ADMIN, "#恢复推送")
    assert "已恢复" in chat.last_text()
    at = local(2026, 12, 10, 20)
    with session_factory(chat.engine).begin() as session:
        assert fire(session, chat.home, schedule, at, at).queued == {"jiutai-junior": "ef-007"}
    assert [e.group_id for e in events(chat.engine, kinds.PUSH_RESUMED)] == ["jiutai-junior"]
