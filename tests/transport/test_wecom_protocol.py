"""Each assumption bot/transport/wecom_protocol.py makes about the WeCom long-connection protocol
and the official SDK, pinned against the unmodified SDK over a small TLS WebSocket server here:
when an upgrade changes a frame shape or a quirk, a test fails and the module says what to fix."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tomllib
from collections.abc import AsyncIterator, Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.transport import wecom_protocol as wp
from bot.wecom_fake.tls import certificate
from tests.conftest import REPO
from tests.transport.conftest import TIMEOUT

SECRET = "s3cret-value"
BOT_ID = "aib-test-bot"


class Server:
    """A TLS WebSocket server that records every frame; subscribe and ping are acked with
    ``auth_code`` / 0, everything else waits for the test to answer."""

    def __init__(self, folder: Path) -> None:
        self.cert = certificate(folder)
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sockets: list[web.WebSocketResponse] = []
        self.connected: asyncio.Queue[web.WebSocketResponse] = asyncio.Queue()
        self.closed: asyncio.Queue[int | None] = asyncio.Queue()
        self.auth_code = wp.OK
        self.files: dict[str, tuple[bytes, str]] = {}
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Server:
        app = web.Application()
        app.router.add_get("/", self._ws)
        app.router.add_get("/media/{name}", self._media)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0,
                           ssl_context=self.cert.server_context())
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._runner is not None
        for ws in self.sockets:  # a closing handshake each, rather than the runner's timeout
            await ws.close(code=wp.CLOSE_RESTART)
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"wss://127.0.0.1:{self.port}/"

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await self.connected.put(ws)
        async for raw in ws:
            frame = json.loads(raw.data)
            await self.frames.put(frame)
            if frame.get("cmd") == wp.SUBSCRIBE:
                await ws.send_json(wp.ack(wp.req_id(frame), self.auth_code,
                                          "ok" if self.auth_code == wp.OK else "invalid secret"))
                if self.auth_code != wp.OK:
                    await ws.close(code=wp.CLOSE_POLICY)
            elif frame.get("cmd") == wp.PING:
                await ws.send_json(wp.ack(wp.req_id(frame)))
        await self.closed.put(ws.close_code)
        return ws

    async def _media(self, request: web.Request) -> web.Response:
        data, name = self.files[request.match_info["name"]]
        return web.Response(body=data, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{name}"})

    async def next_frame(self, cmd: str | None = None) -> dict[str, Any]:
        while True:
            frame = await asyncio.wait_for(self.frames.get(), TIMEOUT)
            if cmd is None or frame.get("cmd") == cmd:
                return frame


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    async with Server(tmp_path / "tls") as running:
        yield running


def client(url: str, **options: Any) -> wp.WSClient:
    options.setdefault("max_reconnect_attempts", 0)
    options.setdefault("reconnect_interval", 10)
    sdk = wp.WSClient(wp.WSClientOptions(bot_id=BOT_ID, secret=SECRET, ws_url=url,
                                         logger=_Quiet(), **options))
    sdk.on("error", lambda _error: None)  # quirk 10
    return sdk


def test_an_error_nobody_listens_to_raises() -> None:
    """pyee raises an 'error' that has no listener (quirk 10), inside whatever task emitted it."""
    bare = wp.WSClient(wp.WSClientOptions(bot_id=BOT_ID, secret=SECRET, logger=_Quiet()))
    with pytest.raises(Exception, match="Max reconnect attempts exceeded"):
        bare.emit("error", Exception("Max reconnect attempts exceeded"))


class _Quiet:
    def debug(self, message: str, *args: object) -> None: ...
    def info(self, message: str, *args: object) -> None: ...
    def warn(self, message: str, *args: object) -> None: ...
    def error(self, message: str, *args: object) -> None: ...


def waiter(sdk: wp.WSClient, event: str) -> asyncio.Future[Any]:
    """A future set by the first ``event`` the client emits (its first argument, if any)."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def seen(*args: Any) -> None:
        if not future.done():
            future.set_result(args[0] if args else None)
    sdk.on(event, seen)
    return future


