"""Questions nobody answered go up a level: county → city → province.

Each level has a deadline (``config/qa.yaml``; 4 h, 8 h, 24 h by default). When it passes with no
answer the question is given to the next level's experts, the experts below are reminded, and an
``escalation`` event is written. Deadlines count only working hours when those are configured.
The app calls :func:`escalate_due` from a periodic job with its clock's time.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.clock import naive_utc
from bot.config import Home
from bot.config.settings import QaSettings, WorkingHours
from bot.core import events
from bot.core.messages import Target, TextOut
from bot.db.schema import Question
from bot.delivery.outbox import Outgoing, enqueue
from bot.domain import Level, Tier
from bot.qa import routing, store

_MAX_DAYS = 3660  # a working-hours walk never needs more than this many days


def deadline(start: datetime, hours: float, working: WorkingHours | None,
             zone: ZoneInfo) -> datetime:
    """``hours`` after ``start``, counting only working hours when ``working`` is set (UTC)."""
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    remaining = timedelta(hours=hours)
    if working is None:
        return (start + remaining).astimezone(UTC)
    days = working.weekday_numbers()
    cursor = start.astimezone(zone)
    for _ in range(_MAX_DAYS):
        day = cursor.date()
        if day.weekday() in days:
            opens = datetime.combine(day, working.start, zone)
            closes = datetime.combine(day, working.end, zone)
            begin = max(cursor, opens)
            if begin < closes:
                if remaining <= closes - begin:
                    return (begin + remaining).astimezone(UTC)
                remaining -= closes - begin
        cursor = datetime.combine(day + timedelta(days=1), time(0), zone)
    raise ValueError("working hours never open")  # unreachable: days is never empty


def level_deadline(home: Home, settings: QaSettings, region_id: str,
                   start: datetime) -> datetime:
    hours = settings.deadlines.hours(home.regions[region_id].level)
    return deadline(start, hours, settings.working_hours, ZoneInfo(home.bot.timezone))


def escalate_due(session: Session, home: Home, now: datetime, *,
                 settings: QaSettings | None = None, account: str | None = None) -> int:
    """Escalate every open question past its deadline (only ``account``'s, when given);
    returns how many went up a level. Runs in the caller's transaction."""
    settings = settings or home.qa
    query = (select(Question)
             .where(Question.status == "open", Question.deadline_at.is_not(None),
                    Question.deadline_at <= naive_utc(now))
             .order_by(Question.id))
    if account is not None:
        query = query.where(Question.account == account)
    # Several processes may tick at once: each takes the questions the others have not.
    due = session.scalars(query.with_for_update(skip_locked=True)).all()
    return sum(_escalate(session, home, settings, question, now) for question in due)


def _escalate(session: Session, home: Home, settings: QaSettings, question: Question,
              now: datetime) -> int:
    if question.region_id not in home.regions or question.group_id not in home.groups:
        question.deadline_at = None  # its group or region left the configuration
        return 0
    region = home.regions[question.region_id]
    hours = settings.deadlines.hours(region.level)
    before = store.assigned(session, question.id)
    route = None
    if region.parent is not None:
        load = routing.open_load(session)
        route = routing.choose(home, region.parent, question.industry, load,
                               count=settings.experts_per_question, exclude=before)
    ref = store.qid(question)
    outgoing: list[Outgoing] = []
    hours_text = f"{hours:g}"
    if route is None:  # nobody above: remind the experts it has, once
        question.deadline_at = None
        outgoing += [Outgoing(f"qa:{ref}:remind-top:{e}", question.account, Target.contact(e),
                              TextOut(msg.QA_REMINDER_TOP.format(qid=ref, hours=hours_text)),
                              "relay", ref) for e in before]
        enqueue(session, outgoing, now=now)
        return 0
    new = [e.id for e in route.experts]
    store.assign(session, question, new, route.region_id, "escalation", now)
    relay = msg.QA_RELAY_ESCALATED.format(
        qid=ref, industry=store.industry_name(home, question.industry),
        below=region.name, hours=hours_text, asker=question.asker_name,
        group=store.group_name(home, question.group_id), text=question.text,
        attachments=store.describe_attachments(question))
    outgoing += [Outgoing(f"qa:{ref}:escalate:{route.region_id}:{e}", question.account,
                          Target.contact(e), TextOut(relay), "relay", ref) for e in new]
    outgoing += [Outgoing(f"qa:{ref}:escalate:{route.region_id}:{e}:media:{n}",
                          question.account, Target.contact(e), media, "relay", ref)
                 for e in new for n, media in enumerate(store.attachment_payloads(question))]
    names = "、".join(msg.QA_EXPERT_NAME.format(name=e.name) for e in route.experts)
    reminder = msg.QA_REMINDER.format(qid=ref, hours=hours_text,
                                      region=home.regions[route.region_id].name, experts=names)
    outgoing += [Outgoing(f"qa:{ref}:remind:{route.region_id}:{e}", question.account,
                          Target.contact(e), TextOut(reminder), "relay", ref) for e in before]
    # The asker hears it in the group too, or a question that went quiet looks forgotten.
    notice = msg.QA_ESCALATED_NOTICE.format(
        qid=ref, hours=hours_text, below=region.name,
        above=home.regions[route.region_id].name, experts=names)
    outgoing.append(Outgoing(f"qa:{ref}:escalate:{route.region_id}:asker", question.account,
                             Target.group(question.group_id),
                             TextOut(notice, (question.asker_id,)), "reply", ref))
    enqueue(session, outgoing, now=now)
    from_tier = _tier(home, region.id)
    question.region_id = route.region_id
    question.deadline_at = naive_utc(level_deadline(home, settings, route.region_id, now))
    eventlog.append(session, [eventlog.NewEvent(
        kind=events.ESCALATION, ts=now, account=question.account, group_id=question.group_id,
        ref=ref, detail={"from_tier": from_tier, "to_tier": _tier(home, route.region_id),
                         "experts": new})])
    return 1


def _tier(home: Home, region_id: str) -> str:
    """The tier of groups a region runs: county → junior, city → intermediate, …"""
    level = home.regions[region_id].level
    return {Level.COUNTY: Tier.JUNIOR, Level.CITY: Tier.INTERMEDIATE,
            Level.PROVINCE: Tier.SENIOR}[level].value
