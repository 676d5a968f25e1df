"""Training sessions: ``#开始培训 <主题>`` opens one in a group, ``#结束培训`` closes it, and
members ``#签到`` once per session. A schedule can open one too (:func:`open_session`).

The session and its check-ins are rows (read by reports); each step is also an event (read by
the rollup and by ``report explain``), written in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.chat.examples import examples_for, fill
from bot.chat.parse import clean
from bot.chat.turn import Turn
from bot.clock import naive_utc
from bot.core import events as ev
from bot.db.schema import TrainingCheckin, TrainingSession
from bot.stats.figures import session_ref

MAX_TOPIC = 200


def current(session: Session, group_id: str) -> TrainingSession | None:
    """The group's open session, if any."""
    return session.scalars(select(TrainingSession).where(
        TrainingSession.group_id == group_id, TrainingSession.closed_at.is_(None)
    ).order_by(TrainingSession.id.desc()).limit(1)).first()


def participants(session: Session, session_id: int) -> int:
    return int(session.execute(select(func.count()).where(
        TrainingCheckin.session_id == session_id)).scalar_one())


def open_session(session: Session, group_id: str, topic: str, now: datetime, *,
                 actor: str | None = None, account: str | None = None) -> TrainingSession | None:
    """Open a session in ``group_id`` (for a schedule, or ``#开始培训``); ``None`` when one is
    already open there. The caller commits, and announces it if it wants to."""
    if current(session, group_id) is not None:
        return None
    row = TrainingSession(group_id=group_id, account=account, topic=topic[:MAX_TOPIC],
                          opened_by=actor, opened_at=naive_utc(now), open_event_id=0)
    session.add(row)
    session.flush()  # the id names the session in its event
    [event] = eventlog.append(session, [eventlog.NewEvent(
        kind=ev.TRAINING_OPEN, ts=now, account=account, group_id=group_id, actor=actor,
        ref=session_ref(row.id), detail={"topic": row.topic})])
    row.open_event_id = event.id
    return row


def close_session(session: Session, group_id: str, now: datetime, *, actor: str | None = None,
                  account: str | None = None) -> tuple[TrainingSession, int] | None:
    row = current(session, group_id)
    if row is None:
        return None
    count = participants(session, row.id)
    row.closed_at, row.closed_by = naive_utc(now), actor
    eventlog.append(session, [eventlog.NewEvent(
        kind=ev.TRAINING_CLOSE, ts=now, account=account, group_id=group_id, actor=actor,
        ref=session_ref(row.id), detail={"participants": count})])
    return row, count


def check_in(session: Session, row: TrainingSession, member: str, now: datetime, *,
             account: str | None = None) -> bool:
    """Record ``member``'s check-in to ``row``; ``False`` when they had already checked in."""
    if session.get(TrainingCheckin, (row.id, member)) is not None:
        return False
    [event] = eventlog.append(session, [eventlog.NewEvent(
        kind=ev.CHECKIN, ts=now, account=account, group_id=row.group_id, actor=member,
        ref=session_ref(row.id))])
    session.add(TrainingCheckin(session_id=row.id, member=member, ts=naive_utc(now),
                                event_id=event.id))
    session.flush()
    return True


# --- chat commands -------------------------------------------------------------------------------


def _mention(turn: Turn) -> tuple[str, ...]:
    return () if turn.in_private else (turn.sender,)


def handle_open(turn: Turn, args: str) -> None:
    if turn.group is None:
        turn.reply(msg.TRAINING_IN_GROUP_ONLY)
        return
    topic = clean(args)
    if not topic:
        turn.reply(fill(msg.TRAINING_NEEDS_TOPIC, examples_for(turn.home, turn.group)),
                   mentions=_mention(turn))
        return
    existing = current(turn.session, turn.group.id)
    if existing is not None:
        turn.reply(msg.TRAINING_ALREADY_OPEN.format(topic=existing.topic,
                                                    ref=session_ref(existing.id)),
                   mentions=_mention(turn))
        return
    row = open_session(turn.session, turn.group.id, topic, turn.now, actor=turn.sender,
                       account=turn.account)
    assert row is not None  # checked just above, in the same transaction
    turn.reply(msg.TRAINING_OPENED.format(topic=row.topic, ref=session_ref(row.id)))


def handle_close(turn: Turn, _args: str) -> None:
    if turn.group is None:
        turn.reply(msg.TRAINING_IN_GROUP_ONLY)
        return
    closed = close_session(turn.session, turn.group.id, turn.now, actor=turn.sender,
                           account=turn.account)
    if closed is None:
        turn.reply(msg.TRAINING_NONE_OPEN, mentions=_mention(turn))
        return
    row, count = closed
    turn.reply(msg.TRAINING_CLOSED.format(topic=row.topic, ref=session_ref(row.id),
                                          participants=count))


def handle_checkin(turn: Turn, _args: str) -> None:
    if turn.group is None:
        turn.reply(msg.TRAINING_IN_GROUP_ONLY)
        return
    row = current(turn.session, turn.group.id)
    if row is None:
        turn.reply(msg.TRAINING_NONE_OPEN, mentions=_mention(turn))
        return
    if turn.session.get(TrainingCheckin, (row.id, turn.sender)) is not None:
        turn.reply(msg.CHECKIN_AGAIN.format(topic=row.topic), mentions=_mention(turn))
        return
    check_in(turn.session, row, turn.sender, turn.now, account=turn.account)
    turn.reply(msg.CHECKIN_DONE.format(topic=row.topic, number=participants(turn.session, row.id)),
               mentions=_mention(turn))
