"""Firing: one outbox row per group per firing, cursors, skips and their events — on both DBs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.core import events as kinds
from bot.core.messages import LinkOut
from bot.db.engine import session_factory
from bot.db.schema import PushPause
from bot.delivery.fairness import BULK
from bot.schedules import firing as firing_module
from bot.schedules.firing import fire
from bot.schedules.loader import load_schedules
from tests.schedules.conftest import events, home_of, local, outbox, payload, push_log, write

THREE = "[nongan-junior, dehui-junior, jiutai-junior]"


def series_file(home_dir: Path, targets: str = THREE, extra: str = "") -> None:
    write(home_dir, "jilin/changchun.yaml", (
        "region: changchun\n"
        "schedules:\n"
        "  - id: huanggua\n"
        f"    targets: {targets}\n"
        "    when: {weekly: {weekdays: [二], time: \"19:30\"}}\n"
        "    what: {series: sheshi-huanggua}\n"
        "    message: \"{group}：第{episode}集 {title}\"\n" + extra))


def test_one_firing_queues_a_card_per_group_and_records_it(home_dir: Path, engine: Engine
                                                          ) -> None:
    """Each group gets episode 1 as a link card keyed (schedule, fire time, group)."""
    series_file(home_dir)
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["huanggua"]
    at = local(2026, 12, 1, 19, 30)
    with session_factory(engine).begin() as session:
        result = fire(session, home, schedule, at, at)
    assert result.queued == {g: "gv-007" for g in ("nongan-junior", "dehui-junior",
                                                   "jiutai-junior")}
    rows = outbox(engine)
    assert [r.key for r in rows] == [f"push:huanggua:2026-12-01T11:30:00Z:{g}" for g in
                                     ("nongan-junior", "dehui-junior", "jiutai-junior")]
    card = payload(rows[0])
    assert isinstance(card, LinkOut) and card.url.startswith("https://")
    assert card.description == "农安县初级农技师工作群：第1集 " + card.title
    assert {(r.purpose, r.priority) for r in rows} == {("push", BULK)}
    queued = events(engine, kinds.PUSH_QUEUED)
    assert [(e.group_id, e.ref) for e in queued] == [(g, "gv-007") for g in (
        "nongan-junior", "dehui-junior", "jiutai-junior")]
    assert json.loads(queued[0].detail)["schedule"] == "huanggua"


def test_firing_twice_pushes_once(home_dir: Path, engine: Engine) -> None:
    """The same firing handled again adds no row, no event and does not move the cursor."""
    series_file(home_dir)
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["huanggua"]
    at = local(2026, 12, 1, 19, 30)
    for _ in range(2):
        with session_factory(engine).begin() as session:
            fire(session, home, schedule, at, at)
    assert len(outbox(engine)) == 3 and len(events(engine)) == 3
    later = local(2026, 12, 8, 19, 30)
    with session_factory(engine).begin() as session:
        result = fire(session, home, schedule, later, later)
    assert set(result.queued.values()) == {"gv-008"}


def test_fan_out_interrupted_then_restarted(home_dir: Path, engine: Engine) -> None:
    """A fan-out that committed one group before dying is finished without repeating it."""
    series_file(home_dir)
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["huanggua"]
    at = local(2026, 12, 1, 19, 30)
    first_only = dataclasses.replace(schedule, groups=schedule.groups[:1])
    with session_factory(engine).begin() as session:
        fire(session, home, first_only, at, at)
    with session_factory(engine).begin() as session:
        result = fire(session, home, schedule, at, at)
    assert sorted(result.queued) == ["dehui-junior", "jiutai-junior"]
    keys = [r.key for r in outbox(engine)]
    assert len(keys) == len(set(keys)) == 3
    assert {r.ref for r in outbox(engine)} == {"gv-007"}


def test_a_crash_inside_the_fan_out_loses_nothing(home_dir: Path, engine: Engine,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure mid-firing rolls the whole firing back; handling it again sends everything."""
    series_file(home_dir)
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["huanggua"]
    at = local(2026, 12, 1, 19, 30)

    def broken(*_args: object, **_kw: object) -> int:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(firing_module, "enqueue", broken)
    with pytest.raises(RuntimeError), session_factory(engine).begin() as session:
        fire(session, home, schedule, at, at)
    assert outbox(engine) == [] and push_log(engine) == [] and events(engine) == []
    monkeypatch.undo()
    with session_factory(engine).begin() as session:
        assert len(fire(session, home, schedule, at, at).queued) == 3
    assert {r.ref for r in outbox(engine)} == {"gv-007"}


