"""Running the schedules: one APScheduler for the process, the database remembers.

``ScheduleRunner(home, engine, db, clock, accounts, watcher)`` catches up firings missed while the
bot was down and registers one APScheduler job per schedule and account, in that account's own
job table (``apscheduler_jobs_<account>``: a process per account, as a scale-out runs, must not
share a store — APScheduler forbids it). There is one scheduler, with a job store per account;
the account is the job's argument. The schedules come from the process's one
:class:`~bot.schedules.watcher.ScheduleWatcher`; a reload there re-registers jobs here.

Which firings are due is decided here, on the injected clock, from ``schedule_progress`` (up to
when each schedule was handled). APScheduler's own misfire check reads the wall clock, so jobs
are stored with ``misfire_grace_time=None`` and ``coalesce=True``: it only ever says "look now",
and :func:`bot.schedules.firing.fire` applies each schedule's ``on_missed`` grace. A schedule
whose timing changed (or is new) starts from now, so moving 19:30 to 08:00 never sends a burst
of firings the new time "would have had". A firing is a coroutine on the loop whose database
work goes through the :class:`~bot.db.runner.DatabaseRunner`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from apscheduler.executors.base import BaseExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.clock import Clock, naive_utc
from bot.config import Home
from bot.db.engine import make_engine
from bot.db.runner import DatabaseRunner
from bot.db.schema import ScheduleProgress
from bot.schedules.firing import fire
from bot.schedules.loader import Schedule, ScheduleBook
from bot.schedules.timing import EntryTrigger
from bot.schedules.watcher import ScheduleWatcher
from bot.tasks import TaskGroup

log = logging.getLogger(__name__)


async def run_scheduled(account: str, schedule_id: str) -> None:
    """The function each stored job names: APScheduler stores a job's function by reference, so
    a restart finds its jobs again. The runner's own executor (:class:`_Firing`) fires the
    schedule for the job's account; nothing calls this."""
    raise RuntimeError(f"job {schedule_id} of {account} must run on a ScheduleRunner")


class _Firing(BaseExecutor):  # type: ignore[misc]  # APScheduler has no type hints
    """The scheduler's executor: a due job becomes ``runner.fire(account, schedule_id)`` on the
    loop. It belongs to one runner's scheduler, so no global has to route jobs back."""

    def __init__(self, runner: ScheduleRunner) -> None:
        super().__init__()
        self._runner = runner

    def _do_submit_job(self, job: Any, _run_times: list[datetime]) -> None:
        account, schedule_id = job.args

        async def firing() -> None:
            try:
                await self._runner.fire(account, schedule_id)
            finally:
                self._run_job_success(job.id, [])  # fire() logs its own failures

        self._runner.tasks.spawn(firing(), f"schedule:{account}:{schedule_id}")


def job_id(schedule_id: str) -> str:
    return f"schedule:{schedule_id}"


def job_name(schedule: Schedule) -> str:
    """Names the timing, so a restart can tell an unchanged schedule from an edited one."""
    state = repr(sorted(schedule.timing.__getstate__().items()))
    return f"{schedule.id} {hashlib.sha256(state.encode()).hexdigest()[:16]}"


def job_table(account: str) -> str:
    return "apscheduler_jobs_" + account.replace("-", "_")


