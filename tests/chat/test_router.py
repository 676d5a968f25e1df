"""The router: records every message, runs commands, survives failing handlers and duplicates."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot import eventlog
from bot import messages as msg
from bot.chat.router import CommandSpec
from bot.chat.turn import Turn
from bot.core.messages import Inbound, MembershipChange, MessageKind
from bot.db.engine import session_factory
from bot.db.schema import Event
from tests.chat.conftest import ACCOUNT, Chat, room_of

TECH = "wxid_t_nongan_1"


def events(chat: Chat) -> list[Event]:
    with session_factory(chat.engine)() as session:
        return list(session.scalars(select(Event).order_by(Event.id)))


def test_help_answers_in_the_room(chat: Chat) -> None:
    """#帮助 from a technician queues the help text to the same group."""
    chat.say(TECH, "#帮助")
    [row] = chat.outbox()
    assert row.target_kind == "group" and row.target_id == "nongan-junior"
    assert "#帮助" in chat.texts()[0]
    [event] = events(chat)
    assert (event.kind, event.ref, event.actor) == ("command", "帮助", TECH)


def test_plain_chat_is_counted_without_its_text(chat: Chat) -> None:
    """Ordinary messages are events with kind and length only, unless bot.yaml opts in."""
    chat.say(TECH, "大家好，今年雨水多")
    [event] = events(chat)
    assert event.kind == "message" and "雨水" not in event.detail
    assert '"length":9' in event.detail
    assert chat.outbox() == []


def test_unknown_command_gets_a_pointer_to_help(chat: Chat) -> None:
    """A mistyped command is answered, not silently dropped."""
    chat.say(TECH, "#帮主")
    assert "#帮助" in chat.texts()[0]


def test_admin_only_commands_check_the_sender_id(chat: Chat) -> None:
    """An admin-only command from a member is refused; from the region's admin it runs."""
    ran: list[str] = []
    chat.router.add(CommandSpec("统计", lambda turn, args: ran.append(turn.sender), "#统计",
                                admin_only=True))
    county_admin = next(a.id for a in chat.home.admins if a.region == "nongan")
    city_admin = next(a.id for a in chat.home.admins if a.region == "changchun")
    other_admin = next(a.id for a in chat.home.admins if a.region == "taonan")
    for sender in (TECH, other_admin, county_admin, city_admin):
        chat.say(sender, "#统计")
    assert ran == [county_admin, city_admin]  # a city admin also runs its counties


def test_failing_handler_rolls_back_and_apologises(chat: Chat) -> None:
    """A handler that raises leaves no half-written state, and the sender hears about it."""
    def broken(turn: Turn, args: str) -> None:
        turn.reply("half done")
        raise RuntimeError("boom")

    chat.router.add(CommandSpec("签到", broken, "#签到"))
    chat.say(TECH, "#签到")
    assert events(chat) == []
    assert chat.texts() == ["抱歉，处理这条消息时出错了，已记录，请稍后再试。"]
    chat.say(TECH, "#帮助")  # and the bot carries on
    assert len(chat.outbox()) == 2


def test_duplicate_delivery_is_handled_once(chat: Chat) -> None:
    """The same message id delivered twice is recorded and answered once."""
    inbound = Inbound("dup-1", ACCOUNT, room_of("nongan-junior"), TECH, "张三", "#帮助",
                      chat.clock.now())
    chat.router.handle_message(inbound)
    chat.router.handle_message(inbound)
    assert len(events(chat)) == 1 and len(chat.outbox()) == 1


def test_unbound_rooms_are_ignored(chat: Chat) -> None:
    """Messages from rooms no group claims are not recorded."""
    chat.router.handle_message(Inbound(
        "x1", ACCOUNT, "room-unknown", TECH, "张三", "#帮助", chat.clock.now()))
    assert events(chat) == [] and chat.outbox() == []


def test_private_chat_replies_privately(chat: Chat) -> None:
    """#帮助 in private chat is answered to the sender, not to a group."""
    chat.say(TECH, "#帮助", group=None)
    [row] = chat.outbox()
    assert (row.target_kind, row.target_id) == ("contact", TECH)


def test_join_is_recorded_and_welcomed(chat: Chat) -> None:
    """New members become join events and get the welcome template with their names."""
    chat.router.handle_membership(MembershipChange(
        ACCOUNT, room_of("taonan-junior"), ("wxid_new1", "wxid_new2"), ("王芳", "李强"), True,
        chat.clock.now()))
    assert [(e.kind, e.actor, e.group_id) for e in events(chat)] == [
        ("join", "wxid_new1", "taonan-junior"), ("join", "wxid_new2", "taonan-junior")]
    [row] = chat.outbox()
    assert "王芳、李强" in chat.texts()[0] and "洮南市初级农技师工作群" in chat.texts()[0]
    assert '"wxid_new1"' in row.payload  # the newcomers are @-mentioned
    chat.router.handle_membership(MembershipChange(
        ACCOUNT, room_of("taonan-junior"), ("wxid_new1",), ("王芳",), False, chat.clock.now()))
    assert events(chat)[-1].kind == "leave"
    with session_factory(chat.engine)() as session:
        assert eventlog.verify(session) == (3, None)


@pytest.mark.parametrize("kind", [MessageKind.IMAGE, MessageKind.VIDEO])
def test_media_is_counted(chat: Chat, kind: MessageKind) -> None:
    """Photos and videos are messages too, recorded with their kind."""
    chat.say(TECH, "", kind=kind)
    assert f'"kind":"{kind.value}"' in events(chat)[0].detail


def test_a_failing_message_in_a_batch_costs_only_its_own_apology(chat: Chat) -> None:
    """A batch with one bad message is redone one by one: the others are kept, it apologises."""
    def picky(turn: Turn, args: str) -> None:
        if args == "坏":
            raise RuntimeError("bad input")
        turn.reply(f"收到 {args}")

    chat.router.add(CommandSpec("签到", picky, "#签到"))
    batch = [Inbound(f"b{n}", ACCOUNT, room_of("nongan-junior"), TECH, "张三", f"#签到 {word}",
                     chat.clock.now()) for n, word in enumerate(["一", "坏", "三"])]
    chat.router.handle_batch(batch)
    assert chat.texts() == ["收到 一", msg.HANDLER_FAILED, "收到 三"]
    assert [e.kind for e in events(chat)] == ["command", "command"]
    with session_factory(chat.engine)() as session:
        assert eventlog.verify(session) == (2, None)


def test_a_batch_commits_once_and_chains(chat: Chat) -> None:
    """Many messages in one batch are all recorded, in order, on one intact chain."""
    batch = [Inbound(f"c{n}", ACCOUNT, room_of("taonan-junior"), TECH, "张三", f"第{n}条",
                     chat.clock.now()) for n in range(30)]
    chat.router.handle_batch(batch)
    assert [e.detail for e in events(chat)][-1] == '{"kind":"text","length":4}'
    with session_factory(chat.engine)() as session:
        assert eventlog.verify(session) == (30, None)
