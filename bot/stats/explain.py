"""Tracing a figure to the events behind it: ``agribot report explain region:nongan.questions``.

Unlike reports, this reads the event log (and the side tables' event ids), but only the events
of one figure, and only up to the event the rollup covers, so the ids match the report's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import Session

from bot.config import Home
from bot.core import events as ev
from bot.db.schema import (
    Event,
    StatsQuestion,
    StatsQuestionExpert,
    TrainingCheckin,
    TrainingSession,
)
from bot.stats.days import LocalDay
from bot.stats.fold import ACTIVE_KINDS
from bot.stats.rollup import coverage

BY_KIND = {"joins": (ev.JOIN,), "leaves": (ev.LEAVE,), "messages": (ev.MESSAGE, ev.COMMAND),
           "active": tuple(sorted(ACTIVE_KINDS)), "pushes_sent": (ev.PUSH_SENT,),
           "pushes_failed": (ev.PUSH_FAILED,), "pushes_skipped": (ev.PUSH_SKIPPED,),
           "courses": (ev.PUSH_SENT,), "checkins": (ev.CHECKIN,),
           "sessions": (ev.TRAINING_OPEN,)}
BY_QUESTION: dict[str, tuple[Any, ColumnElement[bool] | None]] = {
    "questions": (StatsQuestion.question_event_id, None),
    "answered": (StatsQuestion.answer_event_id, StatsQuestion.answer_event_id.is_not(None)),
    "answered_in_time": (StatsQuestion.answer_event_id, StatsQuestion.in_time.is_(True)),
    "median_response": (StatsQuestion.answer_event_id,
                        StatsQuestion.answer_event_id.is_not(None)),
    "escalated": (StatsQuestion.escalation_event_id,
                  StatsQuestion.escalation_event_id.is_not(None)),
    "closed": (StatsQuestion.closed_event_id, StatsQuestion.closed_event_id.is_not(None)),
}


class UnknownFigure(ValueError):
    pass


@dataclass(frozen=True)
class Explanation:
    code: str
    event_ids: list[int]
    note: str


def _groups(home: Home, scope: str, ident: str) -> list[str]:
    if scope == "group" and ident in home.groups:
        return [ident]
    if scope == "region" and ident in home.regions:
        below = {r.id for r in home.subtree(ident)}
        return [g.id for g in home.groups.values() if g.region in below]
    raise UnknownFigure(code_error(f"{scope}:{ident}"))


def code_error(what: str) -> str:
    return f"未知的追溯代码 “{what}”：写作 region:<地区>.<指标>、group:<群>.<指标>、" \
           "expert:<专家>.<指标> 或 course:<课程>.<指标>"


def explain(session: Session, home: Home, code: str, first: date, last: date,
            *, upto: int | None = None) -> Explanation:
    """The ids of the events behind figure ``code`` for local days ``first..last``."""
    head, _, metric = code.partition(".")
    scope, _, ident = head.partition(":")
    if not metric or not ident:
        raise UnknownFigure(code_error(code))
    upto = coverage(session).event_id if upto is None else upto
    start, end = LocalDay(home.bot.timezone).bounds(first, last)
    in_period = and_(Event.ts >= start, Event.ts < end, Event.id <= upto)
    query: Select[Any]
    note = ""
    if scope == "expert":
        column: Any = {"received": StatsQuestionExpert.received_event_id,
                  "answered": StatsQuestionExpert.answer_event_id,
                  "median_response": StatsQuestionExpert.answer_event_id}.get(metric)
        if column is None:
            raise UnknownFigure(code_error(code))
        query = select(column).where(StatsQuestionExpert.expert == ident,
                                     StatsQuestionExpert.day >= first,
                                     StatsQuestionExpert.day <= last, column.is_not(None))
    elif scope == "course":
        if metric not in ("groups", "members", "pushes"):
            raise UnknownFigure(code_error(code))
        query = select(Event.id).where(in_period, Event.kind == ev.PUSH_SENT, Event.ref == ident)
        note = "该课程在期间内的推送成功事件（覆盖人数取每群当日推送时的最大成员数）"
    else:
        groups = _groups(home, scope, ident)
        if metric in BY_KIND:
            query = select(Event.id).where(in_period, Event.kind.in_(BY_KIND[metric]),
                                           Event.group_id.in_(groups))
        elif metric in BY_QUESTION or metric == "answer_rate":
            column, condition = BY_QUESTION.get(metric, BY_QUESTION["answered"])
            query = select(column).where(StatsQuestion.group_id.in_(groups),
                                         StatsQuestion.day >= first, StatsQuestion.day <= last,
                                         column.is_not(None))
            if condition is not None:
                query = query.where(condition)
            if metric == "answer_rate":
                note = "回答率 = 已回答 / 提问数；此处列出已回答问题的首次回答事件"
        elif metric == "members_end":
            query = select(Event.id).where(Event.kind.in_(ev.MEMBERSHIP),
                                           Event.group_id.in_(groups), Event.ts < end,
                                           Event.id <= upto)
            note = "截至期末的全部入群、退群事件（含首次绑定时已在群里的成员）"
        elif metric == "participants":
            query = select(TrainingCheckin.event_id).join(
                TrainingSession, TrainingSession.id == TrainingCheckin.session_id).where(
                TrainingSession.group_id.in_(groups), TrainingSession.opened_at >= start,
                TrainingSession.opened_at < end)
        else:
            raise UnknownFigure(code_error(code))
    ids = sorted({int(i) for i in session.execute(query).scalars() if i is not None and i <= upto})
    return Explanation(code, ids, note)


def ranges(ids: list[int]) -> str:
    """``1,2,3,7,9,10`` → ``1-3, 7, 9-10``: long lists stay readable."""
    parts: list[str] = []
    for i in ids:
        if parts and "-" in parts[-1] and int(parts[-1].split("-")[1]) == i - 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{i}"
        elif parts and "-" not in parts[-1] and int(parts[-1]) == i - 1:
            parts[-1] = f"{parts[-1]}-{i}"
        else:
            parts.append(str(i))
    return ", ".join(parts)

