"""One account's view over the world: ids, what it sees, records, and the one rule for what a
face may send (link cards, files) that the puppet and the gateway both encode."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.transport.account_view import (
    AccountView,
    BadPayload,
    LinkCard,
    Record,
    Seen,
    Sight,
)
from bot.transport.local_world import Contact, LocalWorld, Membership, WorldError

A, B = "wxid_bot_a", "wxid_bot_b"
ROOM_A, ROOM_B = "ra@chatroom", "rb@chatroom"
TECH, EXPERT = "wxid_x", "wxid_e"


@pytest.fixture
def world() -> LocalWorld:
    world = LocalWorld(ManualClock(datetime(2026, 5, 1, 1, 0, tzinfo=UTC)))
    world.add_contact(Contact(A, "助手甲", "bot"))
    world.add_contact(Contact(B, "助手乙", "bot"))
    world.add_contact(Contact(TECH, "小徐"))
    world.add_contact(Contact(EXPERT, "王专家", "expert"))
    world.add_room(ROOM_A, "甲群", owner_id=A, member_ids=[TECH, EXPERT])
    world.add_room(ROOM_B, "乙群", owner_id=B, member_ids=[TECH])
    return world


def view_of(world: LocalWorld, account: str, **options: object) -> AccountView:
    return AccountView(world, account, prefix=f"p-{account}", **options)  # type: ignore[arg-type]


def watching(view: AccountView) -> list[Record]:
    seen: list[Record] = []
    view.watch(seen.append)
    return seen


def test_ids_name_the_face_and_nothing_else_reads_back(world: LocalWorld) -> None:
    """A wire id reads back to its world id; another prefix, a malformed or non-ASCII number
    is an unknown message."""
    view = view_of(world, "a")
    assert view.world_id(view.wire_id(42)) == 42
    for bad in ("p-b.42", "42", "", "p-a.", "p-a.x", "p-a.４２"):
        with pytest.raises(WorldError):
            view.world_id(bad)


def test_each_account_sees_its_rooms_and_its_own_private_chats(world: LocalWorld) -> None:
    """Rooms it is in and chats with its bot are readable; another bot's chat is not, even by
    a well-formed id."""
    a, b = view_of(world, "a"), view_of(world, "b")
    to_b = world.speak_private(TECH, "找乙", bot_id=B)
    in_a = world.speak(ROOM_A, TECH, "甲群里")
    assert [r.id for r in a.rooms()] == [ROOM_A] and [r.id for r in b.rooms()] == [ROOM_B]
    assert b.message(b.wire_id(to_b)).text == "找乙"
    with pytest.raises(WorldError):
        a.message(a.wire_id(to_b))
    with pytest.raises(WorldError):
        b.message(b.wire_id(in_a))


def test_records_are_what_the_account_is_told(world: LocalWorld) -> None:
    """A WeChat view hears every room message but its own and system lines, its private chats,
    and joins of its rooms (its own invitation included)."""
    a = view_of(world, "a")
    records = watching(a)
    world.speak(ROOM_A, TECH, "你好")
    world.speak(ROOM_B, TECH, "乙群的话")
    a.send_text(ROOM_A, "欢迎")
    world.speak_private(TECH, "私聊甲", bot_id=A)
    world.speak_private(TECH, "私聊乙", bot_id=B)
    world.join(ROOM_B, A, by=B)
    seen = [r for r in records if isinstance(r, Seen)]
    assert [(r.text, r.conversation) for r in seen] == [("你好", ROOM_A), ("私聊甲", TECH)]
    (joined,) = [r for r in records if isinstance(r, Membership)]
    assert (joined.room_id, joined.member_ids, joined.joined) == (ROOM_B, (A,), True)


def test_a_mentions_only_sight_is_a_property_of_the_view(world: LocalWorld) -> None:
    """As a WeCom 智能机器人 sees it: in groups only what @s the bot and no media; private
    media still arrives; no joins."""
    wecom = view_of(world, "a", sight=Sight(room_messages="mentions", room_media=False,
                                            memberships=False))
    records = watching(wecom)
    world.speak(ROOM_A, TECH, "大家好")
    world.speak(ROOM_A, TECH, "@助手甲 问个问题", mentions=[A])
    world.post(ROOM_A, TECH, "image", file_name="叶子.jpg", mentions=(A,))
    world.post(TECH, TECH, "image", bot_id=A, file_name="私发.jpg")
    world.join(ROOM_A, "wxid_new", "新人")
    assert [(r.message.type, r.text) for r in records if isinstance(r, Seen)] == [
        ("text", "@助手甲 问个问题"), ("image", "")]
    assert all(isinstance(r, Seen) for r in records)
    unmentioned = world.messages(ROOM_A)[0]
    assert wecom.can_read(unmentioned)  # shown, not delivered: the page still shows it


def test_link_cards_are_checked_the_same_for_every_face(world: LocalWorld) -> None:
    """A card must be a JSON object of strings with a url; anything else is a bad payload
    (before, the puppet raised a JSON error or AttributeError and the gateway let a card
    without a url through)."""
    a = view_of(world, "a")
    card = LinkCard.from_json('{"url": "https://e.org/v", "title": "香菇", "thumbnailUrl": ""}')
    seen = a.message(a.send_card(ROOM_A, card))
    assert seen.card == card and seen.text == "香菇"
    assert LinkCard.from_json(card.to_json()) == card
    for bad in ("not json", "[1]", '{"title": "无链接"}', '{"url": 5}', b"\xff"):
        with pytest.raises(BadPayload):
            LinkCard.from_json(bad)


def test_sent_files_follow_one_rule(world: LocalWorld, tmp_path: Path) -> None:
    """A readable path is kept as it is; bytes alone go to the face's files folder (a face
    without one refuses them instead of logging a file with no content); the kind comes from
    the media type, else the name; the size is the bytes'."""
    on_disk = tmp_path / "讲义.pdf"
    on_disk.write_bytes(b"%PDF-1.4")
    kept = view_of(world, "a", files=tmp_path / "kept")
    by_path = kept.message(kept.send_file(ROOM_A, "讲义.pdf", path=str(on_disk))).message
    assert (by_path.type, by_path.file_path, by_path.file_size) == ("file", str(on_disk), 8)
    by_bytes = kept.message(kept.send_file(TECH, "图.png", data=b"\x89PNG")).message
    assert (by_bytes.type, by_bytes.file_size) == ("image", 4)
    assert Path(by_bytes.file_path).parent == tmp_path / "kept"
    assert kept.file(kept.wire_id(by_bytes.id))[0].read_bytes() == b"\x89PNG"
    typed = kept.message(kept.send_file(TECH, "scan", media_type="image/jpeg", data=b"j"))
    assert typed.message.type == "image"
    with pytest.raises(BadPayload):
        view_of(world, "a").send_file(TECH, "图.png", data=b"\x89PNG")
    with pytest.raises(BadPayload):
        kept.send_file(TECH, "无.pdf", path=str(tmp_path / "missing.pdf"))


def test_sends_go_only_where_the_account_may_write(world: LocalWorld) -> None:
    """A room the bot is not in, the bot itself or an unknown contact are refused, and nothing
    is posted."""
    a = view_of(world, "a")
    before = len(world.messages(ROOM_B))
    for conversation in (ROOM_B, A, "wxid_nobody"):
        with pytest.raises(WorldError):
            a.send_text(conversation, "不该发出")
    assert len(world.messages(ROOM_B)) == before


def test_a_failing_face_is_logged_and_the_world_goes_on(world: LocalWorld,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    """One face that fails to encode a record neither breaks the speaker's call nor keeps the
    record from another face."""
    def broken(_record: Record) -> None:
        raise RuntimeError("encoder bug")

    view_of(world, "a").watch(broken)
    other = watching(view_of(world, "a"))
    with caplog.at_level(logging.ERROR):
        world.speak(ROOM_A, TECH, "照常说话")
    assert [r.text for r in other if isinstance(r, Seen)] == ["照常说话"]
    assert "could not pass on a world event" in caplog.text
