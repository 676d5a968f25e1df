"""One live process per account, held by a lease row in the database.

Each ``agribot run`` takes the row of every account it serves before it sends anything, renews
it with a heartbeat while it runs and deletes it when it stops. A second process for the same
account finds the row held by a live process and refuses to start, naming the holder (host,
pid, since).

**Why a lease row and not PostgreSQL's advisory lock.** One design has to serve SQLite, which has
no advisory locks, and PostgreSQL alike; and the refusal must name the holder, which an advisory
lock does not tell (``pg_locks`` names a server backend, not the host and pid of the client
process). A row holds both, on either database, read and written with the same portable SQL.

**How a dead holder is known, at once.** The row keeps the holder's identity: host, pid and the
pid's start time as the kernel counts it (``/proc/PID/stat``; the pid alone may have been reused
by a newer process). On the same host — SQLite's case always, and a restarted process on the
same machine on PostgreSQL — the holder is checked directly: gone, a zombie, or a different
process under its pid means dead, so a SIGKILLed process is replaced the moment its successor
starts, not after a timeout. A holder on another host is dead when its heartbeat is older than
:data:`STALE` (a heartbeat every :data:`HEARTBEAT_SECONDS`, so several missed ones).

**Taking over.** Holding an account's lease means no other live process claims its outbox rows,
so whatever is ``sending`` for it when the lease is taken was left by a dead process: those rows
go back to ``pending`` at once, in their place in the queue, instead of waiting out the claim
lease of :mod:`bot.delivery.outbox`. Each may already have reached the chat before its holder
died, so each is sent once more and logged as a ``possible_repeat`` event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.clock import Clock, naive_utc
from bot.core import events
from bot.db.engine import dialect_insert
from bot.db.runner import DatabaseRunner
from bot.db.schema import AccountLease, OutboxRow
from bot.delivery import outbox

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
# A holder on another host that has not renewed for this long is dead. Heartbeats go through the
# one database worker, behind at most one short transaction, so a live one is never this late.
STALE = timedelta(seconds=30)


@dataclass(frozen=True)
class Holder:
    """A process, as the lease row names it."""

    id: str
    host: str
    pid: int
    pid_start: str

    @classmethod
    def this_process(cls) -> Holder:
        host, pid = socket.gethostname()[:255], os.getpid()
        return cls(f"{host[:80]}:{pid}:{uuid.uuid4().hex[:12]}", host, pid, process_start(pid))


class AccountHeld(Exception):
    """Another live process holds the account: the one line that says who."""

    def __init__(self, account: str, host: str, pid: int, since: datetime) -> None:
        self.account, self.host, self.pid, self.since = account, host, pid, since
        super().__init__(msg.RUN_ACCOUNT_HELD.format(
            account=account, host=host, pid=pid, since=f"{since:%Y-%m-%d %H:%M:%S} UTC"))


def process_start(pid: int) -> str:
    """The kernel's start time of ``pid`` in clock ticks since boot (field 22 of
    ``/proc/PID/stat``); "" where there is no ``/proc``."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2:].split()  # the name in (…) may hold spaces
    return fields[19] if len(fields) > 19 else ""


