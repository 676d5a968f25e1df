"""Background tasks with names and a home for their errors.

A bare ``asyncio.create_task`` loses its exception until the task is garbage-collected; here every
task is named, kept referenced, and a crash is logged at once. :func:`every` runs a periodic job
whose failures are logged and retried on the next tick, so one bad tick never stops the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskGroup:
    """Named tasks cancelled together on exit, each crash logged when it happens."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s crashed", task.get_name(), exc_info=task.exception())

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def __aenter__(self) -> TaskGroup:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


async def every(seconds: float, job: Callable[[], Awaitable[None] | None], name: str,
                stop: asyncio.Event) -> None:
    """Run ``job`` every ``seconds`` until ``stop`` is set; log its failures and keep going."""
    while not stop.is_set():
        try:
            result = job()
            if result is not None:
                await result
        except Exception:
            log.exception("periodic job %s failed; retrying next tick", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
