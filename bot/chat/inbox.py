"""Where inbound messages wait between the platform and the router.

Messages are handled in the order they came, but a burst (a busy group, a reconnect replaying
what was missed) is drained into one batch and handled in one transaction: committing once per
batch instead of once per message is what lets the event log keep up with the platform.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from bot.chat.router import Router
from bot.core.messages import Inbound

MAX_BATCH = 200  # a batch stays one short transaction even at the busiest


class Inbox:
    def __init__(self, router: Router, *, on_handled: Callable[[], None] = lambda: None) -> None:
        self.router = router
        self._queue: asyncio.Queue[Inbound] = asyncio.Queue()
        self._on_handled = on_handled

    def put(self, inbound: Inbound) -> None:
        self._queue.put_nowait(inbound)

    async def run(self, stop: asyncio.Event) -> None:
        """Handle messages until ``stop`` is set, then whatever is still waiting."""
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                getting = asyncio.ensure_future(self._queue.get())
                await asyncio.wait({getting, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not getting.done():
                    getting.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await getting
                    break
                self._handle([getting.result()])
        finally:
            stopping.cancel()
            self._handle([])  # what arrived before stop is still handled and committed

    def _handle(self, batch: list[Inbound]) -> None:
        while len(batch) < MAX_BATCH and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        if batch:
            self.router.handle_batch(batch)
            self._on_handled()
            if not self._queue.empty():
                self._handle([])
