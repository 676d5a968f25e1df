"""The catalog of figures is the one declaration: the migrated table, the rollup, the reports and
`report explain` all agree with it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, Integer, inspect

from bot.config import Home
from bot.db.engine import session_factory
from bot.db.schema import DAILY_GROUP_STATS
from bot.stats import catalog
from bot.stats.catalog import Counted
from bot.stats.explain import explain
from bot.stats.figures import collect
from bot.stats.reports.markdown import COLUMNS
from tests.stats.history import History, expected

from .conftest import FIRST, LAST

KEYS = ["group_id", "day"]


def test_the_migrated_table_has_one_column_per_stored_figure(engine: Engine) -> None:
    """What the migrations built is what the catalog declares: no figure without a column, no
    column without a figure, every figure column an integer that is never NULL."""
    columns = {c["name"]: c for c in inspect(engine).get_columns("daily_group_stats")}
    assert sorted(columns) == sorted([*KEYS, *(f.code for f in catalog.STORED)])
    for figure in catalog.STORED:
        column = columns[figure.code]
        assert isinstance(column["type"], Integer), figure.code
        assert column["nullable"] is False, figure.code
    assert [c.name for c in DAILY_GROUP_STATS.columns] == [
        *KEYS, *(f.code for f in catalog.STORED)]


def test_the_figures_no_report_can_read_are_not_stored() -> None:
    """Distinct courses and medians do not add up over days: computed, never a column."""
    stored = {f.code for f in catalog.STORED}
    assert {"courses", "median_response", "answer_rate", "participants"}.isdisjoint(stored)
    assert catalog.BY_CODE["active_members"].summed  # person-days do add up


def test_every_figure_reaches_every_format(engine: Engine, home: Home, history: History) -> None:
    """A report holds each catalog figure, with the value counted independently of the code."""
    want = expected(history, home, FIRST, LAST)
    with session_factory(engine)() as session:
        report = collect(session, home, FIRST, LAST)
    assert list(report.total().values) == list(catalog.HEADERS)
    assert report.total().values == want["region:jilin"]
    assert set(COLUMNS) - {"groups"} == {f.code for f in catalog.FIGURES if f.summary}


@pytest.mark.parametrize("figure", [f for f in catalog.FIGURES
                                    if f.counted in (Counted.EVENTS, Counted.QUESTIONS)],
                         ids=lambda f: f.code)
def test_explain_lists_as_many_events_as_the_figure_counts(
        engine: Engine, home: Home, history: History, figure: catalog.Figure) -> None:
    """Folding and tracing read the same catalog line, so a counted figure's events number
    exactly its value, for every region and group."""
    with session_factory(engine)() as session:
        report = collect(session, home, FIRST, LAST)
        rows = [*report.regions, *report.groups.values()]
        for row in rows:
            found = explain(session, home, f"{row.key}.{figure.code}", FIRST, LAST)
            assert len(found.event_ids) == row.values[figure.code], row.key
    assert any(row.values[figure.code] for row in rows) or figure.code in (
        "pushes_failed", "pushes_skipped", "escalated", "closed", "answered_in_time",
        "forwarded")  # #转 is exercised by tests/qa/test_forwarding.py


def test_the_old_spelling_of_active_members_is_still_explained(
        engine: Engine, home: Home, history: History) -> None:
    """Reports printed before the rename carry `.active`; explain answers them the same."""
    with session_factory(engine)() as session:
        new = explain(session, home, "region:changchun.active_members", FIRST, LAST)
        old = explain(session, home, "region:changchun.active", FIRST, LAST)
    assert old.event_ids == new.event_ids and new.event_ids
