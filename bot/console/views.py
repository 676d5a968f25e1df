"""What the console's pages show, as plain JSON-ready dicts: the overview's figures, the groups,
the questions and the activities of a :class:`~bot.console.scope.Scope`.

Each function takes a database session and runs in the bot's database worker (the routes reach
them through :class:`~bot.db.runner.DatabaseRunner`). Figures come from the statistics
(``bot.stats.figures.collect``, the rollup) so the console, ``#统计`` and the reports agree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.activities import sessions as activity_sessions
from bot.clock import naive_utc
from bot.console.scope import Scope
from bot.db.schema import (
    DAILY_GROUP_STATS,
    Answer,
    Question,
    RoomBinding,
    StatsMember,
    StatsQuestion,
    TrainingCheckin,
    TrainingSession,
)
from bot.domain import ActivityKind
from bot.qa import store
from bot.stats import rollup
from bot.stats.days import LocalDay, week_of
from bot.stats.figures import PeriodReport, collect, session_ref

Json = dict[str, Any]
DAILY = DAILY_GROUP_STATS.c
FRESH_LIMIT = 5000  # at most this many new events are folded while an admin waits
LIST_LIMIT = 100  # rows of one kind on a page: a phone shows no more
# The overview's figures, in order: catalog codes of a period's total row.
OVERVIEW = ("members_end", "active_members", "messages", "questions", "answered",
            "answer_rate", "median_response", "pushes_sent", "link_opens", "open_rate",
            "sessions", "participants")


def _local(home_tz: str, at: datetime | None) -> str:
    if at is None:
        return ""
    return f"{at.replace(tzinfo=UTC).astimezone(ZoneInfo(home_tz)):%Y-%m-%d %H:%M}"


def _hours(since: datetime, now: datetime) -> float:
    return round((naive_utc(now) - since).total_seconds() / 3600, 1)


# --- 概览 ----------------------------------------------------------------------------------------


def periods(timezone: str, now: datetime) -> dict[str, tuple[date, date]]:
    """This week (Monday to today) and this month (the 1st to today), local days."""
    today = LocalDay(timezone).today(now)
    monday, _ = week_of(today)
    return {"week": (monday, today), "month": (today.replace(day=1), today)}


def summary(session: Session, scope: Scope, now: datetime) -> Json:
    """This week's and this month's figures, the month day by day, trainings against target."""
    home = scope.home
    rollup.catch_up(session, home, limit=FRESH_LIMIT)  # an admin who just acted sees it
    found: Json = {"region": scope.region_id, "region_name": scope.name, "periods": {}}
    month_report: PeriodReport | None = None
    for name, (first, last) in periods(home.bot.timezone, now).items():
        report = collect(session, home, first, last, region_id=scope.region_id,
                         targets=home.reports)
        values = report.total().values
        figures = {code: values[code] for code in OVERVIEW}
        figures["overdue"] = _overdue(session, scope, first, last, now)
        found["periods"][name] = {"first": first.isoformat(), "last": last.isoformat(),
                                  "figures": figures}
        month_report = report
    assert month_report is not None
    found["daily"] = _daily(session, scope, month_report.first, month_report.last)
    found["targets"] = _targets(month_report)
    found["covers"] = {"event_id": month_report.covers.event_id,
                       "event_hash": month_report.covers.event_hash}
    return found


def _overdue(session: Session, scope: Scope, first: date, last: date, now: datetime) -> int:
    """Questions asked in the period still without an answer past their deadline."""
    query = select(func.count()).where(
        StatsQuestion.day >= first, StatsQuestion.day <= last,
        StatsQuestion.answer_event_id.is_(None), StatsQuestion.deadline.is_not(None),
        StatsQuestion.deadline < naive_utc(now),
        StatsQuestion.group_id.in_(list(scope.groups)))
    return int(session.scalar(query) or 0)


def _daily(session: Session, scope: Scope, first: date, last: date) -> list[Json]:
    """Each day of the period: active members, questions, pushes (the overview's chart)."""
    days: dict[date, Json] = {}
    day = first
    while day <= last:
        days[day] = {"day": day.isoformat(), "active_members": 0, "questions": 0,
                     "pushes_sent": 0}
        day += timedelta(days=1)
    query = select(DAILY.day, func.sum(DAILY.active_members), func.sum(DAILY.questions),
                   func.sum(DAILY.pushes_sent)).where(
        DAILY.day >= first, DAILY.day <= last,
        DAILY.group_id.in_(list(scope.groups))).group_by(DAILY.day)
    for when, active, questions, pushes in session.execute(query):
        if when in days:
            days[when].update(active_members=int(active or 0), questions=int(questions or 0),
                              pushes_sent=int(pushes or 0))
    return list(days.values())


def _targets(report: PeriodReport) -> list[Json]:
    config = report.home.reports
    rows = []
    for row in report.targets:
        target = config.target(row.kind)
        rows.append({"region": row.region.id, "region_name": row.region.name,
                     "kind": row.kind.label, "sessions": row.sessions,
                     "min_sessions": target.min_sessions if target else None,
                     "min_participants": target.min_participants if target else None,
                     "participants": row.participants, "shortfalls": row.shortfalls})
    return rows


# --- 群 ------------------------------------------------------------------------------------------


def groups(session: Session, scope: Scope) -> list[Json]:
    """Each group: tier, account, how it binds and whether it is bound, members, last activity
    (the last day anyone was active in it, from the rollup)."""
    ids = list(scope.groups)
    bound = {b.group_id: b for b in session.scalars(
        select(RoomBinding).where(RoomBinding.group_id.in_(ids)))}
    members = dict(session.execute(select(StatsMember.group_id, func.count()).where(
        StatsMember.group_id.in_(ids)).group_by(StatsMember.group_id)).tuples().all())
    last = dict(session.execute(select(DAILY.group_id, func.max(DAILY.day)).where(
        DAILY.group_id.in_(ids), DAILY.active_members > 0).group_by(DAILY.group_id)
    ).tuples().all())
    home = scope.home
    rows = []
    for group in scope.groups.values():
        binding = bound.get(group.id)
        rows.append({
            "id": group.id, "name": group.name, "tier": group.tier.label,
            "region": group.region, "region_name": home.regions[group.region].name,
            "account": group.account,
            "binds_by": f"id {group.room_id}" if group.room_id else f"群名 “{group.room_topic}”",
            "bound": binding is not None,
            "bound_at": _local(home.bot.timezone, binding.bound_at if binding else None),
            "members": int(members.get(group.id, 0)),
            "last_active": last[group.id].isoformat() if group.id in last else "",
        })
    return rows


# --- 问题 ----------------------------------------------------------------------------------------


def questions(session: Session, scope: Scope, now: datetime) -> Json:
    """Open questions (oldest first) with their experts, age and whether they are overdue; the
    latest answered ones with their answers."""
    home = scope.home
    ids = list(scope.groups)
    open_rows = list(session.scalars(select(Question).where(
        Question.group_id.in_(ids), Question.status == "open").order_by(Question.id)
        .limit(LIST_LIMIT)))
    done_rows = list(session.scalars(select(Question).where(
        Question.group_id.in_(ids), Question.status != "open").order_by(Question.id.desc())
        .limit(LIST_LIMIT)))
    deadlines = dict(session.execute(select(StatsQuestion.ref, StatsQuestion.deadline).where(
        StatsQuestion.ref.in_([store.qid(q) for q in open_rows]))).tuples().all())
    answers: dict[int, list[Answer]] = defaultdict(list)
    for answer in session.scalars(select(Answer).where(
            Answer.question_id.in_([q.id for q in done_rows])).order_by(Answer.id)):
        answers[answer.question_id].append(answer)
    tz = home.bot.timezone
    at = naive_utc(now)

    def base(q: Question) -> Json:
        return {"id": store.qid(q), "group": store.group_name(home, q.group_id),
                "asker": q.asker_name, "text": q.text,
                "industry": store.industry_name(home, q.industry),
                "asked_at": _local(tz, q.created_at), "age_hours": _hours(q.created_at, now)}

    opened = []
    for q in open_rows:
        # the first deadline (the rollup's): an escalated question stays overdue
        deadline = deadlines.get(store.qid(q)) or q.deadline_at
        opened.append({**base(q), "experts": [store.expert_label(home, e)
                                              for e in store.assigned(session, q.id)],
                       "deadline": _local(tz, deadline),
                       "overdue": deadline is not None and deadline < at})
    answered = [{**base(q), "status": q.status,
                 "answers": [{"expert": store.expert_label(home, a.expert_id), "text": a.text,
                              "at": _local(tz, a.created_at)} for a in answers[q.id]]}
                for q in done_rows]
    return {"open": opened, "answered": answered}


# --- 活动 ----------------------------------------------------------------------------------------


def activities(session: Session, scope: Scope) -> list[Json]:
    """The latest activities (培训, 讲座, 义诊) of the scope's groups, with attendance."""
    home = scope.home
    count = select(func.count()).where(
        TrainingCheckin.session_id == TrainingSession.id).scalar_subquery()
    rows = session.execute(select(TrainingSession, count).where(
        TrainingSession.group_id.in_(list(scope.groups))).order_by(TrainingSession.id.desc())
        .limit(LIST_LIMIT)).all()
    found = []
    for row, attended in rows:
        kind = activity_sessions.kind_of(row)
        target = home.reports.target(kind)
        found.append({
            "id": session_ref(row.id), "kind": kind.label, "topic": row.topic,
            "group": store.group_name(home, row.group_id),
            "region_name": home.regions[activity_sessions.region_of(home, row)].name,
            "responsible": row.responsible_name or row.responsible or "",
            "opened_at": _local(home.bot.timezone, row.opened_at),
            "closed_at": _local(home.bot.timezone, row.closed_at),
            "participants": int(attended),
            "target": target.min_participants if target and kind is ActivityKind.TRAINING
            else None,
        })
    return found
