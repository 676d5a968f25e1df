"""The puppet-service methods over a real grpclib channel, against an in-process gateway."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from wechaty_grpc.wechaty import PuppetStub
from wechaty_grpc.wechaty.puppet import EventType

from bot.gateway import Gateway

from .conftest import BOT, NONGAN, TIMEOUT, stub_for

TECH = "wxid_t_nongan-junior_1"


class Events:
    """The event stream read in the background, with a bounded wait for what is wanted."""

    def __init__(self, stub: PuppetStub) -> None:
        self.items: list[tuple[EventType, dict[str, Any]]] = []
        self.ended = False
        self._changed = asyncio.Event()
        self._task = asyncio.ensure_future(self._read(stub))

    async def _read(self, stub: PuppetStub) -> None:
        async for response in stub.event():
            self.items.append((EventType(response.type), json.loads(response.payload)))
            self._changed.set()
        self.ended = True
        self._changed.set()

    async def until(self, kind: EventType, count: int = 1) -> list[dict[str, Any]]:
        async def wait() -> list[dict[str, Any]]:
            while len(found := [p for k, p in self.items if k == kind]) < count:
                if self.ended:
                    raise AssertionError(f"stream ended before {count} {kind.name}")
                self._changed.clear()
                await self._changed.wait()
            return found
        return await asyncio.wait_for(wait(), TIMEOUT)

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


@pytest.fixture
async def events(stub: PuppetStub) -> AsyncIterator[Events]:
    stream = Events(stub)
    yield stream
    await stream.close()


async def test_base_calls_answer(stub: PuppetStub) -> None:
    """Start, stop, version and ding answer as the client expects."""
    await stub.stop()
    await stub.start()
    assert (await stub.version()).version.startswith("agribot-gateway")
    await stub.ding(data="hello")
    await stub.dirty_payload(id=NONGAN)


async def test_wrong_token_is_refused_as_unauthenticated(gateway: Gateway) -> None:
    """A call with another token, unary or streamed, gets UNAUTHENTICATED and nothing else."""
    channel, bad = stub_for(gateway, token="not-the-token")
    try:
        with pytest.raises(GRPCError) as unary:
            await bad.room_list()
        assert unary.value.status is Status.UNAUTHENTICATED
        with pytest.raises(GRPCError) as streamed:
            async for _ in bad.event():
                pass
        assert streamed.value.status is Status.UNAUTHENTICATED
        assert "WECHATY_PUPPET_SERVICE_TOKEN" in (streamed.value.message or "")
    finally:
        channel.close()
    assert gateway.servicer is not None and gateway.servicer.refused_tokens == 2


async def test_rooms_contacts_and_members(stub: PuppetStub, gateway: Gateway) -> None:
    """Room list, room and member payloads and contacts come from the world."""
    assert gateway.world is not None
    ids = (await stub.room_list()).ids
    assert NONGAN in ids and len(ids) == len(gateway.world.rooms_of(BOT))
    room = await stub.room_payload(id=NONGAN)
    assert room.topic == gateway.world.room(NONGAN).topic and BOT in room.member_ids
    assert (await stub.room_member_list(id=NONGAN)).member_ids == room.member_ids
    member = await stub.room_member_payload(id=NONGAN, member_id=TECH)
    assert member.name == gateway.world.contact(TECH).name
    me = await stub.contact_payload(id=BOT)
    assert me.name == "吉林科协农技助手" and me.friend
    with pytest.raises(GRPCError) as missing:
        await stub.contact_payload(id="wxid_nobody")
    assert missing.value.status is Status.NOT_FOUND


async def test_events_login_ready_then_the_world(stub: PuppetStub, gateway: Gateway,
                                                 events: Events) -> None:
    """The stream opens with login and ready, then carries messages, joins and heartbeats."""
    assert gateway.world is not None
    login = await events.until(EventType.EVENT_TYPE_LOGIN)
    assert login == [{"contactId": BOT}]
    await events.until(EventType.EVENT_TYPE_READY)
    assert [k for k, _ in events.items[:2]] == [EventType.EVENT_TYPE_LOGIN,
                                                EventType.EVENT_TYPE_READY]
    said = gateway.world.speak(NONGAN, TECH, "玉米叶子发黄怎么办", mentions=[BOT])
    gateway.world.join(NONGAN, "wxid_newcomer", "赵新农")
    (message,) = await events.until(EventType.EVENT_TYPE_MESSAGE)
    payload = await stub.message_payload(id=message["messageId"])
    assert (payload.text, payload.from_id, payload.room_id, payload.mention_ids) == (
        "玉米叶子发黄怎么办", TECH, NONGAN, [BOT])
    assert payload.id == message["messageId"] and message["messageId"].endswith(f".{said}")
    (join,) = await events.until(EventType.EVENT_TYPE_ROOM_JOIN)
    assert join["inviteeIdList"] == ["wxid_newcomer"] and join["roomId"] == NONGAN
    await events.until(EventType.EVENT_TYPE_HEARTBEAT)


async def test_sends_land_in_the_world(stub: PuppetStub, gateway: Gateway) -> None:
    """Text with mentions, link cards, files and contact cards become world messages whose
    payloads read back over the wire."""
    world = gateway.world
    assert world is not None
    text_id = (await stub.message_send_text(conversation_id=NONGAN, text="@赵 你好",
                                            mentonal_ids=[TECH])).id
    card = {"url": "https://example.org/v", "title": "香菇栽培", "description": "第一集",
            "thumbnailUrl": ""}
    url_id = (await stub.message_send_url(conversation_id=NONGAN,
                                          url_link=json.dumps(card))).id
    box = {"boxType": 1, "name": "讲义.pdf", "base64": base64.b64encode(b"%PDF-1").decode()}
    file_id = (await stub.message_send_file(conversation_id=TECH,
                                            filebox=json.dumps(box))).id
    contact_id = (await stub.message_send_contact(conversation_id=NONGAN, contact_id=TECH)).id
    last = world.messages(NONGAN)[-3:]
    assert [(m.type, m.from_id) for m in last] == [("text", BOT), ("url", BOT), ("contact", BOT)]
    assert last[0].mentions == (TECH,) and last[1].title == "香菇栽培"
    private = world.private_messages(TECH)[-1]
    assert (private.type, private.file_name, private.file_size) == ("file", "讲义.pdf", 6)
    assert (await stub.message_payload(id=text_id)).text == "@赵 你好"
    assert json.loads((await stub.message_url(id=url_id)).url_link)["title"] == "香菇栽培"
    read_back = json.loads((await stub.message_file(id=file_id)).filebox)
    assert base64.b64decode(read_back["base64"]) == b"%PDF-1"
    assert (await stub.message_contact(id=contact_id)).id == TECH


async def test_refused_send_is_resource_exhausted(stub: PuppetStub, gateway: Gateway) -> None:
    """WeChat's "too frequent" refusal reaches the client as RESOURCE_EXHAUSTED with its words."""
    assert gateway.world is not None
    gateway.world.refuse_next_send()
    with pytest.raises(GRPCError) as refused:
        await stub.message_send_text(conversation_id=NONGAN, text="第一条")
    assert refused.value.status is Status.RESOURCE_EXHAUSTED
    assert "操作过于频繁" in str(refused.value)
    assert (await stub.message_send_text(conversation_id=NONGAN, text="第二条")).id


