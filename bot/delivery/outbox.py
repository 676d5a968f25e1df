"""The outbox: every outbound message is a row before it is anything else.

Features call :func:`enqueue` inside the same transaction that records what caused the message
(an event, a question, a schedule firing), so either both are committed or neither is. Sender
loops (:mod:`bot.delivery.sender`) claim due rows and deliver them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.clock import naive_utc
from bot.core.messages import Payload, Target, payload_to_json
from bot.db.schema import OutboxRow

INTERACTIVE = 0  # someone is waiting for this answer
BULK = 1  # pushes, reports: may wait behind people


@dataclass(frozen=True)
class Outgoing:
    key: str
    account: str
    target: Target
    payload: Payload
    purpose: str
    ref: str | None = None
    priority: int = INTERACTIVE


def enqueue(session: Session, messages: Iterable[Outgoing], *, now: datetime) -> int:
    """Queue ``messages``; a key already queued (in any state) is skipped. Returns rows added."""
    at = naive_utc(now)
    rows = [
        {
            "key": m.key, "account": m.account, "target_kind": m.target.kind,
            "target_id": m.target.id, "payload": payload_to_json(m.payload),
            "purpose": m.purpose, "ref": m.ref, "priority": m.priority, "status": "pending",
            "attempts": 0, "created_at": at, "next_attempt_at": at,
        }
        for m in messages
    ]
    if not rows:
        return 0
    result = session.execute(_insert_ignoring_duplicates(session), rows)
    return int(result.rowcount or 0)


def _insert_ignoring_duplicates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(OutboxRow).on_conflict_do_nothing(index_elements=["key"])
