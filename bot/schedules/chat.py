"""Courses in chat: ``#课程 [关键词]``, ``#点播 <编号>``; ``#暂停推送`` / ``#恢复推送`` (admins).

Everything a member sees is suited to the group's tier: a junior group is never offered a
senior course. A request goes through the outbox like a scheduled push and is logged in
``push_log`` with the member's contact id, which is what the daily limit counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import messages as msg
from bot.chat.examples import examples_for, fill
from bot.chat.router import CommandSpec
from bot.chat.turn import Turn
from bot.clock import naive_utc
from bot.config import Home
from bot.config.models import ContentItem, Group
from bot.core import events
from bot.core.messages import Target
from bot.db.schema import PushLog, PushPause
from bot.delivery.fairness import COMMAND
from bot.delivery.outbox import Outgoing, enqueue
from bot.links import codes as links
from bot.schedules.content import PushState, payload_for
from bot.schedules.firing import insert_log
from bot.schedules.loader import ScheduleBook
from bot.schedules.preview import local_time, plan

log = logging.getLogger(__name__)

DAILY_REQUESTS = 3  # per member per local day, across groups
UPCOMING_DAYS = 14
UPCOMING_SHOWN = 5
FOUND_SHOWN = 8

BookSource = Callable[[Home], ScheduleBook]


def commands(book: BookSource) -> list[CommandSpec]:
    """The course commands for the router. ``book`` gives the schedules in force (the app
    passes ``lambda _home: runner.book``, so hot reloads show at once)."""
    return [
        CommandSpec("课程", lambda turn, args: courses(turn, args, book), msg.COURSES_USAGE),
        CommandSpec("点播", request, msg.REQUEST_USAGE),
        CommandSpec("暂停推送", pause, msg.PAUSE_USAGE, admin_only=True),
        CommandSpec("恢复推送", resume, msg.RESUME_USAGE, admin_only=True),
    ]


# --- #课程 ------------------------------------------------------------------------------------


def courses(turn: Turn, args: str, source: BookSource) -> None:
    words = args.lower().split()
    group = turn.group
    if words:
        found = [i for i in turn.home.items.values()
                 if (group is None or group.tier in i.tiers)
                 and all(w in _haystack(turn.home, i) for w in words)]
        if not found:
            turn.reply(msg.COURSES_NOT_FOUND.format(words=" ".join(words)))
            return
        lines = [msg.COURSES_FOUND.format(count=len(found))]
        lines += [f"{i.id}  {i.title}{_minutes(i)}" for i in found[:FOUND_SHOWN]]
        turn.reply("\n".join(lines))
        return
    if group is None:
        turn.reply(fill(msg.COURSES_HINT, examples_for(turn.home, group)))
        return
    turn.reply(_upcoming(turn, group, source(turn.home)))


def _upcoming(turn: Turn, group: Group, book: ScheduleBook) -> str:
    mine = ScheduleBook({s.id: s for s in book.for_group(group.id)})
    state = PushState.load(turn.session, [group.id])
    pushes = [p for p in plan(turn.home, mine, state, turn.now,
                              turn.now + timedelta(days=UPCOMING_DAYS), group=group.id)
              if p.item is not None and not p.note]
    zone = ZoneInfo(turn.home.bot.timezone)
    lines = [msg.COURSES_UPCOMING]
    if group.id in state.paused:
        lines.append(msg.COURSES_PAUSED)
    elif not pushes:
        lines.append(msg.COURSES_NONE_UPCOMING.format(days=UPCOMING_DAYS))
    for push in pushes[:UPCOMING_SHOWN]:
        assert push.item is not None
        lines.append(f"{local_time(push.at, zone)}  {push.item.id} {push.item.title}")
    lines.append(fill(msg.COURSES_HINT, examples_for(turn.home, group)))
    return "\n".join(lines)


def _haystack(home: Home, item: ContentItem) -> str:
    industry = home.industries[item.industry].name if item.industry in home.industries else ""
    return " ".join([item.id, item.title, item.description, item.source, item.speaker or "",
                     industry, *item.tags]).lower()


def _minutes(item: ContentItem) -> str:
    return msg.MINUTES.format(minutes=round(item.duration / 60)) if item.duration else ""


# --- #点播 ------------------------------------------------------------------------------------


def request(turn: Turn, args: str) -> None:
    group = turn.group
    if group is None:
        turn.reply(msg.REQUEST_IN_GROUP)
        return
    wanted = args.split()[0] if args.split() else ""
    if not wanted:
        turn.reply(fill(msg.REQUEST_NEEDS_ID, examples_for(turn.home, group)),
                   mentions=(turn.sender,))
        return
    item = _find_item(turn.home, wanted)
    if item is None:
        turn.reply(msg.REQUEST_UNKNOWN.format(id=wanted[:64]), mentions=(turn.sender,))
        return
    if group.tier not in item.tiers:
        turn.reply(msg.REQUEST_TIER.format(id=item.id, tiers="、".join(t.label for t in item.tiers),
                                           tier=group.tier.label), mentions=(turn.sender,))
        return
    if requests_today(turn.session, turn.home, turn.sender, turn.now) >= DAILY_REQUESTS:
        turn.reply(msg.REQUEST_LIMIT.format(limit=DAILY_REQUESTS), mentions=(turn.sender,))
        return
    key = f"request:{turn.account}:{turn.inbound.message_id}"
    row = {"key": key, "account": group.account, "schedule_id": None, "group_id": group.id,
           "content_id": item.id, "fire_time": naive_utc(turn.now), "outcome": "queued",
           "reason": None, "requested_by": turn.sender, "created_at": naive_utc(turn.now)}
    if not _insert_log(turn.session, row):
        return  # the same message handled twice
    # The acknowledgement is queued first: both rows are interactive and due now, so the sender
    # takes them in queue order and the member reads 「已为您点播…」 before the card it announces.
    turn.reply(msg.REQUEST_QUEUED.format(title=item.title), mentions=(turn.sender,))
    payload = links.track(turn.session, payload_for(turn.home, item, group, None),
                          group_id=group.id, content_id=item.id, push_key=key, now=turn.now)
    enqueue(turn.session, [Outgoing(key, group.account, Target.group(group.id), payload,
                                    purpose="push", ref=item.id, priority=COMMAND)],
            now=turn.now)
    turn.record(events.PUSH_QUEUED, ref=item.id,
                detail={"schedule": None, "request": True, "key": key})


def requests_today(session: Session, home: Home, member: str, now: datetime) -> int:
    """How many courses ``member`` requested on ``now``'s local day (bot.yaml time zone)."""
    zone = ZoneInfo(home.bot.timezone)
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    count = session.scalar(select(func.count()).select_from(PushLog).where(
        PushLog.requested_by == member, PushLog.created_at >= naive_utc(start),
        PushLog.created_at < naive_utc(start + timedelta(days=1))))
    return int(count or 0)


