"""The database runner: work commits or rolls back in its worker, reads never commit, and the
event loop keeps running while the worker waits for a lock another connection holds."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bot import eventlog
from bot.db.engine import session_factory
from bot.db.runner import DatabaseRunner
from bot.db.schema import Event

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def append(session: Session, actor: str) -> int:
    eventlog.append(session, [eventlog.NewEvent(kind="message", ts=NOW, actor=actor)])
    return threading.get_ident()


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Event)) or 0)


async def test_work_commits_in_one_worker_and_failures_roll_back(engine: Engine) -> None:
    async with DatabaseRunner(session_factory(engine)) as db:
        threads = {await db.run(append, "a"), await db.run(append, "b")}
        assert threads != {threading.get_ident()} and len(threads) == 1

        def half_then_fail(session: Session) -> None:
            append(session, "c")
            raise ValueError("boom")

        with pytest.raises(ValueError, match="boom"):
            await db.run(half_then_fail)
        assert await db.read(count) == 2


async def test_a_read_never_commits(engine: Engine) -> None:
    async with DatabaseRunner(session_factory(engine)) as db:
        await db.read(append, "ignored")
        assert await db.read(count) == 0


async def test_the_loop_runs_while_the_worker_waits_for_a_lock(engine: Engine) -> None:
    """Another connection holds the write lock (SQLite) or the event log's advisory lock
    (PostgreSQL); an append waits for it in the worker, and the loop goes on meanwhile."""
    holder = engine.connect()
    holder.begin()  # on SQLite: BEGIN IMMEDIATE, the write lock
    if engine.dialect.name == "postgresql":
        holder.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": eventlog._LOCK_KEY})
    started = threading.Event()

    def blocked_append(session: Session) -> int:
        started.set()
        return append(session, "late")

    try:
        async with DatabaseRunner(session_factory(engine)) as db:
            pending = asyncio.ensure_future(db.run(blocked_append))
            assert await asyncio.to_thread(started.wait, 10)
            ticks = 0
            for _ in range(100):  # the loop is free: other coroutines keep running
                await asyncio.sleep(0)
                ticks += 1
            assert ticks == 100 and not pending.done()
            holder.rollback()
            await asyncio.wait_for(pending, 10)
            assert await db.read(count) == 1
    finally:
        holder.close()


async def test_a_read_does_not_wait_for_a_writer(engine: Engine) -> None:
    """While another connection holds the write lock, a read goes ahead (on SQLite it begins
    deferred; a write would wait up to the 30 s busy timeout)."""
    holder = engine.connect()
    holder.begin()  # on SQLite: BEGIN IMMEDIATE, the write lock
    if engine.dialect.name == "postgresql":
        holder.execute(text("LOCK TABLE events IN EXCLUSIVE MODE"))  # readers still pass
    try:
        async with DatabaseRunner(session_factory(engine)) as db:
            assert await asyncio.wait_for(db.read(count), 5) == 0
    finally:
        holder.rollback()
        holder.close()
