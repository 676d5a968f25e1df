"""Tracing a figure to the events behind it: ``agribot report explain region:nongan.questions``.

Unlike reports, this reads the event log (and the side tables' event ids), but only the events
of one figure, and only up to the event the rollup covers, so the ids match the report's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from bot.config import Home
from bot.core import events as ev
from bot.db.schema import (
    ActivityMedia,
    Event,
    StatsQuestion,
    StatsQuestionExpert,
    TrainingCheckin,
    TrainingSession,
)
from bot.domain import ActivityKind
from bot.stats import catalog
from bot.stats.catalog import Trace
from bot.stats.days import LocalDay
from bot.stats.rollup import coverage

KINDS = frozenset(k.value for k in ActivityKind)


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
           "expert:<专家>.<指标>、course:<课程>.<指标>、course:<课程>@<群>.<指标> 或 " \
           "activity:<活动编号>.participants|media"


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
    elif scope == "activity":
        query, note = _activity(ident, metric, code)
    elif scope == "course":
        course, _, group = ident.partition("@")
        where = [in_period, Event.ref == course]
        if group:
            where.append(Event.group_id.in_(_groups(home, "group", group)))
        if metric in ("opens", "open_rate"):
            query = select(Event.id).where(*where, Event.kind == ev.LINK_OPEN)
            note = "该课程推送链接在期间内的打开事件（不记打开人；转发到群外的打开算作原推送群）"
        elif metric in ("groups", "members", "pushes") and (not group or metric == "pushes"):
            query = select(Event.id).where(*where, Event.kind == ev.PUSH_SENT)
            note = "该课程在期间内的推送成功事件（覆盖人数取每群当日推送时的最大成员数）"
        else:
            raise UnknownFigure(code_error(code))
    else:
        groups = _groups(home, scope, ident)
        if metric.endswith("_sessions") and metric.removesuffix("_sessions") in KINDS:
            query = select(TrainingSession.open_event_id).where(
                TrainingSession.group_id.in_(groups), TrainingSession.opened_at >= start,
                TrainingSession.opened_at < end,
                TrainingSession.kind == metric.removesuffix("_sessions"))
            ids = sorted({int(i) for i in session.execute(query).scalars() if i <= upto})
            return Explanation(code, ids, "该类活动在期间内的开始事件")
        figure = catalog.lookup(metric)
        if figure is None:
            raise UnknownFigure(code_error(code))
        query = _traced(figure.traced_as, groups, first, last, (start, end, upto))
        note = figure.note
    ids = sorted({int(i) for i in session.execute(query).scalars() if i is not None and i <= upto})
    return Explanation(code, ids, note)


def _traced(figure: catalog.Figure, groups: list[str], first: date, last: date,
            bounds: tuple[datetime, datetime, int]) -> Select[Any]:
    """The ids behind a group or region figure, traced as its catalog entry says."""
    start, end, upto = bounds
    if figure.trace is Trace.QUESTIONS and figure.outcome is not None:
        column = StatsQuestion.__table__.c[figure.outcome.column]
        query = select(column).where(StatsQuestion.group_id.in_(groups),
                                     StatsQuestion.day >= first, StatsQuestion.day <= last,
                                     column.is_not(None))
        if figure.outcome.flag is not None:
            query = query.where(StatsQuestion.__table__.c[figure.outcome.flag].is_(True))
        return query
    if figure.trace is Trace.MEMBERSHIP:
        return select(Event.id).where(Event.kind.in_(figure.kinds), Event.group_id.in_(groups),
                                      Event.ts < end, Event.id <= upto)
    if figure.trace is Trace.CHECKINS:
        return select(TrainingCheckin.event_id).join(
            TrainingSession, TrainingSession.id == TrainingCheckin.session_id).where(
            TrainingSession.group_id.in_(groups), TrainingSession.opened_at >= start,
            TrainingSession.opened_at < end)
    return select(Event.id).where(Event.ts >= start, Event.ts < end, Event.id <= upto,
                                  Event.kind.in_(sorted(figure.kinds)),
                                  Event.group_id.in_(groups))


def _activity(ident: str, metric: str, code: str) -> tuple[Select[Any], str]:
    """An activity's check-ins, or its kept photos and videos (each event holds the SHA-256)."""
    number = ident.upper().removeprefix("T-").lstrip("0")
    if not number.isdigit():
        raise UnknownFigure(code_error(code))
    if metric == "participants":
        return (select(TrainingCheckin.event_id).where(TrainingCheckin.session_id == int(number)),
                "该活动的签到事件（每人一次，各群合计）")
    if metric == "media":
        return (select(ActivityMedia.event_id).where(ActivityMedia.session_id == int(number)),
                "该活动留存的照片和视频事件，事件详情里有文件的 SHA-256")
    raise UnknownFigure(code_error(code))


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