async def connected(server: Server, **options: Any) -> wp.WSClient:
    """A client of ``server`` that trusts it, subscribed."""
    wp.trust_certificate(server.cert.cert)
    sdk = client(server.url, **options)
    authenticated = waiter(sdk, "authenticated")
    await sdk.connect()
    await asyncio.wait_for(authenticated, TIMEOUT)
    return sdk


# --- the pinned SDK ------------------------------------------------------------------------------


def test_the_sdk_is_the_pinned_version() -> None:
    """pyproject pins 1.0.2, it is installed, and its module still says 1.0.0 (quirk 1)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"{wp.SDK_DISTRIBUTION}=={wp.SDK_PINNED}" in project["project"]["dependencies"]
    assert wp.SDK_VERSION == wp.SDK_PINNED
    assert wp.SDK_MODULE_VERSION == "1.0.0"


def test_importing_the_sdk_warns_and_the_module_keeps_it_quiet() -> None:
    """A bare ``import aibot`` fails under -W error (quirk 2); the protocol module does not,
    and it imports alongside python-wechaty, whose pyee<12 meets the SDK's pyee>=11."""
    bare = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c",
                           "import aibot"], capture_output=True, text=True, timeout=120)
    assert bare.returncode != 0
    assert "WebSocketClientProtocol is deprecated" in bare.stderr
    ours = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c",
                           "import bot.transport.wecom_protocol"], capture_output=True,
                          text=True, timeout=120, cwd=REPO)
    assert ours.returncode == 0, ours.stderr
    from bot.transport import wechaty_compat  # noqa: F401  (both in one process)
    assert metadata.version("pyee").startswith("11.")


def test_names_agree_with_the_sdk() -> None:
    """Commands, message and event types are the SDK's; disconnected_event is one it lacks."""
    cmd = wp.aibot.WsCmd
    assert (wp.SUBSCRIBE, wp.PING, wp.RESPOND_MSG, wp.RESPOND_WELCOME, wp.RESPOND_UPDATE,
            wp.SEND_MSG, wp.MSG_CALLBACK, wp.EVENT_CALLBACK) == (
        cmd.SUBSCRIBE, cmd.HEARTBEAT, cmd.RESPONSE, cmd.RESPONSE_WELCOME, cmd.RESPONSE_UPDATE,
        cmd.SEND_MSG, cmd.CALLBACK, cmd.EVENT_CALLBACK)
    assert {m.value for m in wp.aibot.MessageType} == {wp.TEXT, wp.IMAGE, wp.MIXED, wp.VOICE,
                                                       wp.FILE}
    events = {e.value for e in wp.aibot.EventType}
    assert events == {wp.ENTER_CHAT, wp.TEMPLATE_CARD_EVENT, wp.FEEDBACK_EVENT}
    assert wp.DISCONNECTED_EVENT not in events  # quirk 4


def test_frame_envelope() -> None:
    """parse() takes a frame with a req_id and refuses anything else, each with its reason."""
    good = wp.frame(wp.PING, "ping_1")
    assert wp.parse(json.dumps(good)) == {"cmd": "ping", "headers": {"req_id": "ping_1"}}
    assert wp.ack("r1", wp.UNKNOWN_CHAT, "no chat") == {
        "headers": {"req_id": "r1"}, "errcode": 86003, "errmsg": "no chat"}
    for raw, reason in [("{", "not JSON"), ("[1]", "not a JSON object"),
                        ('{"cmd": "ping"}', "no headers.req_id"),
                        ('{"cmd": 1, "headers": {"req_id": "x"}}', "cmd is not a string")]:
        with pytest.raises(wp.BadFrame, match=reason):
            wp.parse(raw)
    assert {wp.BUSY, wp.RATE_LIMITED} == wp.RETRYABLE


