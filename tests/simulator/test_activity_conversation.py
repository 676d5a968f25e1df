"""An expert's lecture as people hold it: through the simulator's HTTP API, with the whole bot
(real Wechaty over the local puppet, real database, real senders) behind it."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.app import AgriBot
from bot.clock import ManualClock
from bot.core import events as ev
from bot.db.engine import session_factory
from bot.db.schema import Event
from bot.transport.local_world import LocalWorld, room_id_for
from tests.harness import Watch
from tests.simulator.conftest import Api

JIUTAI = room_id_for("jiutai-junior")
ADMIN = "wxid_jt_fengbo"  # 冯波, 九台区's admin
CITY_ADMIN = "wxid_cc_wangshuzhen"  # 王淑珍, 长春市: the region above 九台区
Check = Callable[[], Awaitable[Any]]
MEDIA = {"田间1.jpg": b"\xff\xd8\xff\xe0 field photo one", "田间2.jpg": b"\xff\xd8 photo two",
         "讲台.png": b"\x89PNG\r\n\x1a\n podium", "现场.mp4": b"\x00\x00\x00\x18ftypisom" * 64}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 3, 11, 0, tzinfo=UTC))  # Thursday 19:00 in Jilin


@pytest.fixture
def running(bot_api: tuple[Api, AgriBot]) -> tuple[Api, AgriBot]:
    return bot_api


def bot_says(api: Api, path: str, since: int, contains: str, kind: str = "text") -> Check:
    async def check() -> Any:
        _, messages = await api.get(f"{path}?since={since}")
        return next((m for m in messages if m["from"].startswith("wxid_bot_")
                     and m["type"] == kind and contains in (m["text"] or m["title"]
                                                            or (m["file"] or {}).get("name", ""))),
                    None)
    return check


async def test_a_lecture_with_eight_checkins_and_media_is_reported_upward(
        running: tuple[Api, AgriBot], world: LocalWorld, engine: Engine) -> None:
    """#开始讲座 with the speaker, eight check-ins, three photos and a video, #结束: the group
    gets the summary; the city admin gets the 报送 zip privately, holding the four files, the
    CSV with the eight names and the 简报; each file's hash is the one in its event."""
    api, _ = running
    until = Watch(world).until
    room_path = f"/api/rooms/{JIUTAI}/messages"
    _, rooms = await api.get("/api/rooms")
    room = next(r for r in rooms if r["id"] == JIUTAI)
    speaker = next(m for m in room["members"] if m["role"] == "expert")
    members = [m for m in room["members"] if m["role"] == "member"][:8]
    assert len(members) == 8

    status, sent = await api.post(room_path, {
        "from": ADMIN, "text": f"#开始讲座 香菇冬季管理 @{speaker['name']}"})
    assert status == 201, sent
    opened = await until(bot_says(api, room_path, sent["id"], "【讲座开始】"))
    assert f"主讲：{speaker['name']}" in opened["text"]

    for n, (name, content) in enumerate(MEDIA.items()):
        status, sent = await api.post(room_path, {"from": members[n]["id"], "media": {
            "name": name, "base64": base64.b64encode(content).decode()}})
        assert status == 201, sent
    # The check-ins come after the pictures: each waits for the bot's answer, by which time the
    # pictures (fetched by the adapter while texts go straight on) have been archived too.
    for member in members:
        status, sent = await api.post(room_path, {"from": member["id"], "text": "#签到"})
        assert status == 201, sent
        await until(bot_says(api, room_path, sent["id"], "签到成功"))
    with session_factory(engine)() as session:
        archived = session.scalars(select(Event).where(Event.kind == ev.ACTIVITY_MEDIA)).all()
        assert len(archived) == len(MEDIA)
    _, shown = await api.get(f"{room_path}?since=0")
    assert [m["type"] for m in shown if m["file"] and m["file"]["name"] in MEDIA] == [
        "image", "image", "image", "video"]

    status, sent = await api.post(room_path, {"from": ADMIN, "text": "#结束"})
    assert status == 201, sent
    summary = await until(bot_says(api, room_path, sent["id"], "【讲座结束】"))
    assert "签到 8 人" in summary["text"] and "留存照片 3 张、视频 1 个" in summary["text"]
    assert "长春市的管理员王淑珍" in summary["text"]
    private = f"/api/contacts/{CITY_ADMIN}/messages"
    await until(bot_says(api, private, 0, "【活动报送】"))
    card = await until(bot_says(api, private, 0, ".zip", kind="file"))

    [package] = [m for m in world.private_messages(CITY_ADMIN) if m.file_name == card["file"]
                 ["name"]]
    with session_factory(engine)() as session:
        hashes = {json.loads(e.detail)["name"]: json.loads(e.detail)["sha256"]
                  for e in session.scalars(select(Event).where(Event.kind == ev.ACTIVITY_MEDIA))}
    with zipfile.ZipFile(package.file_path) as zf:
        media = {n.removeprefix("照片视频/"): zf.read(n) for n in zf.namelist()
                 if n.startswith("照片视频/")}
        assert sorted(hashlib.sha256(b).hexdigest() for b in media.values()) == sorted(
            hashlib.sha256(b).hexdigest() for b in MEDIA.values())
        assert {n: hashlib.sha256(b).hexdigest() for n, b in media.items()} == hashes
        rows = list(csv.reader(io.StringIO(zf.read("签到表.csv").decode("utf-8-sig"))))
        assert sorted(r[1] for r in rows[1:]) == sorted(m["name"] for m in members)
        assert {"活动简报.md", "活动简报.docx"} <= set(zf.namelist())
