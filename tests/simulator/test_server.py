"""The simulator's HTTP API over real HTTP: every route of DESIGN.md §4, its errors, live events,
token mode and media files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from yarl import URL

from bot.simulator import SimulatorServer
from bot.transport.local_world import LocalWorld
from tests.simulator.conftest import NONGAN, TIMEOUT, Api

TECH = "wxid_t_nongan-junior_1"
ADMIN = "wxid_na_zhoulei"
EXPERT = "wxid_exp_xingdongsheng"
BOT = "wxid_bot_jilin-kexie"
OUTSIDER = "wxid_t_yushu-junior_1"


async def test_health_reports_ok_only_once_ready(serve: Callable[..., Any]) -> None:
    """Health is 503 "starting" until the ready event is set, then 200 "ok"."""
    ready = asyncio.Event()
    async with serve(ready=ready) as api:
        assert await api.get("/api/health") == (503, {"status": "starting"})
        ready.set()
        assert await api.get("/api/health") == (200, {"status": "ok"})


async def test_health_takes_a_callable(serve: Callable[..., Any]) -> None:
    """A ready callable is asked on every health check."""
    state = {"ready": False}
    async with serve(ready=lambda: state["ready"]) as api:
        assert (await api.get("/api/health"))[0] == 503
        state["ready"] = True
        assert (await api.get("/api/health"))[0] == 200


async def test_rooms_list_groups_with_tier_region_and_roles(api: Api) -> None:
    """Each room names its group, tier and region; members carry their role in that room."""
    status, rooms = await api.get("/api/rooms")
    assert status == 200
    assert len(rooms) == len(api.server.home.groups)
    nongan = next(r for r in rooms if r["id"] == NONGAN)
    assert nongan["topic"] == "农安县初级农技师工作群"
    assert (nongan["group_id"], nongan["tier"], nongan["region"]) == (
        "nongan-junior", "junior", "nongan")
    assert nongan["area"] == "长春市"
    roles = {m["id"]: m["role"] for m in nongan["members"]}
    assert roles[BOT] == "bot"
    assert roles[ADMIN] == "admin"
    assert roles[EXPERT] == "expert"
    assert roles[TECH] == "member"
    assert all(set(m) >= {"id", "name", "role"} for m in nongan["members"])


async def test_a_message_records_whom_it_mentions(api: Api) -> None:
    """``@name`` of a member in the text, and ids in ``mentions``, are the message's mentions
    (what a WeCom bot, which hears only @-messages, goes by); other ids are refused."""
    world = api.server.world
    bot, expert = world.contact(BOT).name, world.contact(EXPERT).name
    status, body = await api.post(f"/api/rooms/{NONGAN}/messages",
                                  {"from": TECH, "text": f"@{bot}\u2005@{expert} 请看看"})
    assert status == 201 and world.message(body["id"]).mentions == (BOT, EXPERT)
    status, body = await api.post(f"/api/rooms/{NONGAN}/messages",
                                  {"from": TECH, "text": "请看看", "mentions": [ADMIN]})
    assert status == 201 and world.message(body["id"]).mentions == (ADMIN,)
    status, body = await api.post(f"/api/rooms/{NONGAN}/messages",
                                  {"from": TECH, "text": "@某某 你好"})
    assert status == 201 and world.message(body["id"]).mentions == ()
    for wrong in ([OUTSIDER], "x", [1]):
        status, body = await api.post(f"/api/rooms/{NONGAN}/messages",
                                      {"from": TECH, "text": "hi", "mentions": wrong})
        assert status == 400 and "mentions" in body["error"]


async def test_speaking_in_a_room_and_reading_it_back(api: Api) -> None:
    """A member's message gets 201 with its id and reads back with every contract field."""
    status, body = await api.post(f"/api/rooms/{NONGAN}/messages", {"from": TECH, "text": "大家好"})
    assert status == 201
    first = body["id"]
    status, body = await api.post(f"/api/rooms/{NONGAN}/messages",
                                  {"from": ADMIN, "text": "欢迎"})
    assert status == 201
    status, messages = await api.get(f"/api/rooms/{NONGAN}/messages")
    assert status == 200
    assert [m["text"] for m in messages] == ["大家好", "欢迎"]
    message = messages[0]
    assert set(message) >= {"id", "from", "from_name", "type", "text", "title", "url", "file",
                            "mentions", "ts"}
    assert (message["id"], message["from"], message["type"]) == (first, TECH, "text")
    assert message["from_name"] == api.server.world.contact(TECH).name
    assert message["file"] is None and message["mentions"] == []
    status, after = await api.get(f"/api/rooms/{NONGAN}/messages?since={first}")
    assert [m["text"] for m in after] == ["欢迎"]


