"""Activities through a real Router, rooms and database: the three kinds, malformed commands,
an overflow county's two groups running one activity, the archive and the 报送 package."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

from docx import Document
from sqlalchemy import Engine, select

from bot.chat.router import Router
from bot.config import Home
from bot.core import events as ev
from bot.core.messages import FileOut, MessageKind
from bot.db.engine import session_factory
from bot.db.schema import ActivityMedia, Event, TrainingCheckin, TrainingSession
from tests.activities.conftest import ADMIN, SECOND, post, say

CITY_ADMIN = "wxid_cc_wangshuzhen"  # 长春市, the region above 农安县
EXPERT = "wxid_exp_xingdongsheng"  # 邢东升, a 农安县 expert


def test_open_checkin_close(router: Router, engine: Engine) -> None:
    """An admin opens a training, members check in once each, closing counts participants."""
    assert "只有" in say(router, "wxid_someone", "#开始培训 玉米螟防控")
    assert "主题" in say(router, ADMIN, "#开始培训")
    assert "没有进行中的培训" in say(router, "m1", "#签到")
    assert "玉米螟防控" in say(router, ADMIN, "#开始培训 玉米螟防控")
    assert "已有进行中的培训" in say(router, ADMIN, "＃开始培训 别的")
    assert "第 1 位" in say(router, "m1", "#签到")
    assert "已签到" in say(router, "m1", "#签到")
    assert "第 2 位" in say(router, "m2", "＃签到")
    assert "没有进行中的培训" in say(router, "m3", "#签到", group="yushu-junior")  # other county
    assert "签到 2 人" in say(router, ADMIN, "#结束培训")  # the old command still closes it
    assert "没有进行中的培训" in say(router, ADMIN, "#结束")
    with session_factory(engine)() as session:
        [row] = session.scalars(select(TrainingSession)).all()
        assert (row.group_id, row.topic, row.opened_by, row.kind, row.region_id,
                row.responsible) == ("nongan-junior", "玉米螟防控", ADMIN, "training", "nongan",
                                     ADMIN)
        assert row.closed_at is not None
        members = session.scalars(select(TrainingCheckin.member)).all()
        assert sorted(members) == ["m1", "m2"]


def test_a_lecture_names_its_speaker_and_a_clinic_its_admin(router: Router,
                                                            engine: Engine) -> None:
    """#开始讲座 主题 @专家 makes the expert responsible (专人专项); #开始义诊 the admin."""
    opened = say(router, ADMIN, "#开始讲座 大棚黄瓜霜霉病 @邢东升", mentions=(EXPERT,))
    assert "【讲座开始】大棚黄瓜霜霉病" in opened and "主讲：邢东升" in opened
    assert "签到 0 人" in say(router, ADMIN, "#结束")
    guest = say(router, ADMIN, "#开始讲座 肉牛育肥 @王教授")  # a guest not in the group
    assert "主讲：王教授" in guest
    say(router, ADMIN, "#结束")
    assert "负责人：周磊" in say(router, ADMIN, "#开始义诊 冬季常见病健康咨询")
    assert "【义诊结束】" in say(router, ADMIN, "#结束")
    with session_factory(engine)() as session:
        rows = session.scalars(select(TrainingSession).order_by(TrainingSession.id)).all()
        assert [(r.kind, r.responsible, r.responsible_name) for r in rows] == [
            ("lecture", EXPERT, "邢东升"), ("lecture", None, "王教授"), ("clinic", ADMIN, "周磊")]
        opens = session.scalars(select(Event).where(Event.kind == ev.TRAINING_OPEN)).all()
        assert [json.loads(e.detail)["kind"] for e in opens] == ["lecture", "lecture", "clinic"]


def test_malformed_activity_commands_get_a_clear_reply(router: Router, engine: Engine) -> None:
    """A lecture without a speaker or with two, a missing or overlong topic, a command in
    private chat: each is answered in Chinese and opens nothing."""
    assert "主讲专家" in say(router, ADMIN, "#开始讲座 大棚黄瓜霜霉病")
    assert "只写一位" in say(router, ADMIN, "#开始讲座 大棚黄瓜 @甲 @乙")
    assert "请写上讲座主题" in say(router, ADMIN, "#开始讲座")
    assert "请写上义诊主题" in say(router, ADMIN, "#开始义诊  ")
    assert "最多 100 个字" in say(router, ADMIN, "#开始培训 " + "很长" * 60)
    assert "工作群" in say(router, ADMIN, "#开始义诊 健康", group=None)
    assert "工作群" in say(router, "m1", "#签到", group=None)
    assert "没有进行中的" in say(router, ADMIN, "#结束")
    assert "只有" in say(router, "m1", "#结束")
    with session_factory(engine)() as session:
        assert session.scalars(select(TrainingSession)).all() == []


