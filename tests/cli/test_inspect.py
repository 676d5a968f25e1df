"""``agribot groups`` and ``agribot content``: what a province officer reads on a terminal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.cli.main import main
from bot.db.engine import session_factory
from bot.db.schema import RoomBinding, StatsMember
from bot.texttable import display_width


def test_groups_shows_binding_status_and_members(
        demo_copy: Path, engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Each group says whether its room was found and how many members it has."""
    with session_factory(engine).begin() as session:
        session.add(RoomBinding(group_id="taonan-junior", account="jilin-kexie", room_id="r1",
                                topic="洮南市初级农技师工作群", bound_at=datetime(2026, 12, 1)))
        session.add_all(StatsMember(group_id="taonan-junior", member=f"m{n}") for n in range(7))
    assert main(["groups", "--home", str(demo_copy), "--db", db_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    taonan = next(line for line in lines if "taonan-junior" in line)
    nongan = next(line for line in lines if "nongan-junior" in line)
    assert "已绑定" in taonan and " 7 " in taonan
    assert "未找到群" in nongan
    widths = {display_width(line.rstrip()) for line in lines[:2]}
    assert len(widths) == 1  # header and rule line up, Chinese counted as two columns


def test_content_search_and_show(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Searching finds courses by Chinese words; show marks placeholder links as examples."""
    assert main(["content", "search", "香菇", "--home", str(demo_copy)]) == 0
    found = capsys.readouterr().out
    assert "ef-" in found
    assert main(["content", "show", "ef-001", "--home", str(demo_copy)]) == 0
    assert "示例链接" in capsys.readouterr().out
    assert main(["content", "show", "nope", "--home", str(demo_copy)]) == 1
    assert main(["content", "search", "不存在的词", "--home", str(demo_copy)]) == 1


@pytest.mark.parametrize("argv", [
    ["content", "--home", "{home}", "show", "ef-001"],
    ["content", "show", "ef-001", "--home", "{home}"],
])
def test_home_may_go_anywhere_on_the_line(
        argv: list[str], demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--home works before or after a command's own words, as people type it."""
    assert main([a.format(home=demo_copy) for a in argv]) == 0
    assert "ef-001" in capsys.readouterr().out


def test_looking_at_a_fresh_home_creates_no_files(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``groups``, ``schedule preview``, ``audit verify`` and ``report explain`` only read: a
    home the bot never ran in keeps no ``data/`` after them; the first two still show every
    group and the pushes ahead."""
    monkeypatch.delenv("AGRIBOT_DB_URL", raising=False)
    monkeypatch.chdir(demo_copy)
    assert not (demo_copy / "data").exists()
    assert main(["groups"]) == 0
    assert "jiutai-junior" in capsys.readouterr().out
    assert main(["schedule", "preview", "--days", "14", "--start", "2026-12-01 00:00",
                 "--home", str(demo_copy)]) == 0
    assert "jiutai-junior" in capsys.readouterr().out
    assert not (demo_copy / "data").exists()
    for looking in (["audit", "verify"], ["report", "explain", "region:jiutai.questions",
                                          "--from", "2026-12-01", "--to", "2026-12-31"]):
        assert main(looking) == 1  # nothing to look at yet, said in one line
        assert "还没有数据库" in capsys.readouterr().err
    assert not (demo_copy / "data").exists()
    assert main(["db", "upgrade"]) == 0  # once the bot has a database they read it, still
    before = sorted(p.name for p in (demo_copy / "data").iterdir())
    assert main(["groups"]) == 0 and "未找到群" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0 and "事件日志完整" in capsys.readouterr().out
    assert sorted(p.name for p in (demo_copy / "data").iterdir()) == before