async def test_cards_and_files_carry_their_fields(api: Api, world: LocalWorld) -> None:
    """A link card has title, url and description; a file in media/ gets a /media/ url."""
    media = api.server.home.paths.media
    media.mkdir(parents=True, exist_ok=True)
    (media / "mushroom.mp4").write_bytes(b"\x00" * 64)
    world.post(NONGAN, BOT, "url", title="香菇栽培", url="https://example.org/v",
               description="吉林农大")
    world.post(NONGAN, BOT, "file", text="mushroom.mp4", file_name="mushroom.mp4",
               file_path=str(media / "mushroom.mp4"), file_size=64)
    _, messages = await api.get(f"/api/rooms/{NONGAN}/messages")
    card, video = messages
    assert (card["type"], card["title"], card["url"], card["description"]) == (
        "url", "香菇栽培", "https://example.org/v", "吉林农大")
    assert video["file"] == {"name": "mushroom.mp4", "size": 64, "url": "/media/mushroom.mp4"}
    status, content = await api.get("/media/mushroom.mp4")
    assert status == 200 and len(content) == 64


async def test_private_chat_with_the_bot(api: Api, world: LocalWorld) -> None:
    """An expert writes to the bot privately; the chat reads back both sides."""
    status, body = await api.post(f"/api/contacts/{EXPERT}/messages", {"text": "#帮助"})
    assert status == 201
    world.post(EXPERT, BOT, "text", text="您好")
    status, messages = await api.get(f"/api/contacts/{EXPERT}/messages")
    assert status == 200
    assert [(m["from"], m["text"]) for m in messages] == [(EXPERT, "#帮助"), (BOT, "您好")]
    _, later = await api.get(f"/api/contacts/{EXPERT}/messages?since={body['id']}")
    assert [m["text"] for m in later] == ["您好"]
    status, people = await api.get("/api/contacts")
    assert status == 200
    assert {"id": EXPERT, "role": "expert"}.items() <= next(
        p for p in people if p["id"] == EXPERT).items()


async def test_join_and_leave(api: Api) -> None:
    """A newcomer joins (201, a system line) and leaves (204, another system line)."""
    status, body = await api.post(f"/api/rooms/{NONGAN}/members",
                                  {"id": "wxid_new_1", "name": "新人小李"})
    assert status == 201
    assert body == {"id": "wxid_new_1", "name": "新人小李", "role": "member"}
    _, rooms = await api.get("/api/rooms")
    members = next(r for r in rooms if r["id"] == NONGAN)["members"]
    assert "wxid_new_1" in [m["id"] for m in members]
    status, _ = await api.call("DELETE", f"/api/rooms/{NONGAN}/members/wxid_new_1")
    assert status == 204
    _, messages = await api.get(f"/api/rooms/{NONGAN}/messages")
    assert [m["type"] for m in messages] == ["system", "system"]
    assert "新人小李" in messages[0]["text"] and "退出" in messages[1]["text"]


LONG = "稻" * 4001

