"""Activities — 培训, 讲座, 义诊 — as rows and events: open one, check members in, close it.

An activity is opened in one group but belongs to its *place*: the region and tier of that group.
A county whose members overflow into a second (third …) junior group runs one activity across
all of them, so a check-in, a photo or ``#结束`` in any of those groups finds it.

The activity and its check-ins are rows (read by reports and the 报送 package); each step is
also an event (read by the rollup and by ``report explain``), written in the same transaction.
The chat commands are in :mod:`bot.activities.chat`; a schedule or a test can call these directly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import eventlog
from bot.clock import naive_utc
from bot.config import Home
from bot.core import events as ev
from bot.db.schema import ActivityMedia, TrainingCheckin, TrainingSession
from bot.domain import ActivityKind
from bot.stats.figures import session_ref

MAX_TOPIC = 100  # characters: a topic is a line in the summary and a title in the 简报


def place_groups(home: Home, group_id: str) -> list[str]:
    """The groups an activity opened in ``group_id`` runs in: every group of that group's region
    and tier (its overflow groups), the group itself first."""
    group = home.groups.get(group_id)
    if group is None:
        return [group_id]
    others = [g.id for g in home.groups.values()
              if g.region == group.region and g.tier == group.tier and g.id != group_id]
    return [group_id, *others]


def current(session: Session, home: Home, group_id: str) -> TrainingSession | None:
    """The activity open for ``group_id``'s place (its own or an overflow group's), if any."""
    return session.scalars(select(TrainingSession).where(
        TrainingSession.group_id.in_(place_groups(home, group_id)),
        TrainingSession.closed_at.is_(None),
    ).order_by(TrainingSession.id.desc()).limit(1)).first()


def region_of(home: Home, row: TrainingSession) -> str:
    """The activity's region: as recorded, or (rows from before activities had one) its group's."""
    if row.region_id:
        return row.region_id
    group = home.groups.get(row.group_id)
    return group.region if group is not None else home.province_id


def kind_of(row: TrainingSession) -> ActivityKind:
    try:
        return ActivityKind(row.kind)
    except ValueError:  # a kind this version does not know (written by a newer one)
        return ActivityKind.TRAINING


def participants(session: Session, session_id: int) -> int:
    return int(session.execute(select(func.count()).where(
        TrainingCheckin.session_id == session_id)).scalar_one())


def checkins(session: Session, session_id: int) -> list[TrainingCheckin]:
    return list(session.scalars(select(TrainingCheckin).where(
        TrainingCheckin.session_id == session_id).order_by(TrainingCheckin.ts,
                                                           TrainingCheckin.member)))


def media(session: Session, session_id: int) -> list[ActivityMedia]:
    return list(session.scalars(select(ActivityMedia).where(
        ActivityMedia.session_id == session_id).order_by(ActivityMedia.id)))


def open_session(session: Session, home: Home, group_id: str, topic: str, now: datetime, *,
                 kind: ActivityKind = ActivityKind.TRAINING, actor: str | None = None,
                 responsible: str | None = None, responsible_name: str | None = None,
                 account: str | None = None) -> TrainingSession | None:
    """Open an activity in ``group_id``'s place; ``None`` when one is already open there.
    The responsible person defaults to whoever opened it; a guest speaker has a name and no
    contact id. The caller commits, and announces it if it wants to."""
    if current(session, home, group_id) is not None:
        return None
    group = home.groups.get(group_id)
    if responsible is None and responsible_name is None:
        responsible = actor
    row = TrainingSession(
        group_id=group_id, account=account, kind=kind.value, topic=topic[:MAX_TOPIC],
        region_id=group.region if group is not None else None, responsible=responsible,
        responsible_name=responsible_name or person_name(home, responsible),
        opened_by=actor, opened_at=naive_utc(now), open_event_id=0)
    session.add(row)
    session.flush()  # the id names the activity in its event
    [event] = eventlog.append(session, [eventlog.NewEvent(
        kind=ev.TRAINING_OPEN, ts=now, account=account, group_id=group_id, actor=actor,
        ref=session_ref(row.id), detail={
            "topic": row.topic, "kind": row.kind, "region": row.region_id,
            "responsible": row.responsible, "groups": place_groups(home, group_id)})])
    row.open_event_id = event.id
    return row


def close_session(session: Session, home: Home, group_id: str, now: datetime, *,
                  actor: str | None = None, account: str | None = None
                  ) -> tuple[TrainingSession, int] | None:
    """Close the activity open for ``group_id``'s place; ``None`` when there is none."""
    row = current(session, home, group_id)
    if row is None:
        return None
    count = participants(session, row.id)
    row.closed_at, row.closed_by = naive_utc(now), actor
    eventlog.append(session, [eventlog.NewEvent(
        kind=ev.TRAINING_CLOSE, ts=now, account=account, group_id=row.group_id, actor=actor,
        ref=session_ref(row.id), detail={"participants": count, "kind": row.kind,
                                         "media": len(media(session, row.id))})])
    return row, count


def check_in(session: Session, row: TrainingSession, member: str, now: datetime, *,
             account: str | None = None, name: str | None = None,
             group_id: str | None = None) -> bool:
    """Record ``member``'s check-in to ``row`` from ``group_id`` (default: where it was
    opened); ``False`` when they had already checked in, in any of its groups."""
    if session.get(TrainingCheckin, (row.id, member)) is not None:
        return False
    where = group_id or row.group_id
    [event] = eventlog.append(session, [eventlog.NewEvent(
        kind=ev.CHECKIN, ts=now, account=account, group_id=where, actor=member,
        ref=session_ref(row.id))])
    session.add(TrainingCheckin(session_id=row.id, member=member, ts=naive_utc(now),
                                event_id=event.id, name=(name or "")[:64] or None,
                                group_id=where))
    session.flush()
    return True


def person_name(home: Home, contact_id: str | None) -> str | None:
    """A configured admin's or expert's name; ``None`` for anyone else."""
    if contact_id is None:
        return None
    expert = home.experts.get(contact_id)
    if expert is not None:
        return expert.name
    return next((a.name for a in home.admins if a.id == contact_id), None)
