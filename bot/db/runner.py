"""Where database work runs: one worker thread, awaited from async code.

The bot's database code is plain synchronous SQLAlchemy (handlers, the outbox, the event log).
Called on the event loop, a transaction that waits for a lock — SQLite's ``BEGIN IMMEDIATE``
behind another process, a busy timeout of 30 s — would freeze the inbox, the senders, the
adapters and the simulator with it. So async code never opens a session itself; it awaits
:class:`DatabaseRunner`::

    rows = await db.run(outbox.claim, account, now, 1, worker)   # fn(session, ...) in a transaction
    wanted = await db.read(qa.awaits_attachment, sender, group, now)   # no commit, no write lock
    await db.call(router.handle_batch, batch)   # sync code that opens its own transactions

**One thread, on SQLite and PostgreSQL alike.** SQLite has one writer at a time, and every
transaction here takes the write lock at BEGIN: a second thread would only wait on the file lock.
On PostgreSQL a small pool was considered and not taken: nearly every transaction appends to the
event log, whose appends are serialised by an advisory lock anyway, and the code the worker runs
(the room directory, the Q&A index, the router's duplicate filter) was written for one caller at a
time, as the event loop was. Jobs are kept short instead (the rollup and the weekly report go a
region or a batch at a time), so whatever waits in the queue waits for one short transaction.
CPU work that needs no database — drawing charts, parsing schedule files — runs elsewhere
(``asyncio.to_thread``), so it never holds the queue.

**The GIL.** sqlite3 and psycopg2 release the GIL for every statement; taking it back waits for
the thread that holds it to be asked to let go, after the interpreter's switch interval (5 ms by
default). With the loop busy, a batch of a few hundred statements would spend seconds waiting,
and a loop waiting behind a chart thread would lose 5 ms at each turn. The worker lowers the
interval to :data:`SWITCH_SECONDS` for the process when it starts (bench_inbound: ratio
0.41–0.48 with 5 ms, 0.64–0.71 with 0.5 ms, on the same busy machine).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import sys
import threading
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import READ_ONLY

SWITCH_SECONDS = 0.0005  # how soon a thread that wants the GIL gets it (default 0.005)

P = ParamSpec("P")
T = TypeVar("T")


class DatabaseRunner:
    """Runs database work in its own worker thread, in the order it was submitted."""

    def __init__(self, sessions: sessionmaker[Session], *, name: str = "agribot-db") -> None:
        self.sessions = sessions
        self._name = name
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._guard = threading.Lock()

    async def run(self, fn: Callable[Concatenate[Session, P], T], *args: P.args,
                  **kwargs: P.kwargs) -> T:
        """``fn(session, *args)`` inside one transaction, committed when it returns."""
        def work(session: Session) -> T:
            return fn(session, *args, **kwargs)

        return await self._submit(self._transaction, work)

    async def read(self, fn: Callable[Concatenate[Session, P], T], *args: P.args,
                   **kwargs: P.kwargs) -> T:
        """``fn(session, *args)`` for reading: rolled back at the end, and on SQLite a plain
        (deferred) BEGIN, so it takes no write lock and never waits for a writer."""
        def work(session: Session) -> T:
            return fn(session, *args, **kwargs)

        return await self._submit(self._reading, work)

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args)`` in the worker: synchronous code that opens its own transactions (a
        group commit that falls back to one transaction per message, a batch loop)."""
        return await self._submit(functools.partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Finish what was submitted, then stop the thread. The runner can be used again."""
        with self._guard:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    async def aclose(self) -> None:
        await asyncio.to_thread(self.close)

    async def __aenter__(self) -> DatabaseRunner:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # --- inside the worker -----------------------------------------------------------------------

    def _transaction(self, work: Callable[[Session], T]) -> T:
        with self.sessions.begin() as session:
            return work(session)

    def _reading(self, work: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            session.connection(execution_options={READ_ONLY: True})
            try:
                return work(session)
            finally:
                session.rollback()

    async def _submit(self, fn: Callable[..., T], *args: object) -> T:
        with self._guard:
            if self._executor is None:
                sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_SECONDS))
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix=self._name)
            future = self._executor.submit(fn, *args)
        return await asyncio.wrap_future(future)