BAD_REQUESTS = [
    ("unknown room", "POST", "/api/rooms/room-nowhere@chatroom/messages",
     {"from": TECH, "text": "hi"}, None, 404),
    ("unknown sender", "POST", f"/api/rooms/{NONGAN}/messages",
     {"from": "wxid_nobody", "text": "hi"}, None, 400),
    ("sender not in room", "POST", f"/api/rooms/{NONGAN}/messages",
     {"from": OUTSIDER, "text": "hi"}, None, 403),
    ("speaking as the bot", "POST", f"/api/rooms/{NONGAN}/messages",
     {"from": BOT, "text": "hi"}, None, 400),
    ("empty text", "POST", f"/api/rooms/{NONGAN}/messages", {"from": TECH, "text": "  "}, None,
     400),
    ("oversized text", "POST", f"/api/rooms/{NONGAN}/messages", {"from": TECH, "text": LONG},
     None, 400),
    ("missing text", "POST", f"/api/rooms/{NONGAN}/messages", {"from": TECH}, None, 400),
    ("text not a string", "POST", f"/api/rooms/{NONGAN}/messages", {"from": TECH, "text": 5},
     None, 400),
    ("from not a string", "POST", f"/api/rooms/{NONGAN}/messages",
     {"from": ["x"], "text": "hi"}, None, 400),
    ("body not an object", "POST", f"/api/rooms/{NONGAN}/messages", ["hi"], None, 400),
    ("bad json", "POST", f"/api/rooms/{NONGAN}/messages", None, b"{not json", 400),
    ("not utf-8", "POST", f"/api/rooms/{NONGAN}/messages", None, b"\xff\xfe", 400),
    ("bad since", "GET", f"/api/rooms/{NONGAN}/messages?since=abc", None, None, 400),
    ("negative since", "GET", f"/api/rooms/{NONGAN}/messages?since=-1", None, None, 400),
    ("two sinces", "GET", f"/api/rooms/{NONGAN}/messages?since=1&since=2", None, None, 400),
    ("unknown room read", "GET", "/api/rooms/nowhere/messages", None, None, 404),
    ("private to unknown", "POST", "/api/contacts/wxid_nobody/messages", {"text": "hi"}, None,
     404),
    ("private as the bot", "POST", f"/api/contacts/{BOT}/messages", {"text": "hi"}, None, 400),
    ("private empty", "POST", f"/api/contacts/{EXPERT}/messages", {"text": ""}, None, 400),
    ("private oversized", "POST", f"/api/contacts/{EXPERT}/messages", {"text": LONG}, None, 400),
    ("private bad since", "GET", f"/api/contacts/{EXPERT}/messages?since=1.5", None, None, 400),
    ("private read unknown", "GET", "/api/contacts/wxid_nobody/messages", None, None, 404),
    ("join bad id", "POST", f"/api/rooms/{NONGAN}/members", {"id": "a b|c", "name": "x"}, None,
     400),
    ("join without name", "POST", f"/api/rooms/{NONGAN}/members", {"id": "wxid_new"}, None, 400),
    ("join name too long", "POST", f"/api/rooms/{NONGAN}/members",
     {"id": "wxid_new", "name": "长" * 33}, None, 400),
    ("join already in", "POST", f"/api/rooms/{NONGAN}/members", {"id": TECH, "name": "x"}, None,
     409),
    ("join unknown room", "POST", "/api/rooms/nowhere/members", {"id": "wxid_n", "name": "x"},
     None, 404),
    ("join bad json", "POST", f"/api/rooms/{NONGAN}/members", None, b"[", 400),
    ("leave not a member", "DELETE", f"/api/rooms/{NONGAN}/members/{OUTSIDER}", None, None,
     404),
    ("leave unknown room", "DELETE", f"/api/rooms/nowhere/members/{TECH}", None, None, 404),
    ("unknown route", "GET", "/api/nothing", None, None, 404),
    ("wrong method", "PUT", "/api/rooms", None, None, 405),
    # a message may carry an upload (tests/simulator/test_uploads.py); others stay small
    ("body too large", "POST", f"/api/rooms/{NONGAN}/members", None, b"x" * 70_000, 413),
]


@pytest.mark.parametrize(("method", "path", "body", "raw", "status"),
                         [case[1:] for case in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS])
async def test_invalid_input_gets_a_json_error_and_never_reaches_the_world(
        api: Api, world: LocalWorld, method: str, path: str, body: Any, raw: bytes | None,
        status: int) -> None:
    """Each bad request gets its 4xx with {"error": ...}; the world hears nothing."""
    heard: list[object] = []
    world.subscribe(heard.append)
    got, answer = await api.call(method, path, body, raw=raw)
    assert got == status
    assert isinstance(answer, dict) and isinstance(answer.get("error"), str) and answer["error"]
    assert heard == []


