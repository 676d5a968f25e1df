"""The home's schedule files, watched once per process, whatever number of accounts it serves.

``ScheduleWatcher`` loads the tree, polls it every couple of seconds, and publishes the
:class:`~bot.schedules.loader.ScheduleBook` in force: the runner registers jobs from it, chat
commands read it. A file that fails is rejected here, once: logged, recorded as
``config_rejected``, and told privately to the admins responsible for the file's region, from the
account that serves that region's groups (the one they can hear). Reading and parsing files runs
in a thread of its own, the record and the alert through the database worker, so neither a large
tree nor a slow database holds up the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.clock import Clock
from bot.config import Home
from bot.core import events
from bot.core.messages import Target, TextOut
from bot.db.runner import DatabaseRunner
from bot.delivery.outbox import Outgoing, enqueue
from bot.schedules.loader import ScheduleBook
from bot.schedules.registry import Rejection, ScheduleFiles, region_of_file
from bot.tasks import TaskGroup

log = logging.getLogger(__name__)

BookChanged = Callable[[ScheduleBook, ScheduleBook], Awaitable[None]]  # (before, after)


class ScheduleWatcher:
    def __init__(self, home: Home, db: DatabaseRunner, clock: Clock, *,
                 poll_seconds: float = 2.0) -> None:
        self.home = home
        self.db = db
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.files = ScheduleFiles(home)
        self.generation = 0  # bumps on every reload that changed the schedules in force
        self.rejections: list[Rejection] = []
        self._listeners: list[BookChanged] = []
        self._passed = asyncio.Event()  # set after each pass of the watcher
        self._reloading = asyncio.Lock()
        self._tasks = TaskGroup()

    @property
    def book(self) -> ScheduleBook:
        return self.files.book

    def on_change(self, listener: BookChanged) -> None:
        """Call ``listener(before, after)`` whenever a reload changes the schedules in force."""
        self._listeners.append(listener)

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> ScheduleWatcher:
        await self.reload()
        self._tasks.spawn(self._watch(), "schedules:watcher")
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self._tasks.aclose()

    # --- reloading -------------------------------------------------------------------------------

    async def reload(self) -> bool:
        """Pick up edited, added and deleted files; True when the schedules in force changed."""
        async with self._reloading:
            before = self.files.book
            report = await asyncio.to_thread(self.files.refresh)
            await self._reject(report.rejected)
            if not report.changed or self.files.book == before:
                return False
            after = self.files.book
            self.generation += 1
            for listener in self._listeners:
                await listener(before, after)
            return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                if await self.reload():
                    log.info("schedules reloaded (generation %d)", self.generation)
            except Exception:
                log.exception("reloading schedules failed; keeping the current ones")
            self._passed.set()

    async def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait (bounded) until ``condition()`` holds, re-checking after each watcher pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._passed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._passed.wait(), remaining)
        return True

    # --- rejected files --------------------------------------------------------------------------

    async def _reject(self, rejections: list[Rejection]) -> None:
        """Log, record and tell the file's region admins, privately, once per broken content."""
        self.rejections.extend(rejections)
        for rejection in rejections:
            try:
                await self.db.run(self._record, rejection, self.clock.now())
            except Exception:
                log.exception("could not report the rejected file %s", rejection.path)

    def _record(self, session: Session, rejection: Rejection, now: datetime) -> None:
        root = self.home.paths.root
        rel = str(rejection.path.relative_to(root)) \
            if rejection.path.is_relative_to(root) else str(rejection.path)
        lines = [f"{rel}:{p.line}:{p.column}: {p.message}" for p in rejection.problems]
        log.error("schedule file rejected:\n%s", "\n".join(lines))
        template = msg.SCHED_REJECTED if rejection.kept_previous else msg.SCHED_REJECTED_NEW
        text = template.format(path=rel, problems="\n".join(lines[:10]))
        region = region_of_file(self.home, rejection.path)
        account = self.home.serving_account(region)
        eventlog.append(session, [eventlog.NewEvent(
            kind=events.CONFIG_REJECTED, ts=now, account=account, ref=rel,
            detail={"path": rel, "problems": lines})])
        enqueue(session, [Outgoing(
            f"schedule-rejected:{rel}:{rejection.digest}:{admin.id}", account,
            Target.contact(admin.id), TextOut(text), purpose="alert")
            for admin in self.home.responsible_admins(region)], now=now)