def _find_item(home: Home, wanted: str) -> ContentItem | None:
    item = home.items.get(wanted)
    if item is not None:
        return item
    lowered = wanted.lower()
    return next((i for i in home.items.values() if i.id.lower() == lowered), None)


def _insert_log(session: Session, row: Mapping[str, object]) -> bool:
    result = session.execute(insert_log(session).values(**row))
    return bool(getattr(result, "rowcount", 0))


# --- #暂停推送 / #恢复推送 ----------------------------------------------------------------------


def _target_group(turn: Turn, args: str) -> Group | None:
    """The group named in ``args``, else this one; replies and returns None when not allowed."""
    named = args.split()[0] if args.split() else None
    group = turn.home.groups.get(named) if named else turn.group
    if named and group is None:
        turn.reply(msg.PAUSE_UNKNOWN_GROUP.format(group=named[:64]))
        return None
    if group is None:
        turn.reply(fill(msg.PAUSE_WHICH, examples_for(turn.home, _admin_group(turn))))
        return None
    if not turn.is_admin(group.region):
        turn.reply(msg.PAUSE_NOT_YOURS.format(group=group.id))
        return None
    return group


def _admin_group(turn: Turn) -> Group | None:
    """A group the sender administers, for the example in a reply sent in private."""
    return next((g for g in turn.home.groups.values() if turn.is_admin(g.region)), None)


def pause(turn: Turn, args: str) -> None:
    group = _target_group(turn, args)
    if group is None:
        return
    if turn.session.get(PushPause, group.id) is not None:
        turn.reply(msg.PAUSED_ALREADY.format(group=group.name))
        return
    turn.session.add(PushPause(group_id=group.id, paused_by=turn.sender,
                               paused_at=naive_utc(turn.now)))
    turn.record(events.PUSH_PAUSED, group_id=group.id)
    turn.reply(msg.PAUSED_OK.format(group=group.name))


def resume(turn: Turn, args: str) -> None:
    group = _target_group(turn, args)
    if group is None:
        return
    row = turn.session.get(PushPause, group.id)
    if row is None:
        turn.reply(msg.RESUMED_ALREADY.format(group=group.name))
        return
    turn.session.delete(row)
    turn.record(events.PUSH_RESUMED, group_id=group.id)
    turn.reply(msg.RESUMED_OK.format(group=group.name))