def test_an_overflow_county_runs_one_activity_across_its_groups(router: Router,
                                                                engine: Engine) -> None:
    """农安县 has two junior groups: a training opened in the first is announced in both,
    a check-in in the second counts for it (once per member across both), a second opening
    in either is refused, and #结束 in the second closes it with the summary in both."""
    sent = post(router, ADMIN, "#开始培训 玉米螟防控")
    assert {t for t, _ in sent} == {"group:nongan-junior", f"group:{SECOND}"}
    assert "第 1 位" in say(router, "m1", "#签到", group=SECOND)
    assert "第 2 位" in say(router, "m2", "#签到")
    assert "已签到" in say(router, "m1", "#签到")  # the same member in the other group
    refused = say(router, ADMIN, "#开始义诊 健康", group=SECOND)
    assert "本地区的“农安县初级农技师工作群”已有进行中的培训" in refused
    assert "没有进行中的" in say(router, "m3", "#签到", group="yushu-junior")
    closed = post(router, ADMIN, "#结束", group=SECOND)
    summaries = [(t, getattr(p, "text", "")) for t, p in closed if t.startswith("group:")]
    assert {t for t, _ in summaries} == {"group:nongan-junior", f"group:{SECOND}"}
    assert all("签到 2 人" in text for _, text in summaries)
    with session_factory(engine)() as session:
        groups = dict(session.execute(select(TrainingCheckin.member, TrainingCheckin.group_id)
                                      ).tuples().all())
        assert groups == {"m1": SECOND, "m2": "nongan-junior"}
        checkins = session.scalars(select(Event).where(Event.kind == ev.CHECKIN)).all()
        assert sorted((e.group_id, e.ref) for e in checkins) == [
            ("nongan-junior", "T-0001"), (SECOND, "T-0001")]


def _photo(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / "adapter-media" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return str(path)


def test_closing_archives_media_and_sends_the_package_up(router: Router, engine: Engine,
                                                         home: Home, tmp_path: Path) -> None:
    """Photos and a video posted during a lecture are kept with their hash; closing sends the
    city admin a zip with them, the attendance CSV and the 简报 (Markdown and Word)."""
    before = _photo(tmp_path, "early.jpg", b"not during the activity")
    post(router, "m1", "early.jpg", kind=MessageKind.IMAGE, media=before)
    say(router, ADMIN, "#开始讲座 大棚黄瓜霜霉病 @邢东升", mentions=(EXPERT,))
    for n, member in enumerate(["m1", "m2", "m3"], 1):
        router.clock.advance(timedelta(minutes=1))
        say(router, member, "#签到", name=f"技术员{n}",
            group="nongan-junior" if n < 3 else SECOND)
    files = {"现场1.jpg": b"\xff\xd8photo-1", "现场2.jpg": b"\xff\xd8photo-2",
             "讲课.mp4": b"\x00\x00\x00\x18ftypmp42" * 100}
    for name, content in files.items():
        kind = MessageKind.VIDEO if name.endswith(".mp4") else MessageKind.IMAGE
        post(router, "m2", name, kind=kind, media=_photo(tmp_path, name, content), name="技术员2")
    post(router, "m2", "lost.jpg", kind=MessageKind.IMAGE, media=None)  # the adapter could not
    router.clock.advance(timedelta(hours=1))
    sent = post(router, ADMIN, "#结束")

    summary = next(getattr(p, "text", "") for t, p in sent if t == "group:nongan-junior")
    assert "【讲座结束】大棚黄瓜霜霉病（T-0001）" in summary
    assert "签到 3 人（目标每场不少于 50 人，还差 47 人）" in summary  # config/reports.yaml
    assert "留存照片 2 张、视频 1 个" in summary and "长春市的管理员王淑珍" in summary
    private = [p for t, p in sent if t == f"contact:{CITY_ADMIN}"]
    assert "【活动报送】" in getattr(private[0], "text", "")
    zip_out = private[1]
    assert isinstance(zip_out, FileOut) and zip_out.name.endswith(".zip")

    with session_factory(engine)() as session:
        events = {json.loads(e.detail)["name"]: json.loads(e.detail) for e in session.scalars(
            select(Event).where(Event.kind == ev.ACTIVITY_MEDIA))}
        rows = session.scalars(select(ActivityMedia)).all()
        assert len(rows) == 3 and {r.sender_name for r in rows} == {"技术员2"}
        [package_event] = session.scalars(select(Event).where(Event.kind == ev.ACTIVITY_PACKAGE))
    with zipfile.ZipFile(zip_out.path) as zf:
        names = zf.namelist()
        media = [n for n in names if n.startswith("照片视频/")]
        assert len(media) == 3
        for entry in media:
            detail = events[entry.removeprefix("照片视频/")]
            assert hashlib.sha256(zf.read(entry)).hexdigest() == detail["sha256"]
            assert (home.paths.data / detail["file"]).is_file()
            assert detail["file"].startswith("activities/1/")
        assert sorted(hashlib.sha256(zf.read(m)).digest() for m in media) == sorted(
            hashlib.sha256(c).digest() for c in files.values())
        table = list(csv.reader(io.StringIO(zf.read("签到表.csv").decode("utf-8-sig"))))
        assert table[0][:2] == ["序号", "姓名"]
        assert [r[1] for r in table[1:]] == ["技术员1", "技术员2", "技术员3"]
        assert table[3][3] == "农安县初级农技师工作二群"
        brief = zf.read("活动简报.md").decode("utf-8")
        assert "主讲：邢东升" in brief and "签到：3 人" in brief
        assert all(d["sha256"] in brief for d in events.values())
        word = Document(io.BytesIO(zf.read("活动简报.docx")))
        cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
        assert "讲座" in cells and "邢东升" in cells
    assert json.loads(package_event.detail)["sha256"] == hashlib.sha256(
        Path(zip_out.path).read_bytes()).hexdigest()
