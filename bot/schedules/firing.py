"""One firing of a schedule: an outbox row per target group, in one transaction.

Each (schedule, fire time, group) is decided once: a ``push_log`` row keyed exactly like the
outbox row (``push:{schedule}:{fire time}:{group}``) records the outcome, queued or skipped, in
the same transaction as the outbox row, the cursor move and the events. Handling the same firing
again, after a crash or a restart half way through a fan-out, finds the rows and adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.orm import Session

from bot import eventlog
from bot.clock import naive_utc
from bot.config import Home
from bot.config.models import Group
from bot.core import events
from bot.core.messages import Target
from bot.db.engine import dialect_insert
from bot.db.schema import PushCursor, PushLog
from bot.delivery.outbox import Outgoing, enqueue
from bot.links import codes as links
from bot.quiz import rounds as quiz_rounds
from bot.schedules.content import PushState, choose, chunks, payload_for, record_choice
from bot.schedules.loader import Schedule
from bot.schedules.timing import Firing

QUIET, MISSED, PAUSED, EXHAUSTED = "quiet", "missed", "paused", "exhausted"


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def push_key(schedule_id: str, at: datetime, group_id: str) -> str:
    return f"push:{schedule_id}:{iso(at)}:{group_id}"


@dataclass
class FireResult:
    queued: dict[str, str] = field(default_factory=dict)  # group → content id
    skipped: dict[str, str] = field(default_factory=dict)  # group → reason

    def __bool__(self) -> bool:
        return bool(self.queued or self.skipped)


def fire(session: Session, home: Home, schedule: Schedule, fire_time: Firing | datetime,
         now: datetime, *, account: str | None = None) -> FireResult:
    """Handle one firing for the target groups (of ``account`` when given); the caller commits.

    A firing later than the schedule's grace is skipped and logged as missed; a paused group is
    skipped; a series with no episode left, a pick with nothing new, or a quiz whose bank the
    group has finished, is skipped as exhausted. A course's link is minted a tracked code here.
    """
    firing = fire_time if isinstance(fire_time, Firing) else Firing(fire_time, fire_time)
    groups = [g for gid in schedule.groups if (g := home.groups.get(gid)) is not None
              and (account is None or g.account == account)]
    keys = {g.id: push_key(schedule.id, firing.at, g.id) for g in groups}
    done: set[str] = set()
    for part in chunks(list(keys.values())):
        done.update(session.scalars(select(PushLog.key).where(PushLog.key.in_(part))))
    pending = [g for g in groups if keys[g.id] not in done]
    result = FireResult()
    if not pending:
        return result

    state = PushState.load(session, [g.id for g in pending],
                           pushed=schedule.what.pick is not None)
    late = now - firing.at > schedule.grace
    log_rows: list[dict[str, Any]] = []
    outgoing: list[Outgoing] = []
    new_events: list[eventlog.NewEvent] = []
    what = schedule.what
    for group in pending:
        key = keys[group.id]
        reason = MISSED if late else PAUSED if group.id in state.paused else None
        detail: dict[str, Any] = {"schedule": schedule.id, "fire_time": iso(firing.at),
                                  "key": key}
        if what.quiz is not None:
            asked = None if reason else quiz_rounds.start(
                session, home, bank_id=what.quiz, count=what.quiz_questions,
                window=what.quiz_window, group=group, key=key, schedule_id=schedule.id, now=now)
            reason = reason or (EXHAUSTED if asked is None else None)
            new_events += [_event(events.PUSH_SKIPPED, now, group, None,
                                  {**detail, "reason": QUIET, "planned": iso(p)})
                           for p in firing.merged]
            log_rows.append(_log_row(key, group, schedule.id, None, firing.at, reason, now))
            new_events.append(_event(events.PUSH_SKIPPED if reason else events.PUSH_QUEUED, now,
                                     group, None, {**detail, "quiz": what.quiz,
                                                   **({"reason": reason} if reason else {})}))
            if asked is None:
                result.skipped[group.id] = reason or EXHAUSTED
            else:
                result.queued[group.id] = f"quiz:{what.quiz}"
                outgoing.append(asked)
            continue
        choice = choose(home, what, group, state)
        content = choice.item.id if choice.item else None
        reason = reason or (EXHAUSTED if choice.item is None else None)
        log_rows.append(_log_row(key, group, schedule.id, content, firing.at, reason, now))
        new_events += [_event(events.PUSH_SKIPPED, now, group, content,
                              {**detail, "reason": QUIET, "planned": iso(p)})
                       for p in firing.merged]
        if reason is not None:
            result.skipped[group.id] = reason
            new_events.append(_event(events.PUSH_SKIPPED, now, group, content,
                                     {**detail, "reason": reason}))
            continue
        assert choice.item is not None
        result.queued[group.id] = choice.item.id
        payload = links.track(
            session, payload_for(home, choice.item, group, schedule.message, choice.episode),
            group_id=group.id, content_id=choice.item.id, push_key=key, now=now)
        outgoing.append(Outgoing(key, group.account, Target.group(group.id), payload,
                                 purpose="push", ref=choice.item.id))
        new_events.append(_event(events.PUSH_QUEUED, now, group, content, detail))
        record_choice(state, schedule.what, group.id, choice)

    session.execute(insert_log(session), log_rows)
    enqueue(session, outgoing, now=now)
    if schedule.what.series is not None:
        _save_cursors(session, schedule.what.series, list(result.queued), state, now)
    eventlog.append(session, new_events)
    return result


def _log_row(key: str, group: Group, schedule_id: str, content: str | None, at: datetime,
             reason: str | None, now: datetime) -> dict[str, Any]:
    return {"key": key, "account": group.account, "schedule_id": schedule_id,
            "group_id": group.id, "content_id": content, "fire_time": naive_utc(at),
            "outcome": "skipped" if reason else "queued", "reason": reason,
            "requested_by": None, "created_at": naive_utc(now)}


def _event(kind: str, now: datetime, group: Group, content: str | None,
           detail: dict[str, Any]) -> eventlog.NewEvent:
    return eventlog.NewEvent(kind=kind, ts=now, account=group.account, group_id=group.id,
                             ref=content, detail=detail)


def insert_log(session: Session) -> Insert:
    """An insert into the push log that keeps the first row of a key (firing twice is once)."""
    return dialect_insert(session, PushLog).on_conflict_do_nothing(index_elements=["key"])


def _save_cursors(session: Session, series_id: str, group_ids: Sequence[str], state: PushState,
                  now: datetime) -> None:
    existing: dict[str, PushCursor] = {}
    for part in chunks(group_ids):
        for found in session.scalars(select(PushCursor).where(
                PushCursor.series_id == series_id, PushCursor.group_id.in_(part))):
            existing[found.group_id] = found
    for group_id in group_ids:
        number = state.next_episode(group_id, series_id)
        row = existing.get(group_id)
        if row is None:
            session.add(PushCursor(group_id=group_id, series_id=series_id, next_episode=number,
                                   updated_at=naive_utc(now)))
        else:
            row.next_episode = number
            row.updated_at = naive_utc(now)
