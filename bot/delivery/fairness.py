"""Who goes first when the send budget is scarce (DESIGN §3 "Outbox"): priorities, round robin
across targets, a per-member limit on command replies, and replies that waited past their use.

An account sends a dozen messages a minute, so the order of the queue is the service people
get. Four rules, each applied where its facts are known:

- **Priority, from the purpose** (:data:`PRIORITIES`, the one table): an expert's answer and a
  question's relay to its experts first, command replies second, bulk pushes and reports last.
  Whoever enqueues says what a message is for; the priority follows from that, never from text.
- **Round robin across targets within a priority** (:func:`assign_rounds`, at enqueue): each row
  gets the round it is served in, one more than its target's last queued row, and never below
  the round now being served. The claim takes rows by (priority, round, age), one index walk, so
  a group with 120 replies queued gets one turn per round like a group with one.
- **A per-member limit on command replies** (:func:`admit`, at enqueue, by the chat side): past
  ``bot.outbox.command_replies_per_minute`` a member's replies are spread out to that rate; the
  first one held back brings one private note that the answer comes later; a command repeated
  while the same reply to the same place still waits is not answered twice (:func:`waiting`).
- **Stale replies are dropped when claimed** (:func:`stale`, by the sender): a reply past its
  kind's ``bot.outbox.stale_after_minutes`` (a ``#帮助`` answer half an hour late) is not sent.

Everything held back or dropped is an event (``reply_deferred``, ``reply_dropped``), so it is
counted and never silent.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from bot.clock import naive_utc
from bot.config.models import OutboxSettings
from bot.db.schema import OutboxRow

ANSWER = 0  # an expert's answer, a question's relay, the knowledge base's answer: people wait
COMMAND = 1  # a reply to a command (#帮助, #课程 …), a welcome, an alert to admins
BULK = 2  # scheduled pushes, quiz questions, reports: may wait behind people

PRIORITIES: dict[str, int] = {
    "answer": ANSWER, "relay": ANSWER, "faq": ANSWER,
    "reply": COMMAND, "welcome": COMMAND, "alert": COMMAND, "later": COMMAND,
    "push": BULK, "report": BULK, "quiz": BULK,
}
COMMAND_REPLY = "reply"  # the purpose the per-member limit applies to
LATER = "later"  # the private note that a member's replies are held back
_QUEUED = ("pending", "sending")
_CHUNK = 500  # targets per query when a push queues thousands of rows at once


def priority_of(purpose: str) -> int:
    """The priority of a message queued for ``purpose`` (an unknown purpose: a command's)."""
    return PRIORITIES.get(purpose, COMMAND)


# --- round robin, at enqueue -------------------------------------------------------------------


def assign_rounds(session: Session, rows: Sequence[dict[str, Any]], now: datetime) -> None:
    """Set each row's ``serve_round``: its target's last queued round + 1, or the round the
    account now serves at that priority if that is higher (a target that was quiet does not
    jump ahead of the round with its whole backlog of turns saved up)."""
    at = naive_utc(now)
    by_lane: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_lane[(row["account"], row["priority"])].append(row)
    for (account, priority), lane in by_lane.items():
        floor = session.scalar(select(func.min(OutboxRow.serve_round)).where(
            OutboxRow.account == account, OutboxRow.status == "pending",
            OutboxRow.priority == priority, OutboxRow.next_attempt_at <= at)) or 0
        targets = sorted({(r["target_kind"], r["target_id"]) for r in lane})
        last: dict[tuple[str, str], int] = {}
        for start in range(0, len(targets), _CHUNK):
            chunk = targets[start:start + _CHUNK]
            last.update({(kind, target): int(top) for kind, target, top in session.execute(
                select(OutboxRow.target_kind, OutboxRow.target_id,
                       func.max(OutboxRow.serve_round))
                .where(OutboxRow.account == account, OutboxRow.priority == priority,
                       OutboxRow.status.in_(_QUEUED),
                       tuple_(OutboxRow.target_kind, OutboxRow.target_id).in_(chunk))
                .group_by(OutboxRow.target_kind, OutboxRow.target_id))})
        for row in lane:
            target = (row["target_kind"], row["target_id"])
            row["serve_round"] = last[target] = max(last.get(target, -1) + 1, floor)


# --- the per-member limit, at enqueue -----------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    """When the replies to one command may go (``due``); ``tell`` when this is the first one
    held back (the private note goes)."""

    due: datetime
    tell: bool = False

    def held_back(self, now: datetime) -> bool:
        return self.due > naive_utc(now)


def request_key(target: str, payload: str) -> str:
    """What makes two replies the same: the same words to the same place (a repeated command
    whose answer has not changed), short enough to index."""
    return hashlib.sha256(f"{target}\n{payload}".encode()).hexdigest()[:32]


def waiting(session: Session, *, account: str, member: str, request: str) -> bool:
    """Whether the same reply to ``member`` is still queued (then a repeat adds nothing)."""
    return session.scalar(select(OutboxRow.id).where(
        OutboxRow.account == account, OutboxRow.requester == member,
        OutboxRow.status.in_(_QUEUED), OutboxRow.request == request).limit(1)) is not None


def admit(session: Session, settings: OutboxSettings, *, account: str, member: str,
          now: datetime) -> Admission:
    """When the replies to ``member``'s command may go: at once, or later, so that no minute
    holds more than ``command_replies_per_minute`` of them."""
    at = naive_utc(now)
    mine = (OutboxRow.account == account, OutboxRow.requester == member)
    limit = settings.command_replies_per_minute
    window = timedelta(minutes=1)
    planned = list(session.scalars(select(OutboxRow.next_attempt_at).where(
        *mine, OutboxRow.next_attempt_at > at - window)
        .order_by(OutboxRow.next_attempt_at.desc()).limit(limit)))
    if len(planned) < limit:
        return Admission(at)
    # the limit-th latest send plus a minute keeps every minute at ``limit``; and never before
    # a reply to an earlier command of the same member
    due = max(planned[-1] + window, planned[0])
    already_told = session.scalar(select(OutboxRow.id).where(
        *mine, OutboxRow.status == "pending", OutboxRow.next_attempt_at > at).limit(1))
    return Admission(due, tell=already_told is None)


# --- staleness, when claimed --------------------------------------------------------------------


def stale(row: OutboxRow, settings: OutboxSettings, now: datetime) -> bool:
    """Whether ``row`` waited past its use (its purpose's ``stale_after_minutes``)."""
    minutes = settings.stale_after_minutes.get(row.purpose)
    if minutes is None:
        return False
    return naive_utc(now) - row.created_at > timedelta(minutes=minutes)
