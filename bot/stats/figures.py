"""A period's figures, read from the rollup and its side tables (never from the raw log).

:func:`collect` gathers everything every report format shows: per group, per region of the
tree (each a subtotal of its subtree), per expert, per course, per training session, and the
targets the seed sets for training. Formats only lay these numbers out.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.orm import Session

from bot.config import Home, Region
from bot.config.models import Group
from bot.config.settings import ReportsConfig, TrainingTarget
from bot.db.schema import (
    DAILY_GROUP_STATS,
    ActivityMedia,
    StatsCourseReach,
    StatsLinkOpens,
    StatsQuestion,
    StatsQuestionExpert,
    TrainingCheckin,
    TrainingSession,
)
from bot.domain import ActivityKind, Level, Tier
from bot.stats.catalog import HEADERS, MEMBERS, RATES, SUMMED_FIGURES
from bot.stats.days import LocalDay
from bot.stats.misroutes import IndustryRow, misroutes
from bot.stats.rollup import Coverage, coverage

# Summed straight from daily rows. ``active_members`` sums each day's distinct active members
# (person-days): distinct people over a longer period do not add up from days.
SUMMED = tuple(f.code for f in SUMMED_FIGURES)
DAILY = DAILY_GROUP_STATS.c

Value = int | float | None


@dataclass
class Row:
    """One line of figures: a group or a region (a subtotal of its subtree)."""

    key: str  # "group:<id>" or "region:<id>": with a metric, names a figure for `explain`
    name: str
    level: str
    groups: int
    values: dict[str, Value]


@dataclass
class ExpertRow:
    id: str
    name: str
    region: str
    received: int
    answered: int
    median_response: float | None


@dataclass
class CourseRow:
    id: str
    title: str
    groups: int
    members: int
    pushes: int
    opens: int = 0
    open_rate: float | None = None


@dataclass
class CourseGroupRow:
    """One course in one group: its pushes and how often its tracked link was opened."""

    course: str
    title: str
    group_id: str
    group: str
    pushes: int
    opens: int
    open_rate: float | None

    @property
    def key(self) -> str:
        return f"course:{self.course}@{self.group_id}"


@dataclass
class SessionRow:
    """One activity (培训, 讲座 or 义诊) opened in the period."""

    ref: str
    group_id: str
    region_id: str
    topic: str
    opened_at: str
    closed_at: str
    participants: int
    kind: ActivityKind = ActivityKind.TRAINING
    responsible: str = ""
    media: int = 0  # photos and videos kept in its archive


@dataclass
class TargetRow:
    """A city's or county's activities of one kind against that kind's target."""

    region: Region
    sessions: int
    participants: list[int]
    shortfalls: list[str]
    kind: ActivityKind = ActivityKind.TRAINING


