"""``agribot activity list|export`` on a database an activity was held in."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.chat.router import Router
from bot.cli.main import main
from bot.config import Home
from tests.activities.conftest import ADMIN, say


def test_list_and_export(router: Router, engine: Engine, home: Home, db_url: str,
                         tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """list shows each activity with its kind, place, responsible person and attendance;
    export writes the same package the bot sends, for an open one too; a wrong id is an error."""
    common = ["--home", str(home.paths.root), "--db", db_url]
    assert main(["activity", "list", *common]) == 0
    assert "还没有" in capsys.readouterr().out
    say(router, ADMIN, "#开始义诊 冬季常见病健康咨询")
    say(router, "m1", "#签到", name="李四")
    assert main(["activity", "list", *common]) == 0
    listed = capsys.readouterr().out
    assert "T-0001" in listed and "义诊" in listed and "农安县" in listed and "进行中" in listed
    out = tmp_path / "导出.zip"
    assert main(["activity", "export", "--id", "T-0001", "--out", str(out), *common]) == 0
    assert "尚未结束" in capsys.readouterr().out
    with zipfile.ZipFile(out) as zf:
        rows = list(csv.reader(io.StringIO(zf.read("签到表.csv").decode("utf-8-sig"))))
        assert [r[1] for r in rows[1:]] == ["李四"]
        assert {"活动简报.md", "活动简报.docx"} <= set(zf.namelist())
    assert main(["activity", "export", "--id", "99", "--out", str(out), *common]) == 1
    assert "没有编号为 99 的活动" in capsys.readouterr().err
