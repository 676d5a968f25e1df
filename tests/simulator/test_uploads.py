"""A member sends a photo, video or file through the simulator's API (``media`` with base64):
the kind comes from the extension, the bytes land on disk for the puppet, and bad uploads get a
4xx JSON error that never reaches the world."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from bot.simulator import uploads
from bot.transport.local_world import LocalWorld
from tests.simulator.conftest import NONGAN, Api

TECH = "wxid_t_nongan-junior_1"
PATH = f"/api/rooms/{NONGAN}/messages"


def media(name: str, data: bytes) -> dict[str, str]:
    return {"name": name, "base64": base64.b64encode(data).decode()}


@pytest.mark.parametrize(("name", "kind"), [("田间.JPG", "image"), ("讲课.mp4", "video"),
                                            ("讲义.pdf", "file")])
async def test_an_upload_becomes_a_message_of_its_kind(api: Api, world: LocalWorld, name: str,
                                                       kind: str) -> None:
    """Photo, video, file: the message has the file's kind, name, size and a URL that serves
    the same bytes back."""
    data = f"bytes of {name}".encode()
    status, body = await api.post(PATH, {"from": TECH, "media": media(name, data)})
    assert status == 201, body
    message = world.message(body["id"])
    assert (message.type, message.file_name, message.file_size) == (kind, name, len(data))
    assert Path(message.file_path).read_bytes() == data
    _, shown = await api.get(f"{PATH}?since={body['id'] - 1}")
    assert shown[0]["type"] == kind and shown[0]["file"]["name"] == name
    async with api.http.get(api.base + shown[0]["file"]["url"]) as resp:
        assert resp.status == 200 and await resp.read() == data


async def test_bad_uploads_get_a_clear_error(api: Api, world: LocalWorld,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad base64, an unknown extension, an empty or too large file, a wrong shape, text and
    media together: 4xx with a Chinese message, and nothing is posted."""
    before = len(world.messages(NONGAN))
    monkeypatch.setattr(uploads, "MAX_BYTES", 1000)
    cases = [
        ({"name": "a.jpg", "base64": "这不是base64!!"}, 400, "base64"),
        (media("病毒.exe", b"MZ"), 415, "扩展名 .exe"),
        (media("无扩展名", b"x"), 415, "扩展名 （无）"),
        (media("空.jpg", b""), 400, "空的"),
        (media("大.mp4", b"0" * 1001), 413, "最多"),
        ("a.jpg", 400, "media 应写成"),
        ({"name": "a.jpg"}, 400, "media 应写成"),
        (media("", b"x"), 400, "文件名"),
    ]
    for value, status, words in cases:
        got, body = await api.post(PATH, {"from": TECH, "media": value})
        assert (got, words in body["error"]) == (status, True), (value, body)
    got, body = await api.post(PATH, {"from": TECH, "text": "看图", "media": media("a.jpg", b"x")})
    assert got == 400 and "不能两样都有" in body["error"]
    outsider = "wxid_t_yushu-junior_1"
    got, body = await api.post(PATH, {"from": outsider, "media": media("a.jpg", b"x")})
    assert got == 403
    assert len(world.messages(NONGAN)) == before


async def test_other_bodies_are_still_held_to_the_small_limit(api: Api) -> None:
    """Only a message (in a room or in private) may carry an upload: elsewhere a large body is
    refused as such, and a long text is the usual too-long message."""
    got, body = await api.post(f"/api/rooms/{NONGAN}/members", {"id": "x", "name": "长" * 40_000})
    assert got == 413 and "太大" in body["error"]
    got, body = await api.post(PATH, {"from": TECH, "text": "长" * 40_000})
    assert got == 400 and "最多 4000 个字" in body["error"]
    got, body = await api.post(f"/api/contacts/{TECH}/messages", {"text": "长" * 40_000})
    assert got == 400 and "最多 4000 个字" in body["error"]


async def test_a_photo_sent_to_the_bot_privately(api: Api, world: LocalWorld) -> None:
    """A member sends the bot a photo in private chat (on WeCom that is where photos come)."""
    data = b"\xff\xd8 private photo"
    status, body = await api.post(f"/api/contacts/{TECH}/messages",
                                  {"media": media("绿霉.jpg", data)})
    assert status == 201, body
    message = world.message(body["id"])
    assert (message.type, message.room_id, message.from_id) == ("image", None, TECH)
    assert Path(message.file_path).read_bytes() == data
    got, body = await api.post(f"/api/contacts/{TECH}/messages",
                               {"text": "看图", "media": media("a.jpg", b"x")})
    assert got == 400 and "不能两样都有" in body["error"]


def test_file_names_are_made_safe() -> None:
    """Folders and control characters in a name cannot leave the uploads folder."""
    upload = uploads.read_upload(media("../../etc/pass\x00wd.png", b"x"))
    assert "/" not in upload.name and "\x00" not in upload.name and upload.kind == "image"
