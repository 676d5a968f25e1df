"""The inbox: bursts handled as one batch, later messages handled, nothing left behind on stop."""

from __future__ import annotations

import asyncio

import pytest

from bot.chat.inbox import Inbox
from bot.core.messages import Inbound
from bot.db.runner import DatabaseRunner
from tests.chat.conftest import ACCOUNT, Chat, room_of


def message(n: int, chat: Chat) -> Inbound:
    return Inbound(f"i{n}", ACCOUNT, room_of("nongan-junior"), f"wxid_t_{n}", "张三", "#帮助",
                   chat.clock.now())


@pytest.fixture
def batches(chat: Chat) -> list[int]:
    sizes: list[int] = []
    handle = chat.router.handle_batch

    def counting(batch: list[Inbound]) -> None:
        sizes.append(len(batch))
        handle(batch)

    chat.router.handle_batch = counting  # type: ignore[method-assign]
    return sizes


async def test_a_burst_is_one_batch_and_stop_drains_it(chat: Chat, batches: list[int]) -> None:
    """Messages waiting when the inbox stops are handled together before it returns."""
    stop = asyncio.Event()
    inbox = Inbox(chat.router, DatabaseRunner(chat.router.sessions))
    for n in range(5):
        inbox.put(message(n, chat))
    stop.set()
    await asyncio.wait_for(inbox.run(stop), 5)
    assert batches == [5] and len(chat.outbox()) == 5


async def test_messages_arriving_later_are_handled(chat: Chat, batches: list[int]) -> None:
    """A running inbox picks up a message as soon as it is put."""
    stop = asyncio.Event()
    handled = asyncio.Event()
    inbox = Inbox(chat.router, DatabaseRunner(chat.router.sessions), on_handled=handled.set)
    running = asyncio.ensure_future(inbox.run(stop))
    inbox.put(message(1, chat))
    await asyncio.wait_for(handled.wait(), 5)
    stop.set()
    await asyncio.wait_for(running, 5)
    assert batches == [1] and len(chat.outbox()) == 1
