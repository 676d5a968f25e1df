"""The append-only event log and its SHA-256 hash chain.

Each event's hash covers its own fields and the previous event's hash, so changing, inserting or
deleting any event breaks every hash after it; ``agribot audit verify`` recomputes the chain and
names the first event that does not match. A chain that is only cut short (its newest events
deleted) or rewritten from the start is still a valid chain, so the head is also kept outside
the database as an :class:`Anchor` (every report file and weekly report carries one; ``audit
verify`` prints one): checked against it, the log must still hold that many events ending in
that hash. Appends are serialised (an advisory lock on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) because each one reads the chain's head.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from bot import messages as msg
from bot.clock import naive_utc
from bot.db.schema import Event

GENESIS = "0" * 64
_LOCK_KEY = 0x61677269  # "agri": the advisory lock that serialises appends on PostgreSQL
_EVENTS = cast(Table, Event.__table__)
_HEAD = "agribot.eventlog.head"  # session.info: (transaction, id, hash) of the last append


@dataclass(frozen=True)
class NewEvent:
    kind: str
    ts: datetime
    account: str | None = None
    group_id: str | None = None
    actor: str | None = None
    ref: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


def canonical_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(event: Event) -> str:
    """The hash of one stored event, given the hash of the one before it."""
    return _hash({"id": event.id, "ts": event.ts, "account": event.account,
                  "group_id": event.group_id, "kind": event.kind, "actor": event.actor,
                  "ref": event.ref, "detail": event.detail, "prev_hash": event.prev_hash})


def _hash(row: Mapping[str, Any]) -> str:
    body = canonical_json({
        "id": row["id"],
        "ts": row["ts"].strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "account": row["account"],
        "group": row["group_id"],
        "kind": row["kind"],
        "actor": row["actor"],
        "ref": row["ref"],
        "detail": row["detail"],
    })
    return hashlib.sha256(f"{row['prev_hash']}\n{body}".encode()).hexdigest()


def append(session: Session, events: Iterable[NewEvent]) -> list[Event]:
    """Add ``events`` after the chain's head in ``session``'s transaction (the caller commits)."""
    rows = [Event(**row) for row in _chained(session, events)]
    session.add_all(rows)
    return rows


def append_bulk(session: Session, events: Iterable[NewEvent], *, chunk: int = 5000) -> int:
    """:func:`append` for thousands of events at once (a room's members at first binding):
    streamed in chunks without ORM objects, in the same chain and transaction. Returns how
    many."""
    session.flush()  # pending ORM events come first in the table, as they do in the chain
    connection = session.connection()  # Core: the ORM's bulk path costs as much as the hashing
    count, batch = 0, []
    for row in _chained(session, events):
        batch.append(row)
        if len(batch) == chunk:
            connection.execute(insert(_EVENTS), batch)
            count, batch = count + len(batch), []
    if batch:
        connection.execute(insert(_EVENTS), batch)
    return count + len(batch)


def _chained(session: Session, events: Iterable[NewEvent]) -> Iterator[dict[str, Any]]:
    """The rows of ``events``, numbered and hashed after the chain's head, one at a time."""
    transaction = session.get_transaction()
    cached = session.info.get(_HEAD)
    if cached is not None and cached[0] is transaction:
        # already appended in this transaction: the lock is held and the head is known
        _, last_id, last_hash = cached
    else:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        last_id, last_hash = head(session)
    for new in events:
        last_id += 1
        row = {"id": last_id, "ts": naive_utc(new.ts), "account": new.account,
               "group_id": new.group_id, "kind": new.kind, "actor": new.actor, "ref": new.ref,
               "detail": canonical_json(new.detail), "prev_hash": last_hash}
        row["hash"] = last_hash = _hash(row)
        session.info[_HEAD] = (transaction, last_id, last_hash)
        yield row


def head(session: Session) -> tuple[int, str]:
    """Id and hash of the newest event (``0, GENESIS`` for an empty log)."""
    row = session.execute(select(Event.id, Event.hash).order_by(Event.id.desc()).limit(1)).first()
    return (row.id, row.hash) if row else (0, GENESIS)


@dataclass(frozen=True)
class Broken:
    event_id: int
    reason: str


def verify(session: Session, *, batch: int = 5000) -> tuple[int, Broken | None]:
    """Walk the whole chain; return how many events were checked and the first break, if any."""
    expected_prev, expected_id, checked = GENESIS, 1, 0
    query = select(Event).order_by(Event.id).execution_options(yield_per=batch)
    for event in session.scalars(query):
        if event.id != expected_id:
            return checked, Broken(expected_id, f"event {expected_id} is missing")
        if event.prev_hash != expected_prev:
            return checked, Broken(event.id, "prev_hash does not match the event before it")
        if event_hash(event) != event.hash:
            return checked, Broken(event.id, "content does not match its hash")
        expected_prev, expected_id, checked = event.hash, expected_id + 1, checked + 1
        session.expunge(event)
    return checked, None


# --- the head kept outside the database ------------------------------------------------------

_ANCHOR = re.compile(r"^(?:(\d{1,12}):)?([0-9a-f]{64})$")


@dataclass(frozen=True)
class Anchor:
    """How many events the log held and the hash of the last one. Ids run 1, 2, … without gaps
    in an intact chain, so the head's id is the count."""

    events: int
    head: str

    def token(self) -> str:
        """``N:HASH``, what ``agribot audit verify --anchor`` takes back."""
        return f"{self.events}:{self.head}"

    @staticmethod
    def parse(text: str) -> Anchor | None:
        """``N:HASH`` or a bare ``HASH`` (count unknown: ``events`` is -1); ``None`` if neither."""
        found = _ANCHOR.match(text.strip().lower())
        if found is None:
            return None
        return Anchor(int(found.group(1)) if found.group(1) else -1, found.group(2))


def anchor(session: Session) -> Anchor:
    event_id, event_hash = head(session)
    return Anchor(event_id, event_hash)


@dataclass(frozen=True)
class AnchorBreak:
    """The log no longer holds the anchored head: ``missing`` events fewer than the anchor
    counted (``None`` when the anchor gave no count), or as many with another history."""

    missing: int | None
    found_hash: str | None  # what now stands where the anchored head stood


def check_anchor(session: Session, anchored: Anchor) -> AnchorBreak | None:
    """``None`` when the log still holds ``anchored``'s head at its place. (Whether the chain up
    to it is intact is :func:`verify`'s question.)"""
    if anchored.events == 0 and anchored.head == GENESIS:
        return None
    if anchored.events < 0:  # a bare hash: anywhere in the log will do, nothing to count
        held = session.scalar(select(Event.id).where(Event.hash == anchored.head).limit(1))
        return None if held is not None else AnchorBreak(None, None)
    found = session.scalar(select(Event.hash).where(Event.id == anchored.events))
    if found == anchored.head:
        return None
    kept = int(session.execute(
        select(func.count()).where(Event.id <= anchored.events)).scalar_one())
    return AnchorBreak(anchored.events - kept, found)


def describe_break(anchored: Anchor, broken: AnchorBreak) -> str:
    """One Chinese line for whoever runs the check: what is missing or changed."""
    head = anchored.head[:16]
    if broken.missing is None:
        return msg.ANCHOR_GONE.format(head=head)
    if broken.missing > 0:
        return msg.ANCHOR_MISSING.format(missing=broken.missing, events=anchored.events,
                                         head=head, kept=anchored.events - broken.missing)
    return msg.ANCHOR_REPLACED.format(events=anchored.events, head=head,
                                      found=(broken.found_hash or "")[:16])
