"""``agribot groups`` on a WeCom home: how each chat is bound, and what the transport means."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import messages as msg
from bot.cli.main import main
from bot.db.engine import session_factory
from bot.db.schema import RoomBinding
from tests.wecom_home import make_wecom


def test_groups_shows_wecom_binding_and_why_no_welcome(
        demo_copy: Path, engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A chat bound by #绑定 names who bound it; one not bound says how; the notes say there
    is no welcome and figures count @-messages only."""
    make_wecom(demo_copy)
    with session_factory(engine).begin() as session:
        session.add(RoomBinding(group_id="taonan-junior", account="jilin-kexie", room_id="c1",
                                topic="洮南市初级农技师工作群", bound_at=datetime(2026, 12, 1),
                                bound_by="wxid_tn_gaojinlong"))
    assert main(["groups", "--home", str(demo_copy), "--db", db_url]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    taonan = next(line for line in lines if "taonan-junior" in line)
    nongan = next(line for line in lines if "nongan-junior" in line)
    assert "高金龙" in taonan and msg.GROUP_BOUND in taonan
    assert "#绑定 nongan-junior" in nongan
    assert "不发欢迎词" in out and "@机器人" in out
