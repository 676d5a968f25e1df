"""Activities in the period report: per kind and region against the targets, each activity's
attendance and kept pictures, and ``report explain`` back to the events (with their hashes)."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from bot.chat.router import Router
from bot.cli.main import main
from bot.config import Home
from bot.core import events as ev
from bot.core.messages import MessageKind
from bot.db.engine import session_factory
from bot.db.schema import Event
from tests.activities.conftest import ADMIN, SECOND, post, say

DAY = "2026-03-04"  # the router fixture's clock: 10:00 in Jilin


def hold_activities(router: Router, tmp_path: Path) -> None:
    """A training with two check-ins, then a lecture with three check-ins (one in the overflow
    group) and two photos."""
    say(router, ADMIN, "#开始培训 玉米螟防控")
    for member in ("m1", "m2"):
        say(router, member, "#签到")
    say(router, ADMIN, "#结束")
    say(router, ADMIN, "#开始讲座 大棚黄瓜 @邢东升", mentions=("wxid_exp_xingdongsheng",))
    for member, group in (("m1", "nongan-junior"), ("m2", "nongan-junior"), ("m3", SECOND)):
        say(router, member, "#签到", group=group)
    for n in (1, 2):
        photo = tmp_path / f"p{n}.jpg"
        photo.write_bytes(f"photo {n}".encode())
        post(router, "m3", photo.name, group=SECOND, kind=MessageKind.IMAGE, media=str(photo))
    say(router, ADMIN, "#结束")
    router.clock.advance(timedelta(minutes=1))


def test_reports_count_activities_per_kind_and_explain_their_media(
        router: Router, engine: Engine, home: Home, db_url: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """XLSX 活动 has a row per region and kind with a target (培训 and, in the demo, 讲座);
    活动场次 lists each activity with its kind, speaker, attendance and pictures; the CSV
    carries activity codes that explain turns into the check-in and media events."""
    hold_activities(router, tmp_path)
    common = ["--home", str(home.paths.root), "--db", db_url, "--from", DAY, "--to", DAY]
    xlsx, table = tmp_path / "r.xlsx", tmp_path / "r.csv"
    assert main(["report", *common, "--format", "xlsx", "--out", str(xlsx)]) == 0
    assert main(["report", *common, "--format", "csv", "--out", str(table)]) == 0
    book = load_workbook(xlsx)
    rows = {(r[0], r[2]): r for r in book["活动"].iter_rows(min_row=2, values_only=True)}
    assert rows[("农安县", "培训")][3:] == (1, "2", 0, "1 场不足 100 人")
    assert rows[("农安县", "讲座")][3:] == (1, "3", 2, "1 场不足 50 人")
    assert rows[("九台区", "讲座")][3] == 0 and "讲座场次不足（0/1）" in rows[("九台区", "讲座")][6]
    assert ("农安县", "义诊") not in rows  # no clinic target is set in the demo
    listed = list(book["活动场次"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[4], r[7], r[8]) for r in listed] == [
        ("T-0001", "培训", "周磊", 2, 0), ("T-0002", "讲座", "邢东升", 3, 2)]

    with table.open(encoding="utf-8-sig") as handle:
        lines = [r for r in csv.reader(handle) if r and not r[0].startswith("#")]
    codes = {r[6]: r[5] for r in lines[1:]}
    assert codes["activity:T-0002.media"] == "2" and codes["activity:T-0002.participants"] == "3"
    assert codes["region:nongan.lecture_sessions"] == "1"
    with session_factory(engine)() as session:
        media = session.scalars(select(Event).where(Event.kind == ev.ACTIVITY_MEDIA)).all()
        lecture = session.scalars(select(Event.id).where(Event.kind == ev.TRAINING_OPEN)
                                  .order_by(Event.id)).all()[1]
    capsys.readouterr()
    assert main(["report", "explain", "activity:T-0002.media", *common]) == 0
    out = capsys.readouterr().out
    assert "2 个事件" in out and "SHA-256" in out
    assert all(str(e.id) in out for e in media)
    assert all(len(json.loads(e.detail)["sha256"]) == 64 for e in media)
    assert main(["report", "explain", "region:nongan.lecture_sessions", *common]) == 0
    out = capsys.readouterr().out
    assert ": 1 个事件" in out and out.strip().endswith(str(lecture))
    assert main(["report", "explain", "activity:X-9.media", *common]) == 2
