"""Folding events into the rollup, one batch at a time, in event-id order.

Everything the fold needs to remember between events (current members, who was active on a
day, each question's outcome, which courses reached a group on a day) lives in side tables, so
folding the log in any number of batches, now or in a rebuild, gives the same rows. Within one
``catch_up`` call a :class:`FoldState` caches what it has read so consecutive batches do not
reload the same day.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bot.core import events as ev
from bot.db.engine import dialect_insert
from bot.db.schema import (
    DAILY_GROUP_STATS,
    StatsActive,
    StatsCourseReach,
    StatsLinkOpens,
    StatsMember,
    StatsQuestion,
    StatsQuestionExpert,
)
from bot.stats import catalog
from bot.stats.catalog import ACTIVE, COUNTED_BY_KIND, MEMBERS, QUESTION_OUTCOMES
from bot.stats.days import LocalDay

# What the fold counts is declared in bot.stats.catalog; these are the kinds that move a
# question's state (stats_questions), whose outcomes the question figures count.
QUESTION_KINDS = frozenset({ev.QUESTION, ev.ANSWER, ev.ESCALATION, ev.CLOSED})
STORED = tuple(f.code for f in catalog.STORED)

Key = tuple[str, date]


@dataclass
class DayRow:
    values: dict[str, int]
    dirty: bool = False


@dataclass
class QuestionState:
    row: dict[str, Any]
    dirty: bool = False


@dataclass
class FoldState:
    """What one ``catch_up`` call has read or changed, flushed after every batch."""

    days: LocalDay
    rows: dict[Key, DayRow] = field(default_factory=dict)
    member_count: dict[str, int] = field(default_factory=dict)
    active: dict[Key, set[str]] = field(default_factory=dict)
    reach: dict[Key, dict[str, list[int]]] = field(default_factory=dict)
    reach_dirty: set[tuple[str, date, str]] = field(default_factory=set)
    opens: dict[tuple[str, date, str], int] = field(default_factory=dict)  # added this batch
    questions: dict[str, QuestionState] = field(default_factory=dict)
    experts: dict[tuple[str, str], QuestionState] = field(default_factory=dict)


def _detail(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _deadline(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _upsert(session: Session, table: Any, rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
    if not rows:
        return
    stmt = dialect_insert(session, table)
    changed = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    # Core on the connection: the ORM's bulk path is several times slower for plain rows
    session.connection().execute(
        stmt.on_conflict_do_update(index_elements=list(keys), set_=changed), rows)


class Batch:
    """Applies one ordered batch of event rows to ``state`` and writes the result."""

    def __init__(self, session: Session, state: FoldState, rows: Sequence[Any]) -> None:
        self.session, self.state, self.rows = session, state, rows
        self.present: set[tuple[str, str]] = set()  # members before the batch, of those touched
        self.membership: dict[tuple[str, str], bool] = {}  # changed in this batch
        self.active_new: list[dict[str, Any]] = []

    # --- loading what the batch will touch -------------------------------------------------------

    def _preload(self) -> None:
        st, day = self.state, self.state.days
        refs = {r.ref for r in self.rows if r.kind in QUESTION_KINDS and r.ref}
        self._load_questions(refs - st.questions.keys())
        keys: set[Key] = set()
        active_keys: set[Key] = set()
        reach_keys: set[Key] = set()
        pairs: set[tuple[str, str]] = set()
        for r in self.rows:
            if r.kind in QUESTION_KINDS and r.kind != ev.QUESTION and r.ref in st.questions:
                asked = st.questions[r.ref].row
                if asked["group_id"] is not None:
                    keys.add((asked["group_id"], asked["day"]))
            if r.group_id is None:
                continue
            key = (r.group_id, day(r.ts))
            keys.add(key)
            if r.kind in ACTIVE.kinds and r.actor:
                active_keys.add(key)
            elif r.kind == ev.PUSH_SENT and r.ref:
                reach_keys.add(key)
            elif r.kind in ev.MEMBERSHIP and r.actor:
                pairs.add((r.group_id, r.actor))
        self._load_rows(keys - st.rows.keys())
        self._load_counts({g for g, _ in keys} - st.member_count.keys())
        self._load_active(active_keys - st.active.keys())
        self._load_reach(reach_keys - st.reach.keys())
        self._load_members(pairs)

    def _load_members(self, pairs: set[tuple[str, str]]) -> None:
        for chunk in _chunks(pairs):
            query = select(StatsMember.group_id, StatsMember.member).where(
                *_pairs(StatsMember.group_id, StatsMember.member, chunk))
            self.present.update(p for p in self.session.execute(query).tuples() if p in pairs)

    def _load_rows(self, keys: set[Key]) -> None:
        table = DAILY_GROUP_STATS.c
        for chunk in _chunks(keys):
            query = select(table.group_id, table.day, *(table[f] for f in STORED)).where(
                *_pairs(table.group_id, table.day, chunk))
            for group, day, *values in self.session.execute(query):
                if (group, day) in keys and (group, day) not in self.state.rows:
                    self.state.rows[(group, day)] = DayRow(dict(zip(STORED, values, strict=True)))

    def _load_counts(self, groups: set[str]) -> None:
        for group in groups:
            self.state.member_count[group] = 0
        for chunk in _chunks(groups):
            query = select(StatsMember.group_id, func.count()).where(
                StatsMember.group_id.in_(chunk)).group_by(StatsMember.group_id)
            for group, count in self.session.execute(query):
                self.state.member_count[group] = count

    def _load_active(self, keys: set[Key]) -> None:
        for key in keys:
            self.state.active[key] = set()
        for chunk in _chunks(keys):
            query = select(StatsActive.group_id, StatsActive.day, StatsActive.member).where(
                *_pairs(StatsActive.group_id, StatsActive.day, chunk))
            for group, day, member in self.session.execute(query):
                if (group, day) in keys:
                    self.state.active[(group, day)].add(member)

    def _load_reach(self, keys: set[Key]) -> None:
        for key in keys:
            self.state.reach[key] = {}
        for chunk in _chunks(keys):
            query = select(StatsCourseReach).where(
                *_pairs(StatsCourseReach.group_id, StatsCourseReach.day, chunk))
            for row in self.session.scalars(query):
                if (row.group_id, row.day) not in keys:
                    self.session.expunge(row)
                    continue
                courses = self.state.reach[(row.group_id, row.day)]
                courses[row.content_id] = [row.pushes, row.members]
                self.session.expunge(row)

    def _load_questions(self, refs: set[str]) -> None:
        for chunk in _chunks(refs):
            asked = select(StatsQuestion).where(StatsQuestion.ref.in_(chunk))
            for row in self.session.scalars(asked):
                self.state.questions[row.ref] = QuestionState(_columns(row))
                self.session.expunge(row)
            query = select(StatsQuestionExpert).where(StatsQuestionExpert.ref.in_(chunk))
            for expert in self.session.scalars(query):
                self.state.experts[(expert.ref, expert.expert)] = QuestionState(_columns(expert))
                self.session.expunge(expert)

    # --- applying --------------------------------------------------------------------------------

    def _row(self, group: str, day: date) -> DayRow:
        row = self.state.rows.get((group, day))
        if row is None:
            values = dict.fromkeys(STORED, 0)
            values[MEMBERS.code] = self.state.member_count.get(group, 0)
            row = self.state.rows[(group, day)] = DayRow(values)
        row.dirty = True
        return row

    def apply(self) -> None:
        self._preload()
        day_of = self.state.days
        for r in self.rows:
            group, kind = r.group_id, r.kind
            if kind in QUESTION_KINDS:
                self._question(r)
            if group is None:
                continue
            day = day_of(r.ts)
            row = self._row(group, day)
            for figure in COUNTED_BY_KIND.get(kind, ()):
                row.values[figure] += 1
            if kind in MEMBERS.kinds and r.actor:
                self._membership(group, r.actor, kind != ev.LEAVE)
                row.values[MEMBERS.code] = self.state.member_count[group]
            if kind in ACTIVE.kinds and r.actor:
                seen = self.state.active[(group, day)]
                if r.actor not in seen:
                    seen.add(r.actor)
                    row.values[ACTIVE.code] += 1
                    self.active_new.append({"group_id": group, "day": day, "member": r.actor})
            if kind == ev.LINK_OPEN and r.ref:
                opened = (group, day, r.ref)
                self.state.opens[opened] = self.state.opens.get(opened, 0) + 1
            if kind == ev.PUSH_SENT and r.ref:
                courses = self.state.reach[(group, day)]
                members = _seconds(_detail(r.detail).get("members"))
                reach = courses.get(r.ref)
                if reach is None:
                    reach = courses[r.ref] = [0, 0]
                reach[0] += 1
                reach[1] = max(reach[1], int(members or 0))
                self.state.reach_dirty.add((group, day, r.ref))
        self._write()

    def _membership(self, group: str, member: str, joined: bool) -> None:
        pair = (group, member)
        was = self.membership.get(pair, pair in self.present)
        if joined != was:
            self.membership[pair] = joined
            self.state.member_count[group] += 1 if joined else -1

    def _question(self, r: Any) -> None:
        """Move the question's state, then count each question figure whose outcome has just
        come to hold, on the day the question was asked (a cohort: a rate never tops 100 %)."""
        if not r.ref:
            return
        q = self.state.questions.get(r.ref)
        held = {code for code, outcome in QUESTION_OUTCOMES
                if q is not None and outcome.holds(q.row)}
        q = self._move(r, q)
        if q is None or q.row["group_id"] is None:
            return
        now = [code for code, outcome in QUESTION_OUTCOMES if outcome.holds(q.row)]
        if len(now) > len(held):
            row = self._row(q.row["group_id"], q.row["day"])
            for figure in now:
                if figure not in held:
                    row.values[figure] += 1

    def _move(self, r: Any, q: QuestionState | None) -> QuestionState | None:
        st, ref = self.state, r.ref
        if r.kind == ev.QUESTION:
            if q is not None:
                return q  # asked once; a repeated event does not count twice
            detail, day = _detail(r.detail), st.days(r.ts)
            q = st.questions[ref] = QuestionState({
                "ref": ref, "group_id": r.group_id, "day": day, "asked_at": r.ts,
                "deadline": _deadline(detail.get("deadline")), "question_event_id": r.id,
                "answer_event_id": None, "response_seconds": None, "in_time": False,
                "escalation_event_id": None, "closed_event_id": None}, dirty=True)
            self._route(ref, day, detail.get("experts"), r.id)
            return q
        if q is None:
            return None  # about a question the log never asked: nothing to attribute it to
        if r.kind == ev.ANSWER and r.actor:
            seconds = _seconds(_detail(r.detail).get("response_seconds"))
            if seconds is None:
                seconds = (r.ts - q.row["asked_at"]).total_seconds()
            if q.row["answer_event_id"] is None:
                deadline = q.row["deadline"]
                in_time = deadline is None or r.ts <= deadline
                q.row.update(answer_event_id=r.id, response_seconds=seconds, in_time=in_time)
                q.dirty = True
            self._route(ref, q.row["day"], [r.actor], r.id)
            expert = st.experts[(ref, r.actor)]
            if expert.row["answer_event_id"] is None:
                expert.row.update(answer_event_id=r.id, response_seconds=seconds)
                expert.dirty = True
        elif r.kind == ev.ESCALATION:
            self._route(ref, q.row["day"], _detail(r.detail).get("experts"), r.id)
            if q.row["escalation_event_id"] is None:
                q.row["escalation_event_id"], q.dirty = r.id, True
        elif r.kind == ev.CLOSED and q.row["closed_event_id"] is None:
            q.row["closed_event_id"], q.dirty = r.id, True
        return q

    def _route(self, ref: str, day: date, experts: Any, event_id: int) -> None:
        if not isinstance(experts, list):
            return
        for expert in experts:
            if isinstance(expert, str) and (ref, expert) not in self.state.experts:
                self.state.experts[(ref, expert)] = QuestionState({
                    "ref": ref, "expert": expert, "day": day, "received_event_id": event_id,
                    "answer_event_id": None, "response_seconds": None}, dirty=True)

    # --- writing ---------------------------------------------------------------------------------

    def _write(self) -> None:
        st, session = self.state, self.session
        added = [p for p, now in self.membership.items() if now and p not in self.present]
        if added:
            session.connection().execute(insert(StatsMember),
                                         [{"group_id": g, "member": m} for g, m in added])
        for group, member in (p for p, now in self.membership.items()
                              if not now and p in self.present):
            session.execute(delete(StatsMember).where(
                StatsMember.group_id == group, StatsMember.member == member))
        if self.active_new:
            session.connection().execute(insert(StatsActive), self.active_new)
        _upsert(session, StatsCourseReach, [
            {"group_id": g, "day": d, "content_id": c, "pushes": st.reach[(g, d)][c][0],
             "members": st.reach[(g, d)][c][1]} for g, d, c in sorted(st.reach_dirty)],
            ("group_id", "day", "content_id"))
        st.reach_dirty.clear()
        _add_opens(session, st.opens)
        _upsert(session, StatsQuestion, _take_dirty(st.questions.values()), ("ref",))
        _upsert(session, StatsQuestionExpert, _take_dirty(st.experts.values()), ("ref", "expert"))
        dirty = [(k, r) for k, r in st.rows.items() if r.dirty]
        _upsert(session, DAILY_GROUP_STATS, [{"group_id": g, "day": d, **r.values}
                                             for (g, d), r in sorted(dirty)], ("group_id", "day"))
        for _, r in dirty:
            r.dirty = False
        self._evict()

    def _evict(self) -> None:
        """Forget days well before this batch: the log is (nearly) in time order."""
        if not self.rows:
            return
        horizon = self.state.days(self.rows[0].ts).toordinal() - 2
        for key in [k for k in self.state.rows if k[1].toordinal() < horizon]:
            del self.state.rows[key]
        for key in [k for k in self.state.active if k[1].toordinal() < horizon]:
            del self.state.active[key]
        for key in [k for k in self.state.reach if k[1].toordinal() < horizon]:
            del self.state.reach[key]


def _add_opens(session: Session, opens: dict[tuple[str, date, str], int]) -> None:
    """Add each batch's opens to the stored counts (an increment: nothing to load first)."""
    if not opens:
        return
    stmt = dialect_insert(session, StatsLinkOpens)
    session.connection().execute(stmt.on_conflict_do_update(
        index_elements=["group_id", "day", "content_id"],
        set_={"opens": StatsLinkOpens.opens + stmt.excluded.opens}),
        [{"group_id": g, "day": d, "content_id": c, "opens": n}
         for (g, d, c), n in sorted(opens.items())])
    opens.clear()


def _pairs(first: Any, second: Any, keys: list[tuple[Any, Any]]) -> list[Any]:
    """``first IN (..) AND second IN (..)``: a superset of the pairs that, unlike a row-value
    IN, every backend answers from the composite index; callers drop the extra pairs."""
    return [first.in_(sorted({a for a, _ in keys})), second.in_(sorted({b for _, b in keys}))]


def _take_dirty(states: Iterable[QuestionState]) -> list[dict[str, Any]]:
    rows = []
    for state in states:
        if state.dirty:
            rows.append(dict(state.row))
            state.dirty = False
    return rows


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def _chunks(items: Iterable[Any], size: int = 500) -> Iterable[list[Any]]:
    listed = sorted(items)
    for start in range(0, len(listed), size):
        yield listed[start:start + size]