class ScheduleRunner:
    def __init__(self, home: Home, engine: Engine, db: DatabaseRunner, clock: Clock,
                 accounts: Sequence[str], watcher: ScheduleWatcher, *, wake: bool = True,
                 on_fired: Callable[[], None] = lambda: None) -> None:
        """``wake=False`` registers and persists jobs but never lets APScheduler run them (on
        the wall clock); tests drive time with :meth:`run_due` on an injected clock instead."""
        self.home = home
        self.engine = engine
        self.db = db
        self.clock = clock
        self.accounts = tuple(accounts)
        self.watcher = watcher
        self.wake = wake
        self.tasks = TaskGroup()
        self._on_fired = on_fired
        self._scheduler: AsyncIOScheduler | None = None
        self._job_engine: Engine | None = None
        self._registering = asyncio.Lock()  # start and reloads register one at a time

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> ScheduleRunner:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    async def start(self) -> None:
        try:
            url = self.engine.url
            memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
            # Its own engine: the job store disposes its engine at shutdown.
            self._job_engine = self.engine if memory else make_engine(
                url.render_as_string(hide_password=False))
            self._scheduler = AsyncIOScheduler(
                jobstores={account: SQLAlchemyJobStore(engine=self._job_engine,
                                                       tablename=job_table(account))
                           for account in self.accounts},
                executors={"default": _Firing(self)},
                job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
                timezone=UTC)
            self._scheduler.start(paused=True)
            async with self._registering:
                self.watcher.on_change(self._book_changed)  # waits for the lock: none missed
                book = self.watcher.book
                for account in self.accounts:
                    stored = {job.id: job.name
                              for job in self._scheduler.get_jobs(jobstore=account)}
                    await self._apply(account, book, stored)
            await self.run_due()
            if self.wake:
                self._scheduler.resume()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        await self.tasks.aclose()
        if self._scheduler is not None:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
                await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
            self._scheduler = None
        if self._job_engine is not None and self._job_engine is not self.engine:
            self._job_engine.dispose()
        self._job_engine = None

    # --- what is in force ------------------------------------------------------------------------

    def own(self, account: str, book: ScheduleBook | None = None) -> list[Schedule]:
        """The schedules with at least one target group on ``account``."""
        groups = self.home.groups
        return [s for s in (book or self.watcher.book)
                if any(groups[g].account == account for g in s.groups)]

    def next_run_time(self, schedule_id: str, account: str | None = None) -> datetime | None:
        """When APScheduler will next wake this schedule for ``account`` (the first account
        by default), from its job table."""
        if self._scheduler is None:
            return None
        job = self._scheduler.get_job(job_id(schedule_id), jobstore=account or self.accounts[0])
        return job.next_run_time if job is not None else None

    # --- registering -----------------------------------------------------------------------------

    async def _book_changed(self, before: ScheduleBook, after: ScheduleBook) -> None:
        async with self._registering:
            if self._scheduler is None:
                return
            for account in self.accounts:
                stored = {job_id(s.id): job_name(s) for s in self.own(account, before)}
                await self._apply(account, after, stored)

    async def _apply(self, account: str, after: ScheduleBook, stored: dict[str, str]) -> None:
        """Register ``after``'s jobs for ``account``; a new or re-timed schedule's progress
        starts now."""
        assert self._scheduler is not None
        own = self.own(account, after)
        wanted = {job_id(s.id): s for s in own}
        retimed = [s for s in own if stored.get(job_id(s.id)) != job_name(s)]
        await self.db.run(_start_progress, account, own, {s.id for s in retimed},
                          self.clock.now())
        for stale in set(stored) - set(wanted):
            with contextlib.suppress(Exception):
                self._scheduler.remove_job(stale, jobstore=account)
        for schedule in retimed:
            self._scheduler.add_job(run_scheduled, EntryTrigger(schedule.timing),
                                    args=(account, schedule.id), id=job_id(schedule.id),
                                    name=job_name(schedule), jobstore=account,
                                    replace_existing=True)
        log.info("schedules for %s: %d in force, %d (re)registered, %d removed", account,
                 len(own), len(retimed), len(set(stored) - set(wanted)))

    # --- firing ----------------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Handle every firing due by now (what a restart catches up); returns groups handled."""
        now = self.clock.now()
        handled = 0
        for account in self.accounts:
            progress = await self.db.read(_progress, account)
            for schedule in self.own(account):
                after = progress.get(schedule.id)
                if after is not None and next(schedule.timing.firings(
                        after.replace(tzinfo=UTC), now), None) is not None:
                    handled += await self.fire(account, schedule.id)
        return handled

    async def fire(self, account: str, schedule_id: str) -> int:
        """Fire ``schedule_id``'s firings for ``account`` since it was last handled; never
        raises. Returns the groups handled."""
        schedule = self.watcher.book.get(schedule_id)
        if schedule is None:
            return 0
        try:
            handled = await self.db.run(self._fire_in, account, schedule, self.clock.now())
        except Exception:
            log.exception("schedule %s failed to fire; it will be retried", schedule_id)
            return 0
        if handled:
            self._on_fired()
        return handled

    def _fire_in(self, session: Session, account: str, schedule: Schedule, now: datetime) -> int:
        handled = 0
        row = session.get(ScheduleProgress, (account, schedule.id))
        after = row.handled_until.replace(tzinfo=UTC) if row else now
        for firing in schedule.timing.firings(after, now):
            result = fire(session, self.home, schedule, firing, now, account=account)
            handled += len(result.queued) + len(result.skipped)
        if row is None:
            session.add(ScheduleProgress(account=account, schedule_id=schedule.id,
                                         handled_until=naive_utc(now)))
        elif after < now:
            row.handled_until = naive_utc(now)
        return handled


def _progress(session: Session, account: str) -> dict[str, datetime]:
    return dict(session.execute(
        select(ScheduleProgress.schedule_id, ScheduleProgress.handled_until)
        .where(ScheduleProgress.account == account)).tuples().all())


def _start_progress(session: Session, account: str, own: list[Schedule], retimed: set[str],
                    now: datetime) -> None:
    have = {row.schedule_id: row for row in session.scalars(
        select(ScheduleProgress).where(ScheduleProgress.account == account))}
    for schedule in own:
        row = have.get(schedule.id)
        if row is None:
            session.add(ScheduleProgress(account=account, schedule_id=schedule.id,
                                         handled_until=naive_utc(now)))
        elif schedule.id in retimed:
            row.handled_until = naive_utc(now)
