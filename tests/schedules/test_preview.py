"""Seeing ahead: the preview follows cursors, quiet hours and date ranges, aligned in time order."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli.main import main
from bot.db.engine import session_factory
from bot.db.schema import PushCursor
from bot.schedules.content import PushState
from bot.schedules.loader import load_schedules
from bot.schedules.preview import plan
from bot.texttable import display_width
from tests.schedules.conftest import home_of, local, write


def files(home_dir: Path) -> None:
    write(home_dir, "jilin/changchun.yaml", (
        "region: changchun\n"
        "schedules:\n"
        "  - id: huanggua\n"
        "    targets: [nongan-junior, jiutai-junior]\n"
        "    when: {weekly: {weekdays: [二], time: \"22:30\"}}\n"
        "    quiet_hours: \"22:00-07:00\"\n"
        "    end: 2026-12-08\n"
        "    what: {series: sheshi-huanggua}\n"
        "    message: \"第{episode}集：{title}\"\n"))
    write(home_dir, "jilin/changchun/jiutai.yaml", (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: once\n"
        "    targets: [jiutai-junior]\n"
        "    when: {once: {at: \"2026-12-05 09:00\"}}\n"
        "    what: sc-004\n"))


def test_plan_follows_cursors_quiet_hours_and_the_end_date(home_dir: Path, engine: Engine
                                                           ) -> None:
    """A group already at episode 3 continues there; 22:30 shows as 07:00; no push after end."""
    files(home_dir)
    home = home_of(home_dir)
    with session_factory(engine).begin() as session:
        session.add(PushCursor(group_id="jiutai-junior", series_id="sheshi-huanggua",
                               next_episode=3, updated_at=datetime(2026, 11, 1)))
    with session_factory(engine)() as session:
        state = PushState.load(session)
    pushes = plan(home, load_schedules(home), state, local(2026, 11, 30, 0),
                  local(2026, 12, 31, 0))
    assert [(p.at, p.group.id, p.item.id if p.item else None) for p in pushes] == [
        (local(2026, 12, 2, 7), "nongan-junior", "gv-007"),
        (local(2026, 12, 2, 7), "jiutai-junior", "gv-009"),
        (local(2026, 12, 5, 9), "jiutai-junior", "sc-004"),
        (local(2026, 12, 9, 7), "nongan-junior", "gv-008"),  # planned 12-08 22:30, the end day
        (local(2026, 12, 9, 7), "jiutai-junior", "gv-010"),
    ]
    assert pushes[1].message.startswith("第3集：")


def test_preview_command_prints_an_aligned_table(home_dir: Path, engine: Engine,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """``agribot schedule preview`` prints every push in order, columns aligned, per group."""
    files(home_dir)
    url = engine.url.render_as_string(hide_password=False)
    args = ["schedule", "preview", "--home", str(home_dir), "--db", url,
            "--start", "2026-11-30 00:00", "--days", "14"]
    assert main(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["时间", "群", "日程", "课程", "消息"]
    body = lines[2:7]
    assert [line.split()[:4] for line in body] == [
        ["2026-12-02", "周三", "07:00", "nongan-junior"],
        ["2026-12-02", "周三", "07:00", "jiutai-junior"],
        ["2026-12-05", "周六", "09:00", "jiutai-junior"],
        ["2026-12-09", "周三", "07:00", "nongan-junior"],
        ["2026-12-09", "周三", "07:00", "jiutai-junior"],
    ]
    column = [display_width(line[: line.index("gv-") if "gv-" in line else line.index("sc-")])
              for line in body]
    assert len(set(column)) == 1  # the content column starts at the same place on every line
    assert "共 5 次推送" in lines[-1]
    assert main([*args, "--group", "nongan-junior"]) == 0
    assert capsys.readouterr().out.count("nongan-junior") == 2
    assert main([*args, "--group", "nope"]) == 1


def test_preview_never_changes_the_database(home_dir: Path, engine: Engine) -> None:
    """Planning moves cursors in memory only."""
    files(home_dir)
    home = home_of(home_dir)
    with session_factory(engine)() as session:
        state = PushState.load(session)
    plan(home, load_schedules(home), state, datetime(2026, 11, 30, tzinfo=UTC),
         datetime(2026, 12, 31, tzinfo=UTC))
    with session_factory(engine)() as session:
        assert PushState.load(session).cursors == {}
