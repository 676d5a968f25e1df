"""One account's sender: claim due outbox rows, pace them, send them, record each outcome.

Each row goes through three short steps, each its own transaction where it touches the
database, run in the database worker (:class:`~bot.db.runner.DatabaseRunner`): claim
(committed before the send, so a crash leaves the row ``sending`` to be taken again after its
lease), send through the transport on the event loop, then record the outcome together with its
events (and, for a dead letter, the alert to admins) so they can never disagree.

Routes: a contact goes to the account's transport in private chat; a group goes to the room the
account bound it to, except that pushes to a group with a WeCom robot (a transport given in
``webhooks``) go through the robot, paced by the robot's own limit. Everything through the
account's transport shares the account's :class:`TokenBucket`.

What a failure does:

- the platform says "too fast": the account slows down and the row goes again when the slower
  pacing allows (no attempt used up: the refusal says nothing about the message);
- a file refused for its size, or for good, that has a link: the row becomes that link card;
- refused for good (or the group is gone from the config): dead now;
- anything else (network, timeout, a group not bound to a room yet): retried with exponential
  backoff, dead after ``bot.outbox.max_attempts``.

A dead row writes ``dead_letter`` and tells the admins of the group's region (or the nearest
region above with admins; the province's for private chats) through the outbox; a dead alert
alerts no one, so a broken account cannot feed on itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.clock import Clock, naive_utc
from bot.config import Home
from bot.config.models import Rate
from bot.core import events
from bot.core.messages import FileOut, Payload, Sent, Target, TextOut, payload_from_json
from bot.core.ports import DeliveryError, RoomLookup, Transport
from bot.db.runner import DatabaseRunner
from bot.db.schema import OutboxRow
from bot.delivery import fairness, outbox
from bot.delivery.outbox import CLAIM_LEASE, Outgoing, enqueue
from bot.delivery.rate_limit import TokenBucket
from bot.eventlog import NewEvent
from bot.links import codes as links
from bot.links import photos
from bot.transport import capabilities

log = logging.getLogger(__name__)

# Rows with these purposes are pushes: they write push_sent / push_failed (what statistics count)
# and are the only ones a WeCom robot carries (it cannot answer anyone).
PUSH_PURPOSES = frozenset({"push"})
ALERT = "alert"
ERROR_PAUSE_SECONDS = 5.0  # after a step failed as a whole (database away): don't spin
# A group with no room while the account is still listing its rooms (a first start, a room
# created since the last run) waits this long, untried: its binding is coming, not missing.
LISTING_WAIT_SECONDS = 2.0

Sleep = Callable[[float], Awaitable[None]]


@runtime_checkable
class PacedTransport(Protocol):
    """A transport with a limit of its own (a WeCom robot: 20 a minute), paced apart from the
    account."""

    def rate(self) -> Rate: ...

    def cost(self, payload: Payload) -> int: ...


@dataclass(frozen=True)
class _Route:
    transport: Transport
    address: str
    to_room: bool
    bucket: TokenBucket
    cost: int = 1


@dataclass(frozen=True)
class _Failure:
    error: str
    retryable: bool = True
    rate_limited: bool = False
    too_large: bool = False
    listing: bool = False  # no room yet, and the account is listing its rooms


class Sender:
    """The sender loop of one account. Drive it with :meth:`run` in production, or call
    :meth:`step` and move a :class:`~bot.clock.ManualClock` by what it returns."""

    def __init__(self, *, home: Home, account: str, db: DatabaseRunner,
                 transport: Transport, rooms: RoomLookup, clock: Clock,
                 webhooks: Mapping[str, Transport] | None = None,
                 rng: random.Random | None = None, sleep: Sleep | None = None,
                 worker: str | None = None, lease: timedelta = CLAIM_LEASE,
                 idle_seconds: float = 1.0, online: Callable[[], bool] = lambda: True,
                 listing: Callable[[], bool] = lambda: False,
                 link_base: Callable[[], str | None] = lambda: None) -> None:
        config = next((a for a in home.bot.accounts if a.id == account), None)
        if config is None:
            raise ValueError(f"account {account!r} is not in bot.yaml")
        self.home = home
        self.account = account
        self.worker = (worker or _worker_id(account))[:128]
        self._db = db
        self._transport = transport
        self._rooms = rooms
        self._clock = clock
        self._webhooks = dict(webhooks or {})
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._lease = lease
        self._idle_seconds = idle_seconds
        # While the account is disconnected nothing is claimed for it: a long outage must not
        # use up attempts and dead-letter what is queued. Robots do not depend on it.
        self._online = online
        # Sending starts with the rooms bound in earlier runs while the account lists its rooms
        # (minutes for thousands): whether that listing is still going on.
        self._listing = listing
        # where tracked links point (bot.yaml links.public_base, or the simulator): asked at each
        # send, so queued pushes follow a change; None sends the real address
        self._link_base = link_base
        self._files = capabilities.of_account(home, account).files
        self._settings = home.bot.outbox
        self.bucket = TokenBucket(config.rate, clock, rng=self._rng)
        self._robot_buckets: dict[str, TokenBucket] = {}

    # --- driving ---------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set. A failing step is logged and tried again; it never ends
        the loop."""
        sleep = self._sleep or _sleep_unless(stop)
        log.info("sender %s started as %s", self.account, self.worker)
        while not stop.is_set():
            try:
                wait = await self.step()
            except Exception:
                log.exception("sender %s: step failed, trying again shortly", self.account)
                wait = ERROR_PAUSE_SECONDS
            if stop.is_set():
                break
            await sleep(wait)
        log.info("sender %s stopped", self.account)

    async def step(self) -> float:
        """Send what the pacing allows now; return the seconds until it is worth calling again
        (the next send the pacing allows, or a short poll when nothing is due)."""
        while True:
            wait = self.bucket.wait_seconds() if self._online() else self._idle_seconds
            if wait == 0:
                row = await self._claim()
                if row is None:
                    return self._idle_seconds
            else:
                # the account must wait, but a robot with its own pacing may still take a push
                ready = [g for g, hook in self._webhooks.items()
                         if self._robot_bucket(g, hook).wait_seconds() == 0]
                row = await self._claim(groups=ready, purposes=PUSH_PURPOSES) if ready else None
                if row is None:
                    return min(wait, self._idle_seconds) if self._webhooks else wait
            await self._deliver(row)

    # --- one row ---------------------------------------------------------------------------------

    async def _claim(self, **only: Any) -> OutboxRow | None:
        rows = await self._db.run(outbox.claim, self.account, self._clock.now(), 1, self.worker,
                                  lease=self._lease, **only)
        return rows[0] if rows else None

    async def _deliver(self, row: OutboxRow) -> None:
        if fairness.stale(row, self._settings, self._clock.now()):
            await self._db.run(self._drop_stale, row, self._clock.now())
            return  # no token spent: the next row may go at once
        try:
            payload = payload_from_json(row.payload)
        except Exception as exc:  # a row written by a newer or broken version: not ours to fix
            await self._record(row, None, failure=_Failure(
                msg.OUTBOX_BAD_ROW.format(error=exc), retryable=False))
            return
        payload = links.addressed(payload, self._link_base())
        if not self._files:  # a kept photo goes as a link to it (WeCom), a full week from now
            payload = photos.as_link(self.home.paths.data, payload, self._link_base(),
                                     self._clock.now())
        route = self._route(row, payload)
        if isinstance(route, _Failure) and route.listing:
            until = self._clock.now() + timedelta(seconds=LISTING_WAIT_SECONDS)
            await self._db.run(self._defer, row, until)
            return
        if isinstance(route, _Failure):
            await self._record(row, payload, failure=route)
            return
        wait = route.bucket.wait_seconds()
        if wait > 0:  # a reply to a robot's group that came in with the robot's claim
            await self._db.run(self._defer, row, self._clock.now() + timedelta(seconds=wait))
            return
        for _ in range(route.cost):
            route.bucket.take()
        try:
            sent = await route.transport.send(route.address, payload, to_room=route.to_room)
        except DeliveryError as exc:
            failure = _Failure(str(exc) or type(exc).__name__, exc.retryable, exc.rate_limited,
                               exc.too_large)
        except Exception as exc:  # an adapter bug must not stop the account: retry, then dead
            log.exception("transport raised on outbox row %s", row.key)
            failure = _Failure(f"{type(exc).__name__}: {exc}")
        else:
            await self._record(row, payload, sent=sent)
            return
        if failure.rate_limited:
            log.warning("account %s: platform says too fast; slowing down", self.account)
            route.bucket.slow_down()
        await self._record(row, payload, failure=failure)

    def _route(self, row: OutboxRow, payload: Payload) -> _Route | _Failure:
        if row.target_kind == "contact":
            return _Route(self._transport, row.target_id, False, self.bucket)
        group = self.home.groups.get(row.target_id) if row.target_kind == "group" else None
        if group is None:
            return _Failure(msg.OUTBOX_UNKNOWN_GROUP.format(group=row.target_id), retryable=False)
        hook = self._webhooks.get(group.id)
        if hook is not None and row.purpose in PUSH_PURPOSES:
            cost = hook.cost(payload) if isinstance(hook, PacedTransport) else 1
            return _Route(hook, group.id, True, self._robot_bucket(group.id, hook), max(1, cost))
        room = self._rooms.room_for_group(group.id)
        if room is None:  # binding may come with the listing under way, or the next ready
            return _Failure(msg.OUTBOX_UNBOUND, listing=self._listing())
        return _Route(self._transport, room, True, self.bucket)

    def _robot_bucket(self, group_id: str, hook: Transport) -> TokenBucket:
        bucket = self._robot_buckets.get(group_id)
        if bucket is None:
            rate = hook.rate() if isinstance(hook, PacedTransport) else self.bucket.rate
            bucket = self._robot_buckets[group_id] = TokenBucket(rate, self._clock, rng=self._rng)
        return bucket

    # --- outcomes --------------------------------------------------------------------------------

    def _drop_stale(self, session: Session, row: OutboxRow, now: datetime) -> None:
        current = self._still_ours(session, row)
        if current is None:
            return
        waited = round((naive_utc(now) - current.created_at).total_seconds())
        outbox.drop(current, now=now, reason=msg.OUTBOX_STALE.format(minutes=waited // 60))
        log.info("outbox %s: dropped, %d s old", row.key, waited)
        eventlog.append(session, [NewEvent(
            kind=events.REPLY_STALE, ts=now, account=self.account, group_id=_group_of(row),
            actor=row.requester, ref=row.key[:128],
            detail={"purpose": row.purpose, "waited_seconds": waited})])

    def _defer(self, session: Session, row: OutboxRow, until: datetime) -> None:
        current = self._still_ours(session, row)
        if current is not None:
            outbox.defer(current, until=until)

    async def _record(self, row: OutboxRow, payload: Payload | None, *,
                      sent: Sent | None = None, failure: _Failure | None = None) -> None:
        await self._db.run(self._outcome, row, payload, sent, failure, self._clock.now())

    def _outcome(self, session: Session, row: OutboxRow, payload: Payload | None,
                 sent: Sent | None, failure: _Failure | None, now: datetime) -> None:
        current = self._still_ours(session, row)
        if current is None:
            return
        if sent is not None:
            outbox.complete(current, now=now, sent=sent)
            new = self._sent_events(current, sent, now)
        else:
            assert failure is not None
            new = self._failed(session, current, payload, failure, now)
        if new:
            eventlog.append(session, new)

    def _still_ours(self, session: Session, row: OutboxRow) -> OutboxRow | None:
        current = session.get(OutboxRow, row.id, with_for_update=True)
        if current is None or current.status != outbox.SENDING or current.claimed_by != self.worker:
            # our lease ran out mid-send and another sender took the row: it owns the outcome
            log.warning("possibly sent twice: %s (claim taken over before this send ended)",
                        row.key)
            return None
        return current

    def _sent_events(self, row: OutboxRow, sent: Sent, now: datetime) -> list[NewEvent]:
        if row.purpose not in PUSH_PURPOSES:
            return []
        detail: dict[str, Any] = {"key": row.key, "attempts": row.attempts}
        if "members" in sent.detail:
            detail["members"] = sent.detail["members"]
        return [NewEvent(kind=events.PUSH_SENT, ts=now, account=self.account,
                         group_id=_group_of(row), ref=row.ref, detail=detail)]

    def _failed(self, session: Session, row: OutboxRow, payload: Payload | None,
                failure: _Failure, now: datetime) -> list[NewEvent]:
        error = failure.error[:1000]
        if failure.rate_limited:
            outbox.retry(row, now=now, error=error, count=False,
                         base_backoff_seconds=self._settings.base_backoff_seconds, rng=self._rng)
            outcome = "retry"
        elif (isinstance(payload, FileOut) and payload.fallback is not None
              and (failure.too_large or not failure.retryable)):
            outbox.fall_back(row, now=now, payload=payload.fallback,
                             error=msg.OUTBOX_FILE_FELL_BACK.format(error=error))
            outcome = "fallback"
        elif not failure.retryable or row.attempts + 1 >= self._settings.max_attempts:
            outbox.dead(row, now=now, error=error)
            outcome = "dead"
        else:
            outbox.retry(row, now=now, error=error, rng=self._rng,
                         base_backoff_seconds=self._settings.base_backoff_seconds)
            outcome = "retry"
        log.info("outbox %s: %s (%s)", row.key, outcome, error)
        new: list[NewEvent] = []
        if row.purpose in PUSH_PURPOSES:
            new.append(NewEvent(kind=events.PUSH_FAILED, ts=now, account=self.account,
                                group_id=_group_of(row), ref=row.ref,
                                detail={"key": row.key, "error": error, "attempts": row.attempts,
                                        "outcome": outcome}))
        if outcome == "dead":
            new.append(NewEvent(kind=events.DEAD_LETTER, ts=now, account=self.account,
                                group_id=_group_of(row), ref=row.key[:128],
                                detail={"key": row.key, "purpose": row.purpose, "error": error,
                                        "attempts": row.attempts}))
            if row.purpose != ALERT:
                self._alert(session, row, error, now)
        return new

    def _alert(self, session: Session, row: OutboxRow, error: str, now: datetime) -> None:
        group = self.home.groups.get(row.target_id) if row.target_kind == "group" else None
        target = group.name if group is not None else \
            msg.OUTBOX_CONTACT_TARGET.format(contact=row.target_id)
        text = msg.OUTBOX_DEAD_ALERT.format(
            target=target, attempts=row.attempts, error=error,
            purpose=msg.OUTBOX_PURPOSES.get(row.purpose, msg.OUTBOX_PURPOSE_OTHER))
        region = group.region if group is not None else self.home.province_id
        admins = self.home.responsible_admins(region)
        if not admins:
            log.error("dead letter %s and no admin to tell", row.key)
        enqueue(session, [
            Outgoing(key=f"alert:{row.id}:{admin.id}", account=self.account,
                     target=Target.contact(admin.id), payload=TextOut(text), purpose=ALERT,
                     ref=row.key[:128])
            for admin in admins
        ], now=now)



def _group_of(row: OutboxRow) -> str | None:
    return row.target_id if row.target_kind == "group" else None


def _worker_id(account: str) -> str:
    return f"{account}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _sleep_unless(stop: asyncio.Event) -> Sleep:
    """Real waiting that ends early when ``stop`` is set, so shutdown is immediate."""

    async def sleep(seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))

    return sleep
