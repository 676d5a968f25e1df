"""The rollup: exact against independently computed figures, rebuildable, incremental."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update

from bot import eventlog
from bot.config import Home
from bot.db.engine import session_factory
from bot.db.schema import DailyGroupStats, Event, StatsCourseReach, StatsQuestion
from bot.eventlog import NewEvent
from bot.stats import rollup
from bot.stats.figures import collect
from tests.stats.history import START, History, expected, generate

from .conftest import FIRST, LAST


def snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    with session_factory(engine)() as session:
        rows = session.scalars(select(DailyGroupStats).order_by(
            DailyGroupStats.group_id, DailyGroupStats.day)).all()
        questions = session.execute(select(StatsQuestion.ref, StatsQuestion.response_seconds,
                                           StatsQuestion.in_time).order_by(StatsQuestion.ref))
        return [tuple(getattr(r, c.key) for c in r.__table__.columns) for r in rows] + [
            tuple(q) for q in questions]


def test_figures_match_the_generated_history(engine: Engine, home: Home,
                                             history: History) -> None:
    """Every group, region, expert and course figure equals the one computed from records."""
    want = expected(history, home, FIRST, LAST)
    with session_factory(engine)() as session:
        report = collect(session, home, FIRST, LAST)
    got = {row.key: row.values for row in [*report.regions, *report.groups.values()]}
    for key, values in got.items():
        assert values == want[key], key
    for e in report.experts:
        assert {"received": e.received, "answered": e.answered,
                "median_response": e.median_response} == want[f"expert:{e.id}"], e.id
    courses = {f"course:{c.id}": {"groups": c.groups, "members": c.members, "pushes": c.pushes,
                                  "opens": c.opens, "open_rate": c.open_rate}
               for c in report.courses}
    courses.update({cg.key: {"pushes": cg.pushes, "opens": cg.opens, "open_rate": cg.open_rate}
                    for cg in report.course_groups})
    assert courses == {k: v for k, v in want.items() if k.startswith("course:")}
    assert report.total().values["link_opens"] > 10 and report.total().values["quiz_answers"] > 10
    assert report.total().values["questions"] > 10  # the history is not trivially empty
    assert report.total().values["sessions"] >= 1


def test_rebuild_reproduces_the_rollup_exactly(engine: Engine, home: Home,
                                               history: History) -> None:
    """Emptying the rollup and folding the whole log again gives identical rows."""
    before = snapshot(engine)
    done = rollup.rebuild(session_factory(engine), home, chunk=333)
    with session_factory(engine)() as session:
        assert done == eventlog.head(session)[0] > len(history.records) // 2
    assert snapshot(engine) == before


def test_incremental_catch_up_equals_rebuild(engine: Engine, home: Home) -> None:
    """Catching up a little at a time, while events keep arriving, ends where a rebuild does."""
    sessions = session_factory(engine)
    generate(engine, home, seed=3, days=4, groups=["nongan-junior", "changchun-intermediate"])
    with sessions.begin() as session:
        assert rollup.catch_up(session, home, limit=50, batch=17) == 50
    generate(engine, home, seed=4, days=3, groups=["nongan-junior"])
    while True:
        with sessions.begin() as session:
            if rollup.catch_up(session, home, limit=101, batch=29) == 0:
                break
    incremental = snapshot(engine)
    with sessions() as session:
        assert rollup.pending(session) == 0
        assert rollup.coverage(session) == rollup.Coverage(*eventlog.head(session))
    rollup.rebuild(sessions, home)
    assert snapshot(engine) == incremental


def test_members_and_late_answers_land_on_the_right_day(engine: Engine, home: Home) -> None:
    """Members at end of day carry over quiet days; a next-day answer counts on the asking day."""
    sessions = session_factory(engine)
    t = datetime(2026, 3, 2, 15, 50, tzinfo=UTC)  # 23:50 in Asia/Shanghai
    g = "nongan-junior"
    with sessions.begin() as session:
        eventlog.append(session, [
            NewEvent("join", t, group_id=g, actor="a"), NewEvent("join", t, group_id=g, actor="b"),
            NewEvent("join", t, group_id=g, actor="b"),  # joined twice: still one member
            NewEvent("question", t, group_id=g, actor="a", ref="Q-1",
                     detail={"experts": ["e"], "deadline": (t + timedelta(minutes=5)).isoformat()}),
            NewEvent("answer", t + timedelta(minutes=20), group_id=g, actor="e", ref="Q-1",
                     detail={"first": True, "response_seconds": 1200}),
            NewEvent("leave", t + timedelta(days=2), group_id=g, actor="a"),
            NewEvent("message", t + timedelta(days=3), group_id=g, actor="b"),
        ])
    with sessions.begin() as session:
        rollup.catch_up(session, home, batch=2)
        rows = {r.day.isoformat(): r for r in session.scalars(select(DailyGroupStats))}
        asked = session.get(StatsQuestion, "Q-1")
        assert asked is not None
    assert sorted(rows) == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    first = rows["2026-03-02"]
    # (the median is read from the question's response time: medians do not add up over days)
    assert (first.members_end, first.joins, first.questions, first.answered,
            first.answered_in_time, asked.response_seconds) == (2, 3, 1, 1, 0, 1200.0)
    assert rows["2026-03-03"].active_members == 1  # the expert who answered after midnight
    assert rows["2026-03-04"].members_end == 1
    assert (rows["2026-03-05"].members_end, rows["2026-03-05"].messages) == (1, 1)


def test_malformed_events_are_folded_without_failing(engine: Engine, home: Home) -> None:
    """Broken details and answers to unknown questions neither raise nor count."""
    t = datetime(2026, 3, 2, 4, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        eventlog.append(session, [
            NewEvent("answer", t, group_id="nongan-junior", actor="e", ref="Q-404"),
            NewEvent("question", t, group_id="nongan-junior", actor="a", ref="Q-2",
                     detail={"experts": "nobody", "deadline": "tomorrow"}),
            NewEvent("push_sent", t, group_id="nongan-junior", ref="C", detail={"members": "x"}),
        ])
        session.flush()
        session.execute(update(Event).where(Event.id == 3).values(detail="{not json"))
    with session_factory(engine).begin() as session:
        assert rollup.catch_up(session, home) == 3
        row = session.scalars(select(DailyGroupStats)).one()
        reached = session.scalars(select(StatsCourseReach)).one()
    # (courses are counted from the reach table: distinct courses do not add up over days)
    assert (row.questions, row.answered, row.pushes_sent, reached.content_id) == (1, 0, 1, "C")


def test_generated_history_starts_on_a_monday() -> None:
    """The fixture's week arithmetic assumes the history starts on a Monday."""
    assert START.weekday() == 0