async def test_events_stream_delivers_new_messages_and_membership(api: Api) -> None:
    """An open /api/events stream gets a data line for a new message and for a join."""
    async with api.http.get(api.base + "/api/events") as stream:
        assert stream.status == 200
        assert stream.content_type == "text/event-stream"
        await api.post(f"/api/rooms/{NONGAN}/messages", {"from": TECH, "text": "有人吗"})
        await api.post(f"/api/rooms/{NONGAN}/members", {"id": "wxid_new_2", "name": "小王"})
        await api.post(f"/api/contacts/{EXPERT}/messages", {"text": "私聊"})
        events = await asyncio.wait_for(_read_events(stream, 4), TIMEOUT)
    message, system, members, private = events
    assert message["kind"] == "message" and message["room_id"] == NONGAN
    assert message["message"]["text"] == "有人吗" and message["message"]["from"] == TECH
    assert system["kind"] == "message" and system["message"]["type"] == "system"
    assert members["kind"] == "members" and members["joined"] is True
    assert members["member_ids"] == ["wxid_new_2"]
    assert private["kind"] == "private" and private["contact_id"] == EXPERT


async def _read_events(stream: Any, count: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while len(events) < count:
        line = (await stream.content.readline()).decode()
        if line.startswith("data: "):
            events.append(json.loads(line.removeprefix("data: ")))
    return events


async def test_shutdown_ends_open_event_streams(serve: Callable[..., Any]) -> None:
    """Leaving the server's context closes event streams instead of hanging on them."""
    async with serve() as api:
        stream = await api.http.get(api.base + "/api/events")
        await stream.content.readline()  # the stream is open
        exiting = asyncio.create_task(api.server.__aexit__(None, None, None))
        rest = await asyncio.wait_for(stream.content.read(), TIMEOUT)
        await asyncio.wait_for(exiting, TIMEOUT)
        stream.release()
        assert b"data:" not in rest


async def test_token_guards_every_api_call(serve: Callable[..., Any]) -> None:
    """With a token, /api answers 401 without it and works with a Bearer header or ?token=."""
    async with serve(token="s3cret") as api:
        status, body = await api.get("/api/rooms")
        assert status == 401 and "error" in body
        assert (await api.get("/api/rooms", headers={"Authorization": "Bearer wrong"}))[0] == 401
        assert (await api.get("/api/rooms", headers={"Authorization": "Bearer s3cret"}))[0] == 200
        assert (await api.get("/api/health?token=s3cret"))[0] == 200
        assert (await api.get("/api/events?token=nope"))[0] == 401
        assert (await api.post(f"/api/rooms/{NONGAN}/messages?token=s3cret",
                               {"from": TECH, "text": "hi"}))[0] == 201
        status, page = await api.get("/")
        assert status == 200 and "<html" in page  # the page loads, then sends the token itself
        assert "token=s3cret" in api.server.url


def test_refuses_a_public_host_without_a_token(world: LocalWorld, home: Any) -> None:
    """Binding beyond loopback without a token is refused before anything listens."""
    with pytest.raises(ValueError, match="令牌"):
        SimulatorServer(world, home, host="0.0.0.0")
    SimulatorServer(world, home, host="0.0.0.0", token="t")  # with a token it is allowed
    SimulatorServer(world, home, host="::1")  # loopback needs none


async def test_media_never_escapes_its_folder(api: Api) -> None:
    """Paths that climb out of content_library/media/ are 404, whatever their spelling."""
    home = api.server.home
    (home.paths.content / "secret.txt").write_text("secret")
    home.paths.media.mkdir(parents=True, exist_ok=True)
    (home.paths.media / "link").symlink_to(home.paths.content / "secret.txt")
    for path in ("/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/%2E%2E%2Fsecret.txt",
                 "/media/link", "/media/nothing.mp4", "/media/a%00b"):
        async with api.http.get(URL(api.base + path, encoded=True)) as resp:
            assert resp.status == 404, path
            assert "secret" not in await resp.text()


async def test_page_and_its_files_are_served(api: Api) -> None:
    """The page and its script and style come from the package; nothing else under /static/."""
    status, page = await api.get("/")
    assert status == 200 and "/static/app.js" in page and "/static/app.css" in page
    assert (await api.get("/static/app.js"))[0] == 200
    assert (await api.get("/static/app.css"))[0] == 200
    assert (await api.get("/static/server.py"))[0] == 404
