"""Running the schedules of one account: APScheduler wakes the bot, the database remembers.

``async with ScheduleRunner(home, engine, sessions, clock, account) as runner:`` loads the files,
catches up firings missed while the bot was down, registers one APScheduler job per schedule in
this account's own job table (``apscheduler_jobs_<account>``: APScheduler forbids two schedulers
sharing a store), and polls the files for edits.

Which firings are due is decided here, on the injected clock, from ``schedule_progress`` (up to
when each schedule was handled). APScheduler's own misfire check reads the wall clock, so jobs
are stored with ``misfire_grace_time=None`` and ``coalesce=True``: it only ever says "look now",
and :func:`bot.schedules.firing.fire` applies each schedule's ``on_missed`` grace. A schedule
whose timing changed (or is new) starts from now, so moving 19:30 to 08:00 never sends a burst
of firings the new time "would have had".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot import eventlog
from bot import messages as msg
from bot.clock import Clock, naive_utc
from bot.config import Home
from bot.core import events
from bot.core.messages import Target, TextOut
from bot.db.engine import make_engine
from bot.db.schema import ScheduleProgress
from bot.delivery.outbox import Outgoing, enqueue
from bot.schedules.firing import fire
from bot.schedules.loader import Schedule, ScheduleBook
from bot.schedules.registry import Rejection, ScheduleFiles, region_of_file
from bot.schedules.timing import EntryTrigger
from bot.tasks import TaskGroup

log = logging.getLogger(__name__)

_RUNNERS: dict[str, ScheduleRunner] = {}  # account → its running runner, for the stored job


def run_scheduled(account: str, schedule_id: str) -> None:
    """The job APScheduler stores (by reference, so it survives restarts): handle whatever of
    ``schedule_id`` is due for ``account``. Only enqueues; never raises."""
    runner = _RUNNERS.get(account)
    if runner is None:
        log.warning("no running schedules for account %s (job %s)", account, schedule_id)
        return
    runner.run_schedule(schedule_id)


def job_id(schedule_id: str) -> str:
    return f"schedule:{schedule_id}"


def job_name(schedule: Schedule) -> str:
    """Names the timing, so a restart can tell an unchanged schedule from an edited one."""
    state = repr(sorted(schedule.timing.__getstate__().items()))
    return f"{schedule.id} {hashlib.sha256(state.encode()).hexdigest()[:16]}"


def job_table(account: str) -> str:
    return "apscheduler_jobs_" + account.replace("-", "_")


class ScheduleRunner:
    def __init__(self, home: Home, engine: Engine, sessions: sessionmaker[Session], clock: Clock,
                 account: str, *, poll_seconds: float = 2.0, wake: bool = True) -> None:
        """``wake=False`` registers and persists jobs but never lets APScheduler run them (on
        the wall clock); tests drive time with :meth:`run_due` on an injected clock instead."""
        self.home = home
        self.engine = engine
        self.sessions = sessions
        self.clock = clock
        self.account = account
        self.poll_seconds = poll_seconds
        self.wake = wake
        self.files = ScheduleFiles(home)
        self.generation = 0  # bumps on every reload that changed the schedules in force
        self.rejections: list[Rejection] = []
        self._lock = threading.RLock()
        self._scheduler: AsyncIOScheduler | None = None
        self._job_engine: Engine | None = None
        self._tasks = TaskGroup()
        self._changed: asyncio.Event | None = None

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> ScheduleRunner:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    async def start(self) -> None:
        if self.account in _RUNNERS:
            raise RuntimeError(f"schedules for account {self.account} are already running")
        _RUNNERS[self.account] = self
        self._changed = asyncio.Event()
        try:
            url = self.engine.url
            memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
            # Its own engine: the job store disposes its engine at shutdown.
            self._job_engine = self.engine if memory else make_engine(
                url.render_as_string(hide_password=False))
            self._scheduler = AsyncIOScheduler(
                jobstores={"default": SQLAlchemyJobStore(engine=self._job_engine,
                                                         tablename=job_table(self.account))},
                job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
                timezone=UTC)
            self._scheduler.add_listener(self._job_failed, EVENT_JOB_ERROR)
            self._scheduler.start(paused=True)
            stored = {job.id: job.name for job in self._scheduler.get_jobs()}
            report = self.files.refresh()
            self._notify(report.rejected)
            self._apply(ScheduleBook(), self.files.book, stored)
            self.run_due()
            if self.wake:
                self._scheduler.resume()
            self._tasks.spawn(self._watch(), f"schedule-watcher:{self.account}")
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        await self._tasks.aclose()
        if self._scheduler is not None:
            if self._scheduler.running:
                self._scheduler.shutdown(wait=False)
                await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
            self._scheduler = None
        if self._job_engine is not None and self._job_engine is not self.engine:
            self._job_engine.dispose()
        self._job_engine = None
        if _RUNNERS.get(self.account) is self:
            del _RUNNERS[self.account]

    # --- what is in force ------------------------------------------------------------------------

    @property
    def book(self) -> ScheduleBook:
        return self.files.book

    def own(self, book: ScheduleBook | None = None) -> list[Schedule]:
        """The schedules with at least one target group on this account."""
        groups = self.home.groups
        return [s for s in (book or self.book)
                if any(groups[g].account == self.account for g in s.groups)]

    def next_run_time(self, schedule_id: str) -> datetime | None:
        """When APScheduler will next wake this schedule (from its job table)."""
        if self._scheduler is None:
            return None
        job = self._scheduler.get_job(job_id(schedule_id))
        return job.next_run_time if job is not None else None

    # --- reloading -------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Pick up edited, added and deleted files; True when the schedules in force changed."""
        with self._lock:
            before = self.files.book
            report = self.files.refresh()
            self._notify(report.rejected)
            if not report.changed or self.files.book == before:
                return False
            stored = {s.id: job_name(s) for s in self.own(before)}
            self._apply(before, self.files.book, {job_id(k): v for k, v in stored.items()})
            self.generation += 1
            return True

    def _apply(self, before: ScheduleBook, after: ScheduleBook, stored: dict[str, str]) -> None:
        """Register ``after``'s jobs; a new or re-timed schedule's progress starts now."""
        assert self._scheduler is not None
        own = self.own(after)
        wanted = {job_id(s.id): s for s in own}
        retimed = [s for s in own if stored.get(job_id(s.id)) != job_name(s)]
        retimed_ids = {s.id for s in retimed}
        now = self.clock.now()
        with self.sessions.begin() as session:
            have = {row.schedule_id: row for row in session.scalars(
                select(ScheduleProgress).where(ScheduleProgress.account == self.account))}
            for schedule in own:
                row = have.get(schedule.id)
                if row is None:
                    session.add(ScheduleProgress(account=self.account, schedule_id=schedule.id,
                                                 handled_until=naive_utc(now)))
                elif schedule.id in retimed_ids:
                    row.handled_until = naive_utc(now)
        for stale in set(stored) - set(wanted):
            with contextlib.suppress(Exception):
                self._scheduler.remove_job(stale)
        for schedule in retimed:
            self._scheduler.add_job(run_scheduled, EntryTrigger(schedule.timing),
                                    args=(self.account, schedule.id), id=job_id(schedule.id),
                                    name=job_name(schedule), replace_existing=True)
        log.info("schedules for %s: %d in force, %d (re)registered, %d removed", self.account,
                 len(own), len(retimed), len(set(stored) - set(wanted)))

    # --- firing ----------------------------------------------------------------------------------

    def run_due(self) -> int:
        """Handle every firing due by now (what a restart catches up); returns groups handled."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            progress = dict(session.execute(
                select(ScheduleProgress.schedule_id, ScheduleProgress.handled_until)
                .where(ScheduleProgress.account == self.account)).tuples().all())
        handled = 0
        for schedule in self.own():
            after = progress.get(schedule.id)
            if after is not None and next(schedule.timing.firings(
                    after.replace(tzinfo=UTC), now), None) is not None:
                handled += self.run_schedule(schedule.id)
        return handled

    def run_schedule(self, schedule_id: str) -> int:
        """Fire ``schedule_id``'s firings since it was last handled; never raises."""
        schedule = self.book.get(schedule_id)
        if schedule is None:
            return 0
        now = self.clock.now()
        handled = 0
        try:
            with self.sessions.begin() as session:
                row = session.get(ScheduleProgress, (self.account, schedule_id))
                after = row.handled_until.replace(tzinfo=UTC) if row else now
                for firing in schedule.timing.firings(after, now):
                    result = fire(session, self.home, schedule, firing, now, account=self.account)
                    handled += len(result.queued) + len(result.skipped)
                if row is None:
                    session.add(ScheduleProgress(account=self.account, schedule_id=schedule_id,
                                                 handled_until=naive_utc(now)))
                elif after < now:
                    row.handled_until = naive_utc(now)
        except Exception:
            log.exception("schedule %s failed to fire; it will be retried", schedule_id)
            return 0
        return handled

    def _job_failed(self, event: JobExecutionEvent) -> None:
        log.error("schedule job %s failed", event.job_id, exc_info=event.exception)

    # --- rejected files --------------------------------------------------------------------------

    def _notify(self, rejections: list[Rejection]) -> None:
        """Log, record and tell the file's region admins, privately, once per broken content."""
        if not rejections:
            return
        self.rejections.extend(rejections)
        now = self.clock.now()
        root = self.home.paths.root
        for rejection in rejections:
            rel = str(rejection.path.relative_to(root)) \
                if rejection.path.is_relative_to(root) else str(rejection.path)
            lines = [f"{rel}:{p.line}:{p.column}: {p.message}" for p in rejection.problems]
            log.error("schedule file rejected:\n%s", "\n".join(lines))
            template = msg.SCHED_REJECTED if rejection.kept_previous else msg.SCHED_REJECTED_NEW
            text = template.format(path=rel, problems="\n".join(lines[:10]))
            region = region_of_file(self.home, rejection.path)
            admins = self.home.responsible_admins(region)
            try:
                with self.sessions.begin() as session:
                    eventlog.append(session, [eventlog.NewEvent(
                        kind=events.CONFIG_REJECTED, ts=now, account=self.account,
                        ref=rel, detail={"path": rel, "problems": lines})])
                    enqueue(session, [Outgoing(
                        f"schedule-rejected:{rel}:{rejection.digest}:{admin.id}", self.account,
                        Target.contact(admin.id), TextOut(text), purpose="alert")
                        for admin in admins], now=now)
            except Exception:
                log.exception("could not report the rejected file %s", rel)

    # --- watching --------------------------------------------------------------------------------

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                changed = await asyncio.to_thread(self.reload)
            except Exception:
                log.exception("reloading schedules failed; keeping the current ones")
                continue
            if self._changed is not None:
                self._changed.set()
            if changed:
                log.info("schedules reloaded (generation %d)", self.generation)

    async def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait (bounded) until ``condition()`` holds, re-checking after each watcher pass."""
        assert self._changed is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True
