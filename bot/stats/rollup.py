"""Keeping ``daily_group_stats`` in step with the event log.

The app calls :func:`catch_up` every ~30 seconds: it folds the events after the stored
watermark (see :mod:`bot.stats.fold`) and moves the watermark, all in the caller's transaction,
so the rollup and its watermark commit together. :func:`rebuild` empties the rollup and folds
the whole log again; because the fold is a pure function of the events in id order, the result
is the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Home
from bot.db.schema import (
    DailyGroupStats,
    Event,
    StatsActive,
    StatsCourseReach,
    StatsLinkOpens,
    StatsMember,
    StatsQuestion,
    StatsQuestionExpert,
    StatsWatermark,
)
from bot.eventlog import GENESIS
from bot.stats.days import LocalDay
from bot.stats.fold import Batch, FoldState

WATERMARK = "rollup"
BATCH = 20_000
_LOCK_KEY = 0x73746174  # "stat": one folder at a time, whichever process calls
ROLLUP_TABLES = (DailyGroupStats, StatsActive, StatsCourseReach, StatsLinkOpens, StatsMember,
                 StatsQuestion, StatsQuestionExpert, StatsWatermark)

Progress = Callable[[int], None]  # called with the number of events folded so far


@dataclass(frozen=True)
class Coverage:
    """The last event a rollup (and so a report) covers."""

    event_id: int
    event_hash: str


def coverage(session: Session) -> Coverage:
    row = session.get(StatsWatermark, WATERMARK)
    return Coverage(row.event_id, row.event_hash) if row else Coverage(0, GENESIS)


def pending(session: Session) -> int:
    """How many events the rollup has not folded yet."""
    done = coverage(session).event_id
    return int(session.execute(select(func.count()).where(Event.id > done)).scalar_one())


def event_count(session: Session) -> int:
    return int(session.execute(select(func.count(Event.id))).scalar_one())


def _lock(session: Session) -> None:
    # Two processes folding the same events would count them twice. SQLite transactions are
    # already BEGIN IMMEDIATE (bot.db.engine); PostgreSQL needs the advisory lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def catch_up(session: Session, home: Home, *, limit: int | None = None, batch: int = BATCH,
             progress: Progress | None = None) -> int:
    """Fold the events after the watermark (at most ``limit``) into the rollup, in the
    caller's transaction. Returns how many events were folded."""
    _lock(session)
    mark = session.get(StatsWatermark, WATERMARK)
    if mark is None:
        mark = StatsWatermark(name=WATERMARK, event_id=0, event_hash=GENESIS)
        session.add(mark)
    state = FoldState(LocalDay(home.bot.timezone))
    done = 0
    columns = (Event.id, Event.ts, Event.group_id, Event.kind, Event.actor, Event.ref,
               Event.detail, Event.hash)
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        rows = session.execute(select(*columns).where(Event.id > mark.event_id)
                               .order_by(Event.id).limit(size)).all()
        if not rows:
            break
        Batch(session, state, rows).apply()
        mark.event_id, mark.event_hash = rows[-1].id, rows[-1].hash
        session.flush()
        done += len(rows)
        if progress is not None:
            progress(done)
    return done


def reset(session: Session) -> None:
    """Empty the rollup and its side tables (training sessions are source data: kept)."""
    _lock(session)
    for table in ROLLUP_TABLES:
        session.execute(delete(table))


def rebuild(sessions: sessionmaker[Session], home: Home, *, chunk: int = 200_000,
            progress: Progress | None = None) -> int:
    """Fold the whole log again from the first event, committing every ``chunk`` events so a
    long rebuild neither blocks the bot's writers nor loses its work if interrupted."""
    with sessions.begin() as session:
        reset(session)
    total = 0
    while True:
        with sessions.begin() as session:
            done = catch_up(session, home, limit=chunk,
                            progress=_offset(progress, total) if progress else None)
        total += done
        if done < chunk:
            return total


def _offset(progress: Progress, base: int) -> Progress:
    return lambda n: progress(base + n)
