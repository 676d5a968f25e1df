"""The one fan-out behind every live event stream: isolation, heartbeats, the end."""

from __future__ import annotations

import logging

import pytest

from bot.broadcast import Broadcast, Subscription


def broadcast(backlog: int = 10, heartbeat_seconds: float = 60.0) -> Broadcast[str]:
    return Broadcast("test", backlog=backlog, heartbeat_seconds=heartbeat_seconds,
                     heartbeat="♥")


async def take(subscription: Subscription[str], count: int) -> list[str]:
    items: list[str] = []
    async for item in subscription:
        items.append(item)
        if len(items) == count:
            break
    return items


async def test_every_open_subscription_gets_what_is_published_after_it_opened() -> None:
    """Items published before a subscription opens are not replayed to it; after, each gets
    every item in order."""
    events = broadcast()
    events.publish("before")
    with events.subscribe() as one, events.subscribe() as two:
        assert len(events) == 2
        events.publish("a")
        events.publish("b")
        assert await take(one, 2) == ["a", "b"]
        assert await take(two, 2) == ["a", "b"]
    assert len(events) == 0


async def test_a_stuck_subscriber_is_ended_and_the_others_go_on(
        caplog: pytest.LogCaptureFixture) -> None:
    """A subscriber ``backlog`` items behind is ended (it gets the end at once, not the
    backlog) and logged; a subscriber that keeps up loses nothing."""
    events = broadcast(backlog=2)
    with events.subscribe() as stuck, events.subscribe() as reader:
        with caplog.at_level(logging.WARNING):
            for n in range(3):
                events.publish(str(n))
                if n < 2:
                    assert await take(reader, 1) == [str(n)]
        assert await take(reader, 1) == ["2"]
        assert [item async for item in stuck] == []
        assert len(events) == 1
    assert "fell 2 items behind" in caplog.text


async def test_an_idle_subscription_yields_heartbeats() -> None:
    """With nothing published within ``heartbeat_seconds`` the stream carries the heartbeat."""
    events = broadcast(heartbeat_seconds=0)
    with events.subscribe() as idle:
        assert await take(idle, 2) == ["♥", "♥"]
        events.publish("x")
        assert await take(idle, 1) == ["x"]


async def test_close_ends_every_stream_normally_and_at_once() -> None:
    """Closing drops what is still queued and finishes each iteration without an error."""
    events = broadcast()
    with events.subscribe() as one, events.subscribe() as two:
        events.publish("unread")
        events.close()
        assert len(events) == 0
        assert [item async for item in one] == []
        assert [item async for item in two] == []
        events.publish("after")  # nobody is subscribed: nothing queued, nothing raised