def test_ws_url_from_the_environment() -> None:
    """AGRIBOT_WECOM_WS_URL points the client elsewhere; unset or blank, Tencent's address."""
    assert wp.ws_url({}) == "wss://openws.work.weixin.qq.com"
    assert wp.ws_url({wp.WS_URL_ENV: " "}) == wp.DEFAULT_WS_URL
    assert wp.ws_url({wp.WS_URL_ENV: "wss://127.0.0.1:9/"}) == "wss://127.0.0.1:9/"


@pytest.mark.parametrize("size", [0, 1, 15, 16, 31, 32, 33, 1000])
def test_media_encryption_round_trips_through_the_sdk(size: int) -> None:
    """encrypt_media is what the SDK's decrypt_file undoes, keys without '=' included."""
    data = bytes(range(256)) * 4
    data = data[:size]
    key = wp.new_aes_key()
    assert len(key) == 43 and "=" not in key
    sealed = wp.encrypt_media(data, key)
    assert (len(sealed) % wp.PAD_BLOCK == 0 and sealed[:size] != data[:size]) or size == 0
    assert wp.decrypt_file(sealed, key) == data
    with pytest.raises(RuntimeError):
        wp.decrypt_file(sealed, wp.new_aes_key())


def test_a_short_key_is_refused() -> None:
    """An aeskey that is not 32 bytes is a programming error, said at once."""
    with pytest.raises(ValueError, match="32 bytes"):
        wp.encrypt_media(b"x", "c2hvcnQ")


# --- over a socket -------------------------------------------------------------------------------


async def test_the_sdk_refuses_plain_ws() -> None:
    """ws:// fails before any connection: the SDK passes an SSL context for every URL (quirk 3)."""
    sdk = client("ws://127.0.0.1:9/")
    error = waiter(sdk, "error")
    await sdk.connect()
    assert "ssl argument is incompatible with a ws:// URI" in str(await asyncio.wait_for(
        error, TIMEOUT))


async def test_an_untrusted_certificate_is_refused(server: Server) -> None:
    """Without trust_certificate the fake's self-signed certificate fails verification."""
    sdk = client(server.url)
    error = waiter(sdk, "error")
    await sdk.connect()
    assert "CERTIFICATE_VERIFY_FAILED" in str(await asyncio.wait_for(error, TIMEOUT))


async def test_subscribe_and_ping_frames(server: Server) -> None:
    """The SDK subscribes with bot_id and secret and pings with req_ids the acks echo."""
    sdk = await connected(server, heartbeat_interval=20)
    subscribe = await server.next_frame(wp.SUBSCRIBE)
    assert subscribe == {"cmd": "aibot_subscribe",
                         "headers": {"req_id": subscribe["headers"]["req_id"]},
                         "body": {"bot_id": BOT_ID, "secret": SECRET}}
    assert wp.req_id(subscribe).startswith("aibot_subscribe_")
    ping = await server.next_frame(wp.PING)
    assert set(ping) == {"cmd", "headers"} and wp.req_id(ping).startswith("ping_")
    await server.next_frame(wp.PING)  # acked pings keep it beating
    assert sdk._ws_manager._missed_pong_count <= 1
    sdk.disconnect()


async def test_a_refused_subscription_only_emits_error_and_reconnects(server: Server) -> None:
    """A nonzero subscribe ack is an 'error' event; the server's close makes it reconnect."""
    server.auth_code = wp.INVALID_SECRET
    wp.trust_certificate(server.cert.cert)
    sdk = client(server.url, max_reconnect_attempts=1)
    error = waiter(sdk, "error")
    await sdk.connect()
    assert str(await asyncio.wait_for(error, TIMEOUT)) == \
        "Authentication failed: invalid secret (code: 40001)"
    await server.next_frame(wp.SUBSCRIBE)
    await server.next_frame(wp.SUBSCRIBE)  # the reconnect, bounded by max_reconnect_attempts
    sdk.disconnect()