def test_late_paused_and_exhausted_are_skipped_with_a_reason(home_dir: Path, engine: Engine
                                                             ) -> None:
    """Past the grace it is missed; a paused group is skipped; a finished series is exhausted."""
    series_file(home_dir)
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["huanggua"]
    at = local(2026, 12, 1, 19, 30)
    with session_factory(engine).begin() as session:
        result = fire(session, home, schedule, at, local(2026, 12, 1, 23, 31))
    assert set(result.skipped.values()) == {"missed"} and outbox(engine) == []
    with session_factory(engine).begin() as session:
        session.add(PushPause(group_id="dehui-junior", paused_by="wxid_cc_wangshuzhen",
                              paused_at=at.replace(tzinfo=None)))
    for week in range(6):
        when = local(2026, 12, 8 + 7 * week, 19, 30) if week < 4 else local(2027, 1, 5 + 7 * (
            week - 4), 19, 30)
        with session_factory(engine).begin() as session:
            result = fire(session, home, schedule, when, when)
        assert result.skipped.get("dehui-junior") == "paused"
    assert result.skipped == {"dehui-junior": "paused", "nongan-junior": "exhausted",
                              "jiutai-junior": "exhausted"}  # 5 episodes, 6 weeks
    reasons = [json.loads(e.detail)["reason"] for e in events(engine, kinds.PUSH_SKIPPED)]
    assert reasons.count("missed") == 3 and reasons.count("paused") == 6
    assert [r.ref for r in outbox(engine) if r.target_id == "nongan-junior"] == [
        "gv-007", "gv-008", "gv-009", "gv-010", "gv-011"]


def test_pick_takes_an_unpushed_item_suited_to_the_tier(home_dir: Path, engine: Engine) -> None:
    """Picks never repeat an item for a group and only take items of the group's tier."""
    write(home_dir, "jilin.yaml", (
        "region: jilin\n"
        "schedules:\n"
        "  - id: pick\n"
        "    targets: [jilin-senior, nongan-junior]\n"
        "    when: \"0 9 * * *\"\n"
        "    what: {pick: {industry: poultry}}\n"))
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["pick"]
    picked: dict[str, list[str]] = {"jilin-senior": [], "nongan-junior": []}
    for day in range(1, 6):
        at = local(2026, 12, day, 9)
        with session_factory(engine).begin() as session:
            for group, item in fire(session, home, schedule, at, at).queued.items():
                picked[group].append(item)
    assert picked == {"jilin-senior": ["po-005"], "nongan-junior": ["po-001", "po-002", "po-003"]}
    assert len(push_log(engine)) == 10  # every decision logged, queued or exhausted


def test_quiet_merged_firings_are_logged_as_quiet(home_dir: Path, engine: Engine) -> None:
    """Firings folded into one by quiet hours are recorded as skipped for quiet."""
    write(home_dir, "jilin/changchun/jiutai.yaml", (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: hourly\n"
        "    targets: [jiutai-junior]\n"
        "    when: \"0 * * * *\"\n"
        "    quiet_hours: \"23:00-07:00\"\n"
        "    what: cs-002\n"))
    home = home_of(home_dir)
    schedule = load_schedules(home).schedules["hourly"]
    [morning] = schedule.timing.firings(local(2026, 12, 1, 22, 30), local(2026, 12, 2, 7))
    with session_factory(engine).begin() as session:
        fire(session, home, schedule, morning, morning.at)
    assert len(outbox(engine)) == 1
    quiet = [e for e in events(engine, kinds.PUSH_SKIPPED)]
    assert len(quiet) == 8 and all(json.loads(e.detail)["reason"] == "quiet" for e in quiet)
