"""One live process per account (bot/delivery/lease.py), on SQLite and PostgreSQL: a live holder
is refused with its name, a dead one is replaced at once and its in-flight rows come back."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update

from bot.clock import ManualClock
from bot.core import events as kinds
from bot.db.engine import session_factory
from bot.db.runner import DatabaseRunner
from bot.db.schema import AccountLease
from bot.delivery import lease, outbox
from bot.delivery.lease import AccountHeld, AccountLeases, Holder

from .support import ACCOUNT, T0, events, push, queue, rows

ME = Holder.this_process()


def other(*, pid: int = os.getpid(), start: str = ME.pid_start, host: str = ME.host,
          name: str = "other") -> Holder:
    """A process as the lease row would name it (by default one that is alive: this one)."""
    return Holder(f"{host}:{pid}:{name}", host, pid, start)


def take(engine: Engine, holder: Holder, clock: ManualClock, **kwargs: object) -> dict[str, int]:
    with session_factory(engine).begin() as session:
        return lease.acquire(session, [ACCOUNT], holder, clock.now(), **kwargs)  # type: ignore[arg-type]


def test_a_live_holder_is_refused_by_name(engine: Engine) -> None:
    clock = ManualClock(T0)
    assert take(engine, other(), clock) == {ACCOUNT: 0}
    with pytest.raises(AccountHeld) as refused:
        take(engine, ME, clock)
    line = str(refused.value)
    assert ACCOUNT in line and ME.host in line and str(os.getpid()) in line
    assert "2026-03-02 00:00:00" in line and "\n" not in line
    assert take(engine, other(), clock) == {ACCOUNT: 0}  # its own holder may take it again


def test_a_dead_holder_on_this_host_is_replaced_at_once(engine: Engine) -> None:
    """No waiting for heartbeats or the claim lease: its `sending` rows are due again now, each a
    possible repeat in the log."""
    clock = ManualClock(T0)
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                            capture_output=True, text=True, check=True)
    dead = other(pid=int(exited.stdout))
    take(engine, dead, clock)
    queue(engine, clock, push("a"), push("b"), push("c"))
    with session_factory(engine).begin() as session:
        claimed = outbox.claim(session, ACCOUNT, clock.now(), 2, dead.id)
    assert [r.key for r in claimed] == ["a", "b"]
    clock.advance(timedelta(seconds=1))  # a restart a second later, well inside CLAIM_LEASE
    assert take(engine, ME, clock) == {ACCOUNT: 2}
    assert [r.status for r in rows(engine)] == ["pending"] * 3
    repeats = events(engine, kinds.POSSIBLE_REPEAT)
    assert [e.ref for e in repeats] == ["a", "b"]
    assert all(e.group_id == "nongan-junior" and dead.id in e.detail for e in repeats)
    with session_factory(engine).begin() as session:  # and the claim takes them first, now
        again = outbox.claim(session, ACCOUNT, clock.now(), 3, "new-worker")
    assert [r.key for r in again] == ["a", "b", "c"]


def test_a_reused_pid_is_not_the_holder(engine: Engine) -> None:
    """The pid alone may belong to a newer process: its start time tells them apart."""
    clock = ManualClock(T0)
    take(engine, other(start="1"), clock)  # this pid, but a process started at boot
    assert take(engine, ME, clock) == {ACCOUNT: 0}


def test_a_holder_on_another_host_is_dead_when_its_heartbeat_is_stale(engine: Engine) -> None:
    clock = ManualClock(T0)
    far = other(host="machine-b", pid=1234, start="99")
    take(engine, far, clock)
    clock.advance(lease.STALE - timedelta(seconds=1))
    with pytest.raises(AccountHeld, match="machine-b"):
        take(engine, ME, clock)
    with session_factory(engine).begin() as session:
        assert lease.renew(session, [ACCOUNT], far, clock.now()) == []
    clock.advance(lease.STALE - timedelta(seconds=1))
    with pytest.raises(AccountHeld):  # renewed: still alive
        take(engine, ME, clock)
    clock.advance(timedelta(seconds=2))
    assert take(engine, ME, clock) == {ACCOUNT: 0}
    with session_factory(engine).begin() as session:  # the old holder learns it lost
        assert lease.renew(session, [ACCOUNT], far, clock.now()) == [ACCOUNT]


def test_a_zombie_is_dead(engine: Engine) -> None:
    """Killed but not yet reaped by its parent: the pid exists, the process does not run."""
    # the child waits on its stdin, which nobody writes to, until it is killed
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        pid = child.pid
        zombie = other(pid=pid, start=lease.process_start(pid))
        assert lease.process_alive(pid, zombie.pid_start)
        child.kill()
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # dead, left unreaped
        assert not lease.process_alive(pid, zombie.pid_start)
    finally:
        child.communicate()  # reaps it and closes its stdin


async def test_leases_renew_release_and_report_a_loss(engine: Engine) -> None:
    clock = ManualClock(T0)
    db = DatabaseRunner(session_factory(engine))
    lost: list[str] = []
    stop = asyncio.Event()
    first = AccountLeases(db, [ACCOUNT], clock,
                          on_lost=lambda _account, line: (lost.append(line), stop.set()))
    async with first:
        await first.beat()  # renewed: still ours
        assert lost == []
        far = other(host="machine-b", pid=1, start="1")
        clock.advance(lease.STALE + timedelta(seconds=1))
        with session_factory(engine).begin() as session:  # as if it had taken over
            session.execute(update(AccountLease).values(
                holder=far.id, host=far.host, pid=far.pid))
        await first.beat()
        assert stop.is_set()
        await first.run(stop)  # a lost lease ends the heartbeat at once
    assert len(lost) == 1 and "machine-b" in lost[0]
    with session_factory(engine)() as session:  # not ours any more: left to its new holder
        assert lease.holder_of(session, ACCOUNT) is not None
    second = AccountLeases(db, ["jilin-kexie"], clock)
    with session_factory(engine).begin() as session:
        lease.release(session, [ACCOUNT], far)
    async with second:
        pass
    with session_factory(engine)() as session:
        assert lease.holder_of(session, ACCOUNT) is None
    await db.aclose()


def test_this_process_is_named_by_host_and_pid() -> None:
    assert ME.host == socket.gethostname() and ME.pid == os.getpid()
    assert lease.process_alive(ME.pid, ME.pid_start)
    assert ME.pid_start  # Linux: /proc is there