def process_alive(pid: int, start: str) -> bool:
    """Whether the process that wrote ``(pid, start)`` still runs on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return not Path("/proc/self/stat").exists()  # no /proc here: existence is all we know
    fields = stat[stat.rindex(")") + 2:].split()
    if fields and fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return False
    return not start or (len(fields) > 19 and fields[19] == start)


def alive(row: AccountLease, me: Holder, now: datetime, stale: timedelta = STALE) -> bool:
    if row.holder == me.id:
        return True
    if row.host == me.host:
        return process_alive(row.pid, row.pid_start)
    return row.heartbeat_at > naive_utc(now) - stale


# --- in the database worker ----------------------------------------------------------------------


def acquire(session: Session, accounts: Iterable[str], me: Holder, now: datetime, *,
            stale: timedelta = STALE) -> dict[str, int]:
    """Take the lease of every account, or none (raises :class:`AccountHeld`); returns how many
    ``sending`` rows were taken over per account."""
    at = naive_utc(now)
    taken: dict[str, int] = {}
    for account in accounts:
        values = {"holder": me.id, "host": me.host, "pid": me.pid, "pid_start": me.pid_start,
                  "since": at, "heartbeat_at": at}
        inserted = session.connection().execute(dialect_insert(session, AccountLease).values(
            account=account, **values).on_conflict_do_nothing(index_elements=["account"]))
        if not inserted.rowcount:
            # Someone held it. Locked (PostgreSQL), so a process starting at the same moment
            # waits for this decision and then sees us as the live holder; SQLite's write lock
            # from BEGIN does the same.
            row = session.scalars(select(AccountLease).where(AccountLease.account == account)
                                  .with_for_update()).one()
            if row.holder != me.id and alive(row, me, now, stale):
                raise AccountHeld(account, row.host, row.pid, row.since)
            log.warning("account %s: its holder %s (host %s, pid %d) is dead; taking over",
                        account, row.holder, row.host, row.pid)
            session.execute(update(AccountLease).where(AccountLease.account == account)
                            .values(**values))
        taken[account] = take_over(session, account, me, now)
    return taken


def take_over(session: Session, account: str, me: Holder, now: datetime) -> int:
    """Give back the rows a dead holder left ``sending``: due at once, each logged as a possible
    repeat (it may have reached the chat before the holder died)."""
    rows = list(session.scalars(select(OutboxRow).where(
        OutboxRow.account == account, OutboxRow.status == outbox.SENDING,
        OutboxRow.claimed_by.is_distinct_from(me.id))))
    new = []
    for row in rows:
        log.warning("possibly sent twice: %s (claimed by %s at %s, which died; sending again)",
                    row.key, row.claimed_by, row.claimed_at)
        new.append(eventlog.NewEvent(
            kind=events.POSSIBLE_REPEAT, ts=now, account=account,
            group_id=row.target_id if row.target_kind == "group" else None, ref=row.key[:128],
            detail={"key": row.key, "purpose": row.purpose, "claimed_by": row.claimed_by,
                    "claimed_at": row.claimed_at.isoformat() if row.claimed_at else None}))
        # pending in its old place: next_attempt_at is when it first became due
        row.status = outbox.PENDING
    if new:
        eventlog.append(session, new)
    return len(rows)


def renew(session: Session, accounts: Iterable[str], me: Holder, now: datetime) -> list[str]:
    """The heartbeat; returns the accounts whose lease is no longer ours."""
    lost = []
    for account in accounts:
        result = session.connection().execute(update(AccountLease).where(
            AccountLease.account == account, AccountLease.holder == me.id,
        ).values(heartbeat_at=naive_utc(now)))
        if not result.rowcount:
            lost.append(account)
    return lost


def release(session: Session, accounts: Iterable[str], me: Holder) -> None:
    session.execute(delete(AccountLease).where(AccountLease.account.in_(list(accounts)),
                                               AccountLease.holder == me.id))


def holder_of(session: Session, account: str) -> tuple[str, int] | None:
    """(host, pid) of the account's holder; None when nobody holds it."""
    row = session.get(AccountLease, account)
    return (row.host, row.pid) if row is not None else None


# --- the process's side --------------------------------------------------------------------------


class AccountLeases:
    """The leases of one process's accounts: ``async with`` takes them (or raises
    :class:`AccountHeld`) and gives them back; :meth:`run` is the heartbeat."""

    def __init__(self, db: DatabaseRunner, accounts: Iterable[str], clock: Clock, *,
                 me: Holder | None = None, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 stale: timedelta = STALE,
                 on_lost: Callable[[str, str], None] = lambda _account, _line: None) -> None:
        self.accounts = list(accounts)
        self.me = me or Holder.this_process()
        self.taken_over: dict[str, int] = {}
        self._db = db
        self._clock = clock
        self._heartbeat = heartbeat_seconds
        self._stale = stale
        self._on_lost = on_lost
        self._held = False

    async def __aenter__(self) -> AccountLeases:
        self.taken_over = await self._db.run(acquire, self.accounts, self.me, self._clock.now(),
                                             stale=self._stale)
        self._held = True
        log.info("holding account(s) %s as %s", ", ".join(self.accounts), self.me.id)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._held:
            self._held = False
            await self._db.run(release, self.accounts, self.me)

    async def run(self, stop: asyncio.Event) -> None:
        """Renew every ``heartbeat_seconds`` until ``stop``; a lease found taken is reported to
        ``on_lost`` (the process must stop sending for it) and not renewed again."""
        while not stop.is_set() and self._held:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._heartbeat)
            if stop.is_set():
                break
            await self.beat()

    async def beat(self) -> None:
        """One renewal at the clock's time; a lease found taken goes to ``on_lost``."""
        try:
            lost = await self._db.run(renew, self.accounts, self.me, self._clock.now())
        except Exception:  # the database away for a moment: the next beat tries again
            log.exception("lease heartbeat failed; trying again")
            return
        for account in lost:
            host, pid = await self._db.read(holder_of, account) or ("?", "?")
            line = msg.RUN_ACCOUNT_LOST.format(account=account, host=host, pid=pid)
            log.error("%s", line)
            self._held = False
            self._on_lost(account, line)