async def test_unknown_message_ids_are_not_found(stub: PuppetStub) -> None:
    """Ids from another world (another epoch) or malformed ones are NOT_FOUND, never a crash."""
    for bad in ("deadbeef.1", "garbage", ""):
        with pytest.raises(GRPCError) as missing:
            await stub.message_payload(id=bad)
        assert missing.value.status is Status.NOT_FOUND


async def test_end_streams_ends_the_event_stream_normally(gateway: Gateway,
                                                         events: Events) -> None:
    """Ending the streams (a gateway restarting its puppet) finishes the client's iteration."""
    assert gateway.servicer is not None
    await events.until(EventType.EVENT_TYPE_READY)
    gateway.servicer.end_streams()
    await asyncio.wait_for(events._task, TIMEOUT)
    assert events.ended and gateway.servicer.streams == 0


async def test_malformed_sends_are_invalid_argument(stub: PuppetStub) -> None:
    """A link card that is not an object with a url, or a file box without base64 bytes, is
    INVALID_ARGUMENT, never a crash; a path in a remote box is not read."""
    bad_boxes = [json.dumps({"boxType": 1, "name": "x.pdf", "localPath": "/etc/hostname"}),
                 "not json"]
    for card in ("[1]", json.dumps({"title": "无链接"}), "not json"):
        with pytest.raises(GRPCError) as refused:
            await stub.message_send_url(conversation_id=NONGAN, url_link=card)
        assert refused.value.status is Status.INVALID_ARGUMENT
    for box in bad_boxes:
        with pytest.raises(GRPCError) as refused:
            await stub.message_send_file(conversation_id=NONGAN, filebox=box)
        assert refused.value.status is Status.INVALID_ARGUMENT
