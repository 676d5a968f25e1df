"""The bot's own adapter over the unmodified ``PuppetService``, connected over real gRPC to an
in-process gateway: what the production path does, minus the second process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.chat.rooms import RoomInfo
from bot.core.messages import FileOut, Inbound, LinkOut, TextOut
from bot.core.ports import DeliveryError
from bot.gateway import Gateway
from bot.gateway import protocol as wire
from bot.transport import wechaty_compat as wc
from bot.transport.wechaty_adapter import Backoff, WechatyAdapter, service_puppet_factory

from .conftest import BOT, NONGAN, TIMEOUT, TOKEN

TECH = "wxid_t_nongan-junior_2"


@dataclass
class Client:
    adapter: WechatyAdapter
    gateway: Gateway
    inbox: asyncio.Queue[Inbound] = field(default_factory=asyncio.Queue)
    readies: asyncio.Queue[list[RoomInfo]] = field(default_factory=asyncio.Queue)
    delays: list[float] = field(default_factory=list)

    async def next(self) -> Inbound:
        return await asyncio.wait_for(self.inbox.get(), TIMEOUT)

    async def next_ready(self) -> list[RoomInfo]:
        return await asyncio.wait_for(self.readies.get(), TIMEOUT)


def connect(gateway: Gateway, monkeypatch: pytest.MonkeyPatch, token: str,
            on_sleep: Callable[[list[float]], None] = lambda _d: None) -> Client:
    """An adapter configured only through the environment, as ``agribot run`` configures it."""
    monkeypatch.setenv(wc.SERVICE_ENDPOINT_ENV, f"127.0.0.1:{gateway.port}")
    monkeypatch.setenv(wc.SERVICE_TOKEN_ENV, token)
    holder: dict[str, Client] = {}

    async def sleep(seconds: float) -> None:  # reconnect waits are recorded, never slept
        holder["c"].delays.append(seconds)
        on_sleep(holder["c"].delays)

    adapter = WechatyAdapter(
        gateway.account, service_puppet_factory(), sleep=sleep,
        on_message=lambda m: holder["c"].inbox.put_nowait(m),
        on_ready=lambda rooms: holder["c"].readies.put_nowait(rooms),
        backoff=Backoff(base=1, factor=2, cap=60))
    holder["c"] = Client(adapter, gateway)
    return holder["c"]


@pytest.fixture
async def client(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Client]:
    running = connect(gateway, monkeypatch, TOKEN)
    async with running.adapter:
        await running.adapter.wait_ready(TIMEOUT)
        yield running


async def test_ready_inbound_and_every_kind_of_send(client: Client, tmp_path: Path) -> None:
    """Rooms are listed, a member's words arrive as Inbound, and text, cards and files reach
    the world, all over gRPC."""
    world = client.gateway.world
    assert world is not None
    rooms = await client.next_ready()
    assert NONGAN in {r.id for r in rooms}
    world.speak(NONGAN, TECH, "@吉林科协农技助手 大豆什么时候打药", mentions=[BOT])
    got = await client.next()
    assert (got.room_id, got.sender_id, got.text, got.mentions_bot) == (
        NONGAN, TECH, "大豆什么时候打药", True)

    sent = await client.adapter.send(NONGAN, TextOut("请看课程", (TECH,)), to_room=True)
    line = world.messages(NONGAN)[-1]
    assert sent.message_id.endswith(f".{line.id}") and line.mentions == (TECH,)
    assert line.text.startswith("@" + world.contact(TECH).name)
    assert sent.detail["members"] == len(world.room(NONGAN).member_ids) - 1
    await client.adapter.send(NONGAN, LinkOut("大豆病虫害", "https://example.org/d"),
                              to_room=True)
    assert world.messages(NONGAN)[-1].title == "大豆病虫害"
    handout = tmp_path / "讲义.pdf"
    handout.write_bytes(b"%PDF-1.4 test")
    await client.adapter.send(TECH, FileOut(str(handout), "讲义.pdf"), to_room=False)
    private = world.private_messages(TECH)[-1]
    assert (private.type, private.file_name, private.file_size) == ("file", "讲义.pdf", 13)


async def test_refused_send_is_a_rate_limited_delivery_error(client: Client) -> None:
    """WeChat's refusal crosses the wire and becomes the DeliveryError the outbox retries."""
    world = client.gateway.world
    assert world is not None
    world.refuse_next_send()
    with pytest.raises(DeliveryError) as refused:
        await client.adapter.send(NONGAN, TextOut("太快了"), to_room=True)
    assert refused.value.rate_limited and refused.value.retryable
    await client.adapter.send(NONGAN, TextOut("再发一次"), to_room=True)
    assert [m.text for m in world.messages(NONGAN)[-1:]] == ["再发一次"]


async def test_ended_event_stream_reconnects(client: Client) -> None:
    """When the gateway ends the event stream, the adapter reconnects after its backoff, binds
    rooms again, and messages flow as before."""
    world, servicer = client.gateway.world, client.gateway.servicer
    assert world is not None and servicer is not None
    first = await client.next_ready()
    servicer.end_streams()
    assert await client.next_ready() == first
    assert client.delays == [1.0] and client.adapter.reconnects == 1
    world.speak(NONGAN, TECH, "又连上了")
    assert (await client.next()).text == "又连上了"


async def test_duplicate_message_event_is_handled_once(client: Client) -> None:
    """A gateway that sends the same message event twice gets it handled once: ids are stable
    on the wire, and a later message arrives right after the first."""
    world, servicer = client.gateway.world, client.gateway.servicer
    assert world is not None and servicer is not None
    first = world.speak(NONGAN, TECH, "第一条")
    assert (await client.next()).text == "第一条"
    servicer.publish(wire.event(wire.pb.EventType.EVENT_TYPE_MESSAGE,
                                messageId=servicer.wire_id(first)))
    world.speak(NONGAN, TECH, "第二条")
    assert (await client.next()).text == "第二条"
    assert client.inbox.empty()


async def test_wrong_token_says_so_once_and_backs_off(
        gateway: Gateway, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A refused token: one clear error line, no traceback, retries on a growing backoff."""
    tried = asyncio.Event()
    client = connect(gateway, monkeypatch, "wrong-token",
                     on_sleep=lambda delays: tried.set() if len(delays) >= 4 else None)
    with caplog.at_level(logging.DEBUG):
        async with client.adapter:
            await asyncio.wait_for(tried.wait(), TIMEOUT)
    assert client.delays[:4] == [1.0, 2.0, 4.0, 8.0]
    assert not client.adapter.ready
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "UNAUTHENTICATED" in errors[0].getMessage()
    assert "WECHATY_PUPPET_SERVICE_TOKEN" in errors[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    assert "wrong-token" not in caplog.text
    assert gateway.servicer is not None and gateway.servicer.refused_tokens >= 4


async def test_is_unauthenticated_reads_the_whole_chain() -> None:
    """The refused-token check finds UNAUTHENTICATED as the error or in its context only."""
    refused = wire.GRPCError(wire.Status.UNAUTHENTICATED, "no")
    try:
        try:
            raise refused
        finally:
            raise RuntimeError("start failed too")
    except RuntimeError as chained:
        assert wc.is_unauthenticated(chained)
    assert wc.is_unauthenticated(refused)
    assert not wc.is_unauthenticated(wire.GRPCError(wire.Status.UNAVAILABLE, "down"))
    assert not wc.is_unauthenticated(None)