@dataclass
class PeriodReport:
    home: Home
    first: date
    last: date
    region_id: str
    covers: Coverage
    groups: dict[str, Row] = field(default_factory=dict)
    regions: list[Row] = field(default_factory=list)
    experts: list[ExpertRow] = field(default_factory=list)
    courses: list[CourseRow] = field(default_factory=list)
    course_groups: list[CourseGroupRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    weekly_activity: dict[tuple[date, Tier], int] = field(default_factory=dict)
    industries: list[IndustryRow] = field(default_factory=list)  # the misroute rate

    @property
    def region_name(self) -> str:
        return self.home.regions[self.region_id].name

    def total(self) -> Row:
        return self.regions[0]


def session_ref(number: int) -> str:
    return f"T-{number:04d}"


def _median_minutes(values: list[float]) -> float | None:
    return round(statistics.median(values) / 60, 1) if values else None


def percent(part: Value, whole: Value) -> float | None:
    return round(100 * float(part or 0) / float(whole), 1) if whole else None


def _finish(values: dict[str, Value], responses: list[float]) -> dict[str, Value]:
    values["median_response"] = _median_minutes(responses)
    for rate in RATES:
        top, bottom = (float(values[code] or 0) for code in rate.ratio or ())
        values[rate.code] = round(100 * top / bottom, 1) if bottom else None
    return {k: values[k] for k in HEADERS}  # a catalog figure nobody computed fails here


def collect(session: Session, home: Home, first: date, last: date, *,
            region_id: str | None = None, targets: ReportsConfig | None = None,
            weekly: bool = False) -> PeriodReport:
    """Every figure of the period ``first..last`` (local days, inclusive) for ``region_id``."""
    region_id = region_id or home.province_id
    report = PeriodReport(home, first, last, region_id, coverage(session))
    scope = [r.id for r in home.subtree(region_id)]
    in_scope = {g.id: g for g in home.groups.values() if g.region in set(scope)}
    between = and_(DAILY.day >= first, DAILY.day <= last)

    sums: dict[str, dict[str, Value]] = {g: dict.fromkeys(SUMMED, 0) for g in in_scope}
    query = select(DAILY.group_id, *(func.sum(DAILY[c]) for c in SUMMED)).where(
        between).group_by(DAILY.group_id)
    for group_id, *totals in session.execute(query):
        if group_id in sums:
            sums[group_id] = {k: int(v or 0) for k, v in zip(SUMMED, totals, strict=True)}

    latest = select(DAILY.group_id, func.max(DAILY.day).label("day")).where(
        DAILY.day <= last).group_by(DAILY.group_id).subquery()
    on_latest = and_(DAILY.group_id == latest.c.group_id, DAILY.day == latest.c.day)
    # (a Result has .keys(), so dict() would take it for a mapping: build it from rows)
    members = {g: n for g, n in session.execute(
        select(DAILY.group_id, DAILY[MEMBERS.code]).join(latest, on_latest))}
    reach = session.execute(
        select(StatsCourseReach.content_id, StatsCourseReach.group_id,
               func.max(StatsCourseReach.members), func.sum(StatsCourseReach.pushes))
        .where(StatsCourseReach.day >= first, StatsCourseReach.day <= last)
        .group_by(StatsCourseReach.content_id, StatsCourseReach.group_id)).tuples().all()
    responses = _values_by(session, StatsQuestion.group_id, StatsQuestion.response_seconds,
                           StatsQuestion.day >= first, StatsQuestion.day <= last)
    report.sessions = _sessions(session, home, first, last, in_scope)
    participants: dict[str, int] = defaultdict(int)
    for s in report.sessions:
        participants[s.group_id] += s.participants

    courses_of: dict[str, set[str]] = defaultdict(set)
    for content_id, group_id, _, _ in reach:
        courses_of[group_id].add(content_id)
    for group_id, group in in_scope.items():
        values: dict[str, Value] = {**sums[group_id], MEMBERS.code: members.get(group_id, 0),
                                    "courses": len(courses_of[group_id]),
                                    "participants": participants[group_id]}
        report.groups[group_id] = Row(f"group:{group_id}", group.name, group.tier.label, 1,
                                      _finish(values, responses[group_id]))

    for region in home.subtree(region_id):
        below = {r.id for r in home.subtree(region.id)}
        groups = [g for g, grp in in_scope.items() if grp.region in below]
        values = {k: sum(int(report.groups[g].values[k] or 0) for g in groups)
                  for k in (*SUMMED, MEMBERS.code, "participants")}
        values["courses"] = len(set().union(*(courses_of[g] for g in groups)))
        report.regions.append(Row(f"region:{region.id}", region.name, region.level.value,
                                  len(groups), _finish(values, [s for g in groups
                                                                for s in responses[g]])))

    report.experts = _experts(session, home, first, last, scope)
    report.industries = misroutes(session, home, first, last, in_scope)
    opened = session.execute(
        select(StatsLinkOpens.content_id, StatsLinkOpens.group_id, func.sum(StatsLinkOpens.opens))
        .where(StatsLinkOpens.day >= first, StatsLinkOpens.day <= last)
        .group_by(StatsLinkOpens.content_id, StatsLinkOpens.group_id)).tuples().all()
    report.course_groups = _course_groups(home, reach, opened, set(in_scope))
    report.courses = _courses(home, reach, set(in_scope), report.course_groups)
    report.targets = _targets(home, scope, report.sessions, targets or ReportsConfig())
    if weekly:
        report.weekly_activity = _weekly(session, first, last, in_scope)
    return report


def _values_by(session: Session, key: Any, value: Any, *where: Any) -> dict[str, list[float]]:
    """Every non-null ``value`` per ``key``, fetched as one joined string per key: a year holds
    a hundred thousand response times, and one row per key is far cheaper than one per value."""
    if session.get_bind().dialect.name == "postgresql":
        joined = func.string_agg(cast(value, String), ",")
    else:
        joined = func.group_concat(value, ",")
    found: dict[str, list[float]] = defaultdict(list)
    query = select(key, joined).where(*where, value.is_not(None)).group_by(key)
    for k, text in session.execute(query):
        if text:
            found[k] = [float(v) for v in text.split(",")]
    return found


def _sessions(session: Session, home: Home, first: date, last: date,
              in_scope: dict[str, Group]) -> list[SessionRow]:
    start, end = LocalDay(home.bot.timezone).bounds(first, last)
    count = select(func.count()).where(TrainingCheckin.session_id == TrainingSession.id
                                       ).scalar_subquery()
    kept = select(func.count()).where(ActivityMedia.session_id == TrainingSession.id
                                      ).scalar_subquery()
    rows = session.execute(select(TrainingSession, count, kept).where(
        TrainingSession.opened_at >= start, TrainingSession.opened_at < end
    ).order_by(TrainingSession.id)).all()
    found = []
    for s, n, media in rows:
        if s.group_id not in in_scope:
            continue
        try:
            kind = ActivityKind(s.kind)
        except ValueError:
            kind = ActivityKind.TRAINING
        found.append(SessionRow(
            session_ref(s.id), s.group_id, s.region_id or home.groups[s.group_id].region,
            s.topic, f"{s.opened_at:%Y-%m-%d %H:%M}",
            f"{s.closed_at:%Y-%m-%d %H:%M}" if s.closed_at else "", int(n), kind,
            s.responsible_name or s.responsible or "", int(media)))
    return found


def _experts(session: Session, home: Home, first: date, last: date,
             scope: list[str]) -> list[ExpertRow]:
    found: dict[str, list[float]] = defaultdict(list)
    received: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    in_period = (StatsQuestionExpert.day >= first, StatsQuestionExpert.day <= last)
    for expert, routed, done in session.execute(
            select(StatsQuestionExpert.expert, func.count(),
                   func.count(StatsQuestionExpert.answer_event_id)).where(*in_period)
            .group_by(StatsQuestionExpert.expert)):
        received[expert], answered[expert] = int(routed), int(done)
    found.update(_values_by(session, StatsQuestionExpert.expert,
                            StatsQuestionExpert.response_seconds, *in_period))
    regions = set(scope)
    ids = [e.id for e in home.experts.values() if e.region in regions]
    if len(regions) == len(home.regions):  # the whole province: experts no longer configured too
        ids += sorted(e for e in received if e not in home.experts)
    rows = []
    for expert_id in ids:
        known = home.experts.get(expert_id)
        rows.append(ExpertRow(expert_id, known.name if known else expert_id,
                              home.regions[known.region].name if known else "",
                              received[expert_id], answered[expert_id],
                              _median_minutes(found[expert_id])))
    return rows


def _title(home: Home, content_id: str) -> str:
    return home.items[content_id].title if content_id in home.items else content_id


def _courses(home: Home, reach: Iterable[tuple[str, str, int, int]], groups: set[str],
             per_group: list[CourseGroupRow]) -> list[CourseRow]:
    by_course: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for content_id, group_id, members, pushes in reach:
        if group_id in groups:
            by_course[content_id].append((int(members), int(pushes)))
    opens: dict[str, int] = defaultdict(int)
    for row in per_group:
        opens[row.course] += row.opens
    rows = []
    for c in sorted(set(by_course) | set(opens)):
        pushes = sum(p for _, p in by_course.get(c, []))
        rows.append(CourseRow(c, _title(home, c), len(by_course.get(c, [])),
                              sum(m for m, _ in by_course.get(c, [])), pushes, opens[c],
                              percent(opens[c], pushes)))
    return rows


def _course_groups(home: Home, reach: Iterable[tuple[str, str, int, int]],
                   opened: Iterable[tuple[str, str, int]],
                   groups: set[str]) -> list[CourseGroupRow]:
    """Pushes and opens per course and group; a link opened in the period of a push made
    before it still counts (for the group it was pushed to)."""
    pushes: dict[tuple[str, str], int] = defaultdict(int)
    opens: dict[tuple[str, str], int] = defaultdict(int)
    for content_id, group_id, _, count in reach:
        if group_id in groups:
            pushes[(content_id, group_id)] += int(count)
    for content_id, group_id, count in opened:
        if group_id in groups:
            opens[(content_id, group_id)] += int(count or 0)
    return [CourseGroupRow(c, _title(home, c), g, home.groups[g].name, pushes[(c, g)],
                           opens[(c, g)], percent(opens[(c, g)], pushes[(c, g)]))
            for c, g in sorted(set(pushes) | set(opens))]


def _targets(home: Home, scope: list[str], sessions: list[SessionRow],
             config: ReportsConfig) -> list[TargetRow]:
    """Each city's and county's activities of each kind with a target (培训 always: the seed's
    1–2 sessions × ≥100 people), against it."""
    rows = []
    for kind in ActivityKind:
        target: TrainingTarget | None = config.target(kind)
        if target is None:
            continue
        for region_id in scope:
            region = home.regions[region_id]
            if region.level is Level.PROVINCE:
                continue
            held = [s.participants for s in sessions
                    if s.region_id == region_id and s.kind is kind]
            shortfalls = []
            if len(held) < target.min_sessions:
                shortfalls.append(f"{kind.label}场次不足（{len(held)}/{target.min_sessions}）")
            short = [n for n in held if n < target.min_participants]
            if short:
                shortfalls.append(f"{len(short)} 场不足 {target.min_participants} 人")
            rows.append(TargetRow(region, len(held), held, shortfalls, kind))
    return rows


def _weekly(session: Session, first: date, last: date,
            in_scope: dict[str, Group]) -> dict[tuple[date, Tier], int]:
    """Messages per week per tier, for the activity chart."""
    found: dict[tuple[date, Tier], int] = defaultdict(int)
    monday = first - timedelta(days=first.weekday())
    query = select(DAILY.group_id, DAILY.day, DAILY.messages).where(
        DAILY.day >= first, DAILY.day <= last)
    for group_id, day, messages in session.execute(query):
        group = in_scope.get(group_id)
        if group is not None:
            week = day - timedelta(days=day.weekday())
            found[(week, group.tier)] += int(messages)
    for week_start in _weeks(monday, last):
        for tier in Tier:
            found.setdefault((week_start, tier), 0)
    return dict(found)


def _weeks(monday: date, last: date) -> Iterable[date]:
    while monday <= last:
        yield monday
        monday += timedelta(days=7)
