"""Where inbound messages wait between the platform and the router.

Messages are handled in the order they came, but a burst (a busy group, a reconnect replaying
what was missed) is drained into one batch and handled in one transaction: committing once per
batch instead of once per message is what lets the event log keep up with the platform. The
batch runs in the database worker (:class:`~bot.db.runner.DatabaseRunner`), handlers and all, so
the event loop never waits for the database while it does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from bot.chat.router import Router
from bot.core.messages import Inbound
from bot.db.runner import DatabaseRunner

MAX_BATCH = 200  # a batch stays one short transaction even at the busiest


class Inbox:
    def __init__(self, router: Router, db: DatabaseRunner, *,
                 on_handled: Callable[[], None] = lambda: None) -> None:
        self.router = router
        self.db = db
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
                await self._handle([getting.result()])
        finally:
            stopping.cancel()
            await self._handle([])  # what arrived before stop is still handled and committed

    async def _handle(self, batch: list[Inbound]) -> None:
        while True:
            while len(batch) < MAX_BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            if not batch:
                return
            await self.db.call(self.router.handle_batch, batch)
            self._on_handled()
            batch = []
