"""The outbox: every outbound message is a row before it is anything else.

Features call :func:`enqueue` inside the same transaction that records what caused the message
(an event, a question, a schedule firing), so either both are committed or neither is. Sender
loops (:mod:`bot.delivery.sender`) :func:`claim` due rows, deliver them, and end each attempt with
:func:`complete`, :func:`retry`, :func:`fall_back` or :func:`dead`.

Which due row goes first is :mod:`bot.delivery.fairness`'s business: the priority follows from
the purpose, and :func:`enqueue` gives each row its round (round robin across targets).

A row's life: ``pending`` → (claimed) ``sending`` → ``sent`` | ``pending`` again | ``dead`` |
``dropped`` (a reply that waited past its use, :func:`drop`). The
claim is committed before the send, so a process that dies mid-send leaves the row in
``sending``; once its lease runs out another claim takes it again. That message may have
reached the chat already, so the re-claim is logged as "possibly sent twice": at most the one
in flight per crash is duplicated, and none is lost.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.clock import naive_utc
from bot.core.messages import Payload, Sent, Target, payload_to_json
from bot.db.engine import dialect_insert
from bot.db.schema import OutboxRow
from bot.delivery.fairness import assign_rounds, priority_of

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, DEAD, DROPPED = "pending", "sending", "sent", "dead", "dropped"
# A claim older than this belongs to a process that died: one send (a file upload included)
# never takes this long, so a live sender never has its row taken from under it.
CLAIM_LEASE = timedelta(minutes=10)
MAX_BACKOFF_SECONDS = 6 * 3600.0


@dataclass(frozen=True)
class Outgoing:
    key: str
    account: str
    target: Target
    payload: Payload
    purpose: str
    ref: str | None = None
    # ``None``: what the purpose says (:data:`bot.delivery.fairness.PRIORITIES`); given only
    # where the purpose does not say it all (a push a member asked for is a command's reply)
    priority: int | None = None
    requester: str | None = None  # the member whose command this replies to
    request: str | None = None  # fairness.request_key of that command
    due: datetime | None = None  # not before (a member's replies held back); default now


def enqueue(session: Session, messages: Iterable[Outgoing], *, now: datetime,
            fair: bool = True) -> int:
    """Queue ``messages``; a key already queued (in any state) is skipped. Returns rows added.
    ``fair=False`` leaves every row in round 0: arrival order within a priority (the
    benchmark's baseline, ``bot.outbox.fair: false``)."""
    at = naive_utc(now)
    rows = [
        {
            "key": m.key, "account": m.account, "target_kind": m.target.kind,
            "target_id": m.target.id, "payload": payload_to_json(m.payload),
            "purpose": m.purpose, "ref": m.ref, "status": "pending",
            "priority": priority_of(m.purpose) if m.priority is None else m.priority,
            "serve_round": 0, "requester": m.requester, "request": m.request,
            "attempts": 0, "created_at": at,
            "next_attempt_at": at if m.due is None else max(at, naive_utc(m.due)),
        }
        for m in messages
    ]
    if not rows:
        return 0
    if fair:
        assign_rounds(session, rows, now)
    # Core-level execute: the ORM's bulk path returns no rowcount.
    statement = dialect_insert(session, OutboxRow).on_conflict_do_nothing(index_elements=["key"])
    result = session.connection().execute(statement, rows)
    return int(result.rowcount or 0)


# --- the sender's side -----------------------------------------------------------------------


def claim(session: Session, account: str, now: datetime, limit: int, worker: str, *,
          lease: timedelta = CLAIM_LEASE, groups: Collection[str] | None = None,
          purposes: Collection[str] | None = None) -> list[OutboxRow]:
    """Mark up to ``limit`` of ``account``'s due rows ``sending`` for ``worker``, most urgent first.

    Due: ``pending`` with ``next_attempt_at <= now``, by priority, round, then age (one walk of
    ``ix_outbox_due``; see :mod:`bot.delivery.fairness`); before those, rows
    left ``sending`` by a claim older than ``lease`` (a crashed process). The caller commits
    before sending. On PostgreSQL concurrent claimers skip each other's rows (``FOR UPDATE SKIP
    LOCKED``); on SQLite every transaction already holds the write lock from BEGIN.
    ``groups`` and ``purposes`` limit the claim to rows for those groups and purposes (the ones
    whose own pacing allows a send while the account's does not: pushes through WeCom robots).
    """
    at = naive_utc(now)
    where = [OutboxRow.account == account]
    if groups is not None:
        where += [OutboxRow.target_kind == "group", OutboxRow.target_id.in_(list(groups))]
    if purposes is not None:
        where.append(OutboxRow.purpose.in_(list(purposes)))
    stale = select(OutboxRow).where(
        *where, OutboxRow.status == SENDING, OutboxRow.claimed_at < at - lease,
    ).order_by(OutboxRow.claimed_at, OutboxRow.id).limit(limit)
    rows = list(session.scalars(_locking(session, stale)))
    if len(rows) < limit:
        due = select(OutboxRow).where(
            *where, OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= at,
        ).order_by(OutboxRow.priority, OutboxRow.serve_round, OutboxRow.next_attempt_at,
                   OutboxRow.id)
        rows += session.scalars(_locking(session, due.limit(limit - len(rows))))
    for row in rows:
        if row.status == SENDING:
            log.warning("possibly sent twice: %s (claimed by %s at %s, never finished)",
                        row.key, row.claimed_by, row.claimed_at)
        row.status, row.claimed_by, row.claimed_at = SENDING, worker, at
    session.flush()
    return rows


def _locking(session: Session, query: Select[tuple[OutboxRow]]) -> Select[tuple[OutboxRow]]:
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def complete(row: OutboxRow, *, now: datetime, sent: Sent) -> None:
    row.status, row.sent_at, row.message_id = SENT, naive_utc(now), sent.message_id
    row.attempts += 1
    row.last_error = None


def backoff_seconds(attempts: int, base_seconds: float, rng: random.Random) -> float:
    """The wait after the ``attempts``-th failure: base, 2·base, 4·base … each ±25% at random so
    rows that failed together do not all come back in the same second."""
    nominal = min(MAX_BACKOFF_SECONDS, base_seconds * 2.0 ** max(0, attempts - 1))
    return nominal * rng.uniform(0.75, 1.25)


def retry(row: OutboxRow, *, now: datetime, error: str, base_backoff_seconds: float,
          rng: random.Random, count: bool = True) -> float:
    """Put the row back for a later attempt; returns the delay chosen. ``count=False`` for a
    refusal that says nothing about the message (the platform's "too fast"): it keeps its place
    in the queue and goes again as soon as the slowed-down pacing allows, using up no attempt."""
    row.status, row.last_error = PENDING, error
    if not count:
        return 0.0
    row.attempts += 1
    delay = backoff_seconds(row.attempts, base_backoff_seconds, rng)
    row.next_attempt_at = naive_utc(now) + timedelta(seconds=delay)
    return delay


def fall_back(row: OutboxRow, *, now: datetime, payload: Payload, error: str) -> None:
    """Replace what is sent (a refused file by its link card) and make the row due now; the
    replacement is a new message, so it gets its own attempts."""
    row.payload = payload_to_json(payload)
    row.status, row.last_error = PENDING, error
    row.next_attempt_at = naive_utc(now)


def defer(row: OutboxRow, *, until: datetime) -> None:
    """Hand a claimed row back untried (its route cannot take a message yet)."""
    row.status, row.next_attempt_at = PENDING, naive_utc(until)


def drop(row: OutboxRow, *, now: datetime, reason: str) -> None:
    """Do not send the row (a reply that waited past its use): kept, with why, for counting."""
    row.status, row.last_error = DROPPED, reason
    row.next_attempt_at = naive_utc(now)


def dead(row: OutboxRow, *, now: datetime, error: str) -> None:
    """Give up on the row (attempts used up, or an error no retry can fix)."""
    row.status, row.last_error = DEAD, error
    row.attempts += 1
    row.next_attempt_at = naive_utc(now)


def revive(row: OutboxRow, *, now: datetime) -> None:
    """Send a dead letter again (an admin asked, from the console): due now, with a fresh set
    of attempts; its last error stays until the next attempt replaces it."""
    row.status, row.attempts = PENDING, 0
    row.next_attempt_at = naive_utc(now)
    row.claimed_by = row.claimed_at = None