async def test_callbacks_reach_handlers_as_sent(server: Server) -> None:
    """A msg_callback is emitted as 'message' and 'message.<type>' unchanged; an event as
    'event.<eventtype>'; a body without msgtype is dropped (quirk 7)."""
    sdk = await connected(server)
    texts, events = waiter(sdk, "message.text"), waiter(sdk, "event.enter_chat")
    ws = server.sockets[0]
    body = wp.message_body(msgid="m1", aibotid=BOT_ID, chattype=wp.GROUP, userid="u1",
                           msgtype=wp.TEXT, content={"content": "@农技助手 你好"}, chatid="c1")
    callback = wp.frame(wp.MSG_CALLBACK, "cb_1", body)
    await ws.send_json(wp.frame(wp.EVENT_CALLBACK, "cb_0", {"event": {"eventtype": "x"}}))
    await ws.send_json(callback)
    event = wp.frame(wp.EVENT_CALLBACK, "cb_2", wp.event_body(
        msgid="e1", aibotid=BOT_ID, eventtype=wp.ENTER_CHAT, create_time=1, userid="u1"))
    await ws.send_json(event)
    assert await asyncio.wait_for(texts, TIMEOUT) == callback
    assert await asyncio.wait_for(events, TIMEOUT) == event
    assert callback["body"]["from"] == {"userid": "u1"} and body["text"]["content"]
    sdk.disconnect()


async def test_replies_and_sends_and_their_acks(server: Server) -> None:
    """reply_stream carries the callback's req_id and a stream body; send_message its own
    aibot_send_msg req_id and chatid; a nonzero ack raises with the code (quirk 6)."""
    sdk = await connected(server)
    ws = server.sockets[0]
    callback = wp.frame(wp.MSG_CALLBACK, "cb_9", {})
    reply = asyncio.ensure_future(sdk.reply_stream(callback, "st1", "**答**", finish=True))
    respond = await server.next_frame(wp.RESPOND_MSG)
    assert respond == {"cmd": "aibot_respond_msg", "headers": {"req_id": "cb_9"},
                       "body": {"msgtype": "stream",
                                "stream": {"id": "st1", "finish": True, "content": "**答**"}}}
    await ws.send_json(wp.ack("cb_9"))
    assert (await asyncio.wait_for(reply, TIMEOUT))["errcode"] == 0

    send = asyncio.ensure_future(sdk.send_message("c1", {"msgtype": wp.MARKDOWN,
                                                         "markdown": {"content": "推送"}}))
    sent = await server.next_frame(wp.SEND_MSG)
    assert wp.req_id(sent).startswith("aibot_send_msg_")
    assert sent["body"] == {"chatid": "c1", "msgtype": "markdown",
                            "markdown": {"content": "推送"}}
    await ws.send_json(wp.ack(wp.req_id(sent), wp.UNKNOWN_CHAT, "unknown chatid"))
    with pytest.raises(RuntimeError, match="errcode=86003, errmsg=unknown chatid"):
        await asyncio.wait_for(send, TIMEOUT)
    assert sdk._ws_manager._reply_ack_timeout == 5.0
    sdk.disconnect()


async def test_a_closed_socket_fails_pending_replies(server: Server) -> None:
    """A reply still waiting for its ack when the socket closes (with a code other than 1000
    or 1001) raises RuntimeError at once."""
    sdk = await connected(server)
    send = asyncio.ensure_future(sdk.send_message("c1", {"msgtype": wp.MARKDOWN,
                                                         "markdown": {"content": "x"}}))
    await server.next_frame(wp.SEND_MSG)
    await server.sockets[0].close(code=wp.CLOSE_RESTART)
    with pytest.raises(RuntimeError, match="WebSocket connection closed"):
        await asyncio.wait_for(send, TIMEOUT)
    sdk.disconnect()


