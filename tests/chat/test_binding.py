"""Binding a WeCom chat to a configured group: "@bot #绑定 <group-id>" from an admin."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from sqlalchemy import Engine, select

from bot import messages as msg
from bot.chat.basics import help_command
from bot.chat.binding import Binder
from bot.chat.rooms import RoomDirectory
from bot.chat.router import Router
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.core.messages import Inbound, TextOut, payload_from_json
from bot.db.engine import session_factory
from bot.db.schema import OutboxRow, RoomBinding
from tests.harness import ACCOUNT
from tests.wecom_home import make_wecom

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CITY_ADMIN = "wxid_cc_wangshuzhen"  # 长春市: runs 农安县 too
OTHER_COUNTY_ADMIN = "wxid_tn_gaojinlong"  # 洮南市
_ids = count(1)


def _setup(home: Home, engine: Engine) -> tuple[Router, Binder, RoomDirectory]:
    rooms = RoomDirectory(home)
    router = Router(home, session_factory(engine), ManualClock(NOW), rooms)
    binder = Binder(home, rooms)
    router.add(help_command(router), binder.command())
    router.unbound_room = binder.unbound_chat
    return router, binder, rooms


def _say(router: Router, sender: str, text: str, room: str | None = "chat-1") -> None:
    router.handle_message(Inbound(
        message_id=f"m{next(_ids)}", account=ACCOUNT, room_id=room, sender_id=sender,
        sender_name=sender, text=text, ts=NOW, mentions_bot=True))


def _queued(engine: Engine) -> list[tuple[str, str, str]]:
    with session_factory(engine)() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [(r.target_kind, r.target_id, p.text) for r in rows
                if isinstance(p := payload_from_json(r.payload), TextOut)]


def test_admin_binds_a_chat_and_the_group_is_served_there(demo_copy: Path,
                                                          engine: Engine) -> None:
    """An admin of the region above binds the chat; it is stored with who bound it, the group
    hears so, and #帮助 there is answered in the group with what applies on WeCom."""
    home = load_home(make_wecom(demo_copy))
    router, _binder, rooms = _setup(home, engine)
    _say(router, CITY_ADMIN, "#绑定 nongan-junior")
    assert rooms.group_for_room(ACCOUNT, "chat-1") == "nongan-junior"
    with session_factory(engine)() as session:
        row = session.get(RoomBinding, "nongan-junior")
        assert row is not None and row.room_id == "chat-1" and row.bound_by == CITY_ADMIN
    _say(router, "tech-1", "#帮助")
    queued = _queued(engine)
    assert queued[0][:2] == ("group", "nongan-junior") and "已绑定" in queued[0][2]
    assert queued[1][:2] == ("group", "nongan-junior")
    assert msg.CAP_MENTION_ONLY in queued[1][2] and "#绑定" not in queued[1][2]
    _say(router, CITY_ADMIN, "#帮助")
    assert "#绑定" in _queued(engine)[-1][2]  # an admin's help shows it
    restarted = RoomDirectory(home)
    with session_factory(engine)() as session:
        restarted.load(session)
    assert restarted.group_for_room(ACCOUNT, "chat-1") == "nongan-junior"


def test_binding_is_refused_to_others_privately(demo_copy: Path, engine: Engine) -> None:
    """A technician, another county's admin, an unknown id: nothing bound, each told
    privately why."""
    home = load_home(make_wecom(demo_copy))
    router, _binder, rooms = _setup(home, engine)
    _say(router, "tech-1", "#绑定 nongan-junior")
    _say(router, OTHER_COUNTY_ADMIN, "#绑定 nongan-junior")
    _say(router, CITY_ADMIN, "#绑定 no-such-group")
    _say(router, CITY_ADMIN, "#绑定")
    assert rooms.group_for_room(ACCOUNT, "chat-1") is None
    queued = _queued(engine)
    assert [(kind, to) for kind, to, _ in queued] == [
        ("contact", "tech-1"), ("contact", OTHER_COUNTY_ADMIN), ("contact", CITY_ADMIN),
        ("contact", CITY_ADMIN)]
    assert "管理员" in queued[0][2] and "no-such-group" in queued[2][2]
    assert "#绑定" in queued[3][2]


def test_an_unknown_chat_is_reported_to_the_province_once(demo_copy: Path,
                                                          engine: Engine) -> None:
    """Someone @s the bot in a chat nobody bound: the province's admins hear of it once."""
    home = load_home(make_wecom(demo_copy))
    router, _binder, _rooms = _setup(home, engine)
    _say(router, "tech-1", "香菇出现绿霉怎么办")
    _say(router, "tech-2", "有人吗")
    province = {a.id for a in home.admins_of(home.province_id)}
    queued = _queued(engine)
    assert {to for _, to, _ in queued} == province and len(queued) == len(province)
    assert "chat-1" in queued[0][2]


def test_on_ready_the_unbound_groups_are_reported_once(demo_copy: Path,
                                                        engine: Engine) -> None:
    """A WeCom account cannot list its chats: on ready, the groups still to bind are told to
    the province with the command that binds them, once per situation."""
    home = load_home(make_wecom(demo_copy))
    _router, binder, _rooms = _setup(home, engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        unbound = binder.report_unbound(session, ACCOUNT, NOW)
    with sessions.begin() as session:
        binder.report_unbound(session, ACCOUNT, NOW)
    assert set(unbound) == set(home.groups)
    queued = _queued(engine)
    assert len(queued) == len(home.admins_of(home.province_id))
    assert "#绑定 nongan-junior" in queued[0][2]
