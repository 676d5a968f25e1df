"""One fan-out for every live event stream: the simulator's server-sent events, the gateway's
gRPC event stream, and whatever face comes next.

A :class:`Broadcast` hands each published item to every open :class:`Subscription`, each
through its own bounded queue, so one delivery never affects another: :meth:`Broadcast.publish`
never blocks and never raises, and a subscriber that falls ``backlog`` items behind is ended
(logged here; its client reconnects) while the others go on. An idle subscription yields a
heartbeat every ``heartbeat_seconds``, so proxies keep the connection open, and
:meth:`Broadcast.close` ends every stream normally, at once, instead of holding up a shutdown.

Publish from the event loop's thread only (the world's observers run there).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_END = object()  # the end marker: never an item, whatever T is


class Subscription(Generic[T]):
    """One subscriber's stream: ``with broadcast.subscribe() as s: async for item in s: ...``.

    It receives what is published from the moment it is opened, so a face can first send its
    own greeting (login, ready) without missing anything that happens meanwhile."""

    def __init__(self, broadcast: Broadcast[T]) -> None:
        self._broadcast = broadcast
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=broadcast.backlog)

    def __enter__(self) -> Subscription[T]:
        self._broadcast._open.add(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._broadcast._open.discard(self)

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def _items(self) -> AsyncIterator[T]:
        heartbeat = self._broadcast.heartbeat
        while True:
            try:
                item = self._queue.get_nowait()  # what is waiting goes out before any heartbeat
            except asyncio.QueueEmpty:
                try:
                    item = await asyncio.wait_for(self._queue.get(),
                                                  self._broadcast.heartbeat_seconds)
                except TimeoutError:
                    yield heartbeat
                    continue
            if item is _END:
                return
            yield item  # type: ignore[misc]  # only published items and _END are queued

    def _offer(self, item: object) -> bool:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            return False
        return True

    def _end(self) -> None:
        # What is still queued is dropped: the end must get in, and it must come at once.
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_END)


class Broadcast(Generic[T]):
    """Fan-out of items of type ``T`` to every open subscription; ``name`` is for the log."""

    def __init__(self, name: str, *, backlog: int, heartbeat_seconds: float,
                 heartbeat: T) -> None:
        self.name = name
        self.backlog = backlog
        self.heartbeat_seconds = heartbeat_seconds
        self.heartbeat = heartbeat
        self._open: set[Subscription[T]] = set()

    def __len__(self) -> int:
        """How many subscriptions are open."""
        return len(self._open)

    def subscribe(self) -> Subscription[T]:
        return Subscription(self)

    def publish(self, item: T) -> None:
        for subscription in list(self._open):
            if not subscription._offer(item):  # a stuck client: end its stream, it reconnects
                log.warning("%s: an event stream fell %d items behind; ending it", self.name,
                            self.backlog)
                self._open.discard(subscription)
                subscription._end()

    def close(self) -> None:
        """End every open stream normally (a shutdown, or a gateway restarting its puppet)."""
        for subscription in list(self._open):
            self._open.discard(subscription)
            subscription._end()