async def _kick(server: Server, sdk: wp.WSClient) -> None:
    ws = server.sockets[-1]
    await ws.send_json(wp.frame(wp.EVENT_CALLBACK, "ev_kick", wp.event_body(
        msgid="k1", aibotid=BOT_ID, eventtype=wp.DISCONNECTED_EVENT, create_time=1)))


async def test_a_replaced_client_reconnects_unless_it_disconnects(server: Server) -> None:
    """disconnected_event then a close: the SDK alone reconnects (fighting back, quirk 4);
    calling disconnect() in the event's handler closes it for good."""
    sdk = await connected(server, max_reconnect_attempts=1)
    reconnecting = waiter(sdk, "reconnecting")
    await _kick(server, sdk)
    await server.sockets[0].close(code=wp.CLOSE_POLICY)
    assert await asyncio.wait_for(reconnecting, TIMEOUT) == 1
    await asyncio.wait_for(server.connected.get(), TIMEOUT)
    await asyncio.wait_for(server.connected.get(), TIMEOUT)  # the second connection
    sdk.disconnect()

    polite = await connected(server)
    kicked = waiter(polite, "event.disconnected_event")
    stop: Callable[[Any], None] = lambda _frame: polite.disconnect()  # noqa: E731
    polite.on("event.disconnected_event", stop)
    await _kick(server, polite)
    await asyncio.wait_for(kicked, TIMEOUT)
    await server.sockets[-1].close(code=wp.CLOSE_POLICY)
    receiving = polite._ws_manager._receive_task
    if receiving is not None:
        await asyncio.wait_for(asyncio.gather(receiving, return_exceptions=True), TIMEOUT)
    assert polite._ws_manager._is_manual_close and polite._ws_manager._reconnect_attempts == 0
    assert len(server.sockets) == 3  # nobody came back


@pytest.mark.parametrize("code", [1000, 1001])
async def test_a_normal_close_leaves_the_sdk_silently_closed(server: Server, code: int) -> None:
    """After a close with 1000 or 1001 the receive loop just ends: no 'disconnected', no
    reconnect (quirk 9), which is why the fake never closes with those."""
    sdk = await connected(server, max_reconnect_attempts=3)
    gone = waiter(sdk, "disconnected")
    receiving = sdk._ws_manager._receive_task
    await server.sockets[0].close(code=code)
    await asyncio.wait_for(receiving, TIMEOUT)
    assert not gone.done() and not sdk.is_connected
    assert sdk._ws_manager._reconnect_attempts == 0
    sdk.disconnect()


async def test_a_restart_close_makes_the_sdk_reconnect(server: Server) -> None:
    """A close with CLOSE_RESTART is a 'disconnected' event and a reconnect."""
    sdk = await connected(server, max_reconnect_attempts=3)
    gone, back = waiter(sdk, "disconnected"), waiter(sdk, "reconnecting")
    await server.sockets[0].close(code=wp.CLOSE_RESTART)
    assert "1012" in await asyncio.wait_for(gone, TIMEOUT)
    assert await asyncio.wait_for(back, TIMEOUT) == 1
    await server.next_frame(wp.SUBSCRIBE)
    await server.next_frame(wp.SUBSCRIBE)
    sdk.disconnect()


async def test_download_file_decrypts_what_the_server_encrypted(server: Server) -> None:
    """The SDK downloads a media URL over the trusted TLS and decrypts it with the message's
    aeskey into the original bytes, with the Content-Disposition file name."""
    sdk = await connected(server)
    original = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
    key = wp.new_aes_key()
    server.files["a1"] = (wp.encrypt_media(original, key), "绿霉.png")
    data, name = await sdk.download_file(f"https://127.0.0.1:{server.port}/media/a1", key)
    assert (data, name) == (original, "绿霉.png")
    assert wp.decrypt_media(server.files["a1"][0], key) == original
    sdk.disconnect()
