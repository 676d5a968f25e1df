"""The local simulator's HTTP API and page, served inside the bot's event loop (DESIGN.md §4, §6).

``async with SimulatorServer(world, home, port=8080, ready=adapter_ready):`` serves the JSON API
over a :class:`~bot.transport.local_world.LocalWorld`, a server-sent event stream of everything
that happens in it, the page in ``static/`` and the home's local media files. People speak
through the same world calls the tests use, so the bot sees them exactly as it sees WeChat.

Every request body is checked here; a bad one gets a 4xx with ``{"error": ...}`` and never
reaches the world (or the bot). Off loopback the server refuses to start without a token.

``accounts`` are the bot accounts this process serves (``agribot run --account B``): the page
shows their rooms and their private chats only, one private chat per bot and person.
"""

from __future__ import annotations

import asyncio
import heapq
import hmac
import ipaddress
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from bot import messages as msg
from bot.broadcast import Broadcast
from bot.config import Home
from bot.simulator import uploads
from bot.simulator.errors import ApiError
from bot.simulator.page import index_html
from bot.simulator.shapes import Json, Shapes
from bot.transport.local_world import Event, LocalWorld, Message, Room, WorldError, bot_contact_id
from bot.transport.text import parse_mentions

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_TEXT = 4000  # characters; WeChat itself caps a text message at a few thousand
MAX_BODY = 64 * 1024
MAX_NAME = 32
CONTACT_ID = re.compile(r"[A-Za-z0-9_@.\-]{1,64}")
HEARTBEAT_SECONDS = 15.0  # a comment line that keeps proxies from closing an idle stream
STREAM_BACKLOG = 1000  # a client this far behind is dropped; its EventSource reconnects

Ready = Callable[[], bool] | asyncio.Event | None
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimulatorServer:
    """The simulator's web server; ``.port`` is the bound port once entered."""

    def __init__(self, world: LocalWorld, home: Home, *, host: str = "127.0.0.1",
                 port: int = 8080, token: str | None = None, ready: Ready = None,
                 accounts: Sequence[str] | None = None,
                 routes: Sequence[web.RouteDef] = ()) -> None:
        if not is_loopback(host) and not token:
            raise ValueError(msg.SIM_NEEDS_TOKEN.format(host=host))
        self.world = world
        self.home = home
        self.host = host
        self.port = port
        self.token = token or None
        self._ready = ready
        # None: every bot of the world, every room (a world built by hand may have rooms
        # without a bot)
        self._served = None if accounts is None else frozenset(map(bot_contact_id, accounts))
        self.bots = [b for b in world.bots() if self._served is None or b in self._served]
        self.shapes = Shapes(world, home, self.bots)
        self._routes = list(routes)  # the bot's own pages served here too (tracked links)
        self._events: Broadcast[bytes] = Broadcast(
            "simulator", backlog=STREAM_BACKLOG, heartbeat_seconds=HEARTBEAT_SECONDS,
            heartbeat=b": ping\n\n")
        self._unsubscribe: Callable[[], None] | None = None
        self._runner: web.AppRunner | None = None

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> SimulatorServer:
        runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self._unsubscribe = self.world.subscribe(self._on_world)
        log.info("simulator at %s", self.url)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._events.close()  # open event streams end now instead of holding up the shutdown
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    def is_ready(self) -> bool:
        if self._ready is None:
            return True
        if isinstance(self._ready, asyncio.Event):
            return self._ready.is_set()
        return bool(self._ready())

    def app(self) -> web.Application:
        # an upload may be large; every other body is held to MAX_BODY by _body()
        app = web.Application(middlewares=[self._errors, self._auth],
                              client_max_size=uploads.MAX_BODY)
        app.router.add_get("/", self.page)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/media/{path:.+}", self.media)
        app.router.add_get("/uploads/{path:.+}", self.uploaded)
        api = [
            web.get("/api/health", self.health),
            web.get("/api/info", self.info),
            web.get("/api/rooms", self.list_rooms),
            web.get("/api/rooms/{room_id}/messages", self.room_messages),
            web.post("/api/rooms/{room_id}/messages", self.speak),
            web.post("/api/rooms/{room_id}/members", self.join),
            web.delete("/api/rooms/{room_id}/members/{contact_id}", self.leave),
            web.get("/api/contacts", self.list_contacts),
            web.get("/api/contacts/{contact_id}/messages", self.private_messages),
            web.post("/api/contacts/{contact_id}/messages", self.speak_private),
            web.get("/api/events", self.events),
        ]
        app.router.add_routes(api)
        app.router.add_routes(self._routes)
        return app

    # --- middleware ------------------------------------------------------------------------------

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        guarded = request.path.startswith(("/api/", "/media/", "/uploads/"))
        try:
            return await handler(request)
        except ApiError as exc:
            return _error(exc.status, exc.message)
        except web.HTTPException as exc:
            if not guarded or exc.status < 400:
                raise
            return _error(exc.status, _HTTP_MESSAGES.get(exc.status, exc.reason))
        except Exception:
            log.exception("simulator: %s %s failed", request.method, request.path)
            return _error(500, msg.SIM_ERR_INTERNAL)

    @web.middleware
    async def _auth(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self.token and request.path.startswith(("/api/", "/media/", "/uploads/")):
            given = request.query.get("token", "")
            header = request.headers.get("Authorization", "")
            if header.startswith("Bearer "):
                given = header.removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                raise ApiError(401, msg.SIM_ERR_UNAUTHORIZED)
        return await handler(request)

    # --- page and files --------------------------------------------------------------------------

    async def page(self, _request: web.Request) -> web.StreamResponse:
        return web.Response(text=index_html(self.home), content_type="text/html",
                            headers=_NO_CACHE)

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in _STATIC_FILES:
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC / name, headers=_NO_CACHE)

    async def media(self, request: web.Request) -> web.StreamResponse:
        return _file_under(self.home.paths.media, request.match_info["path"])

    async def uploaded(self, request: web.Request) -> web.StreamResponse:
        """What members sent through the page or the API, so the page can show it."""
        return _file_under(self.shapes.uploads, request.match_info["path"])

    # --- API: reading ----------------------------------------------------------------------------

    async def health(self, _request: web.Request) -> web.Response:
        if self.is_ready():
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "starting"}, status=503)

    async def info(self, _request: web.Request) -> web.Response:
        bots = [self.world.contact(b) for b in self.bots]
        return web.json_response({
            "timezone": self.home.bot.timezone,
            "province": self.home.regions[self.home.province_id].name,
            "bots": [{"id": b.id, "name": b.name} for b in bots],
        })

    async def list_rooms(self, _request: web.Request) -> web.Response:
        return _json([self.shapes.room(r) for r in self.world.rooms() if self._shows(r)])

    async def room_messages(self, request: web.Request) -> web.Response:
        room = self._room(request)
        since = _since(request)
        return _json([self.shapes.message(m) for m in self.world.messages(room.id, since)])

    async def list_contacts(self, _request: web.Request) -> web.Response:
        return _json(self.shapes.private_contacts())

    async def private_messages(self, request: web.Request) -> web.Response:
        contact = self._person(request.match_info["contact_id"], status=404)
        since = _since(request)
        bots = [self._bot(request.query["bot"])] if "bot" in request.query else self.bots
        chats = [self.world.private_messages(contact, since, bot_id=b) for b in bots]
        return _json([self.shapes.message(m)
                      for m in heapq.merge(*chats, key=lambda m: m.id)])

    # --- API: acting -----------------------------------------------------------------------------

    async def speak(self, request: web.Request) -> web.Response:
        """A member says something, or sends a photo, video or file (``media``)."""
        room = self._room(request)
        body = await _body(request, limit=uploads.MAX_BODY)
        sender = self._person(_field(body, "from"), status=400)
        upload = _upload(body)
        text = _text(body) if upload is None else ""
        if sender not in room.member_ids:
            raise ApiError(403, msg.SIM_ERR_NOT_MEMBER.format(name=self._name(sender)))
        if upload is None:
            said = self.world.speak(room.id, sender, text, self._mentions(room, body, text))
            return web.json_response({"id": said}, status=201)
        return self._post(room.id, sender, upload, None)

    async def speak_private(self, request: web.Request) -> web.Response:
        """A contact writes to a bot privately, or sends it a photo, video or file."""
        contact = self._person(request.match_info["contact_id"], status=404)
        body = await _body(request, limit=uploads.MAX_BODY)
        upload = _upload(body)
        bot = self._bot(_field(body, "bot", required=False))  # none given: the first bot
        if upload is not None:
            return self._post(contact, contact, upload, bot)
        said = self.world.speak_private(contact, _text(body), bot_id=bot)
        return web.json_response({"id": said}, status=201)

    def _post(self, chat: str, who: str, upload: uploads.Upload, bot: str | None) -> web.Response:
        path = str(uploads.store(upload, self.shapes.uploads))
        sent = self.world.post(chat, who, upload.kind, bot_id=bot, text=upload.name,
                               file_name=upload.name, file_path=path, file_size=len(upload.data))
        return web.json_response({"id": sent.id}, status=201)

    async def join(self, request: web.Request) -> web.Response:
        room = self._room(request)
        body = await _body(request)
        contact_id = _field(body, "id")
        if not CONTACT_ID.fullmatch(contact_id):
            raise ApiError(400, msg.SIM_ERR_BAD_ID)
        known = self.world.has_contact(contact_id)
        name = _field(body, "name", required=not known).strip()
        if (not known and not name) or len(name) > MAX_NAME:
            raise ApiError(400, msg.SIM_ERR_NAME.format(limit=MAX_NAME))
        if known and self.world.contact(contact_id).role == "bot":
            raise ApiError(400, msg.SIM_ERR_BOT_SENDER)
        if contact_id in room.member_ids:
            raise ApiError(409, msg.SIM_ERR_ALREADY_MEMBER.format(name=self._name(contact_id)))
        self.world.join(room.id, contact_id, name or None)
        member = self.shapes.member(room, self.world.contact(contact_id))
        return web.json_response(member, status=201)

    async def leave(self, request: web.Request) -> web.Response:
        room = self._room(request)
        contact_id = request.match_info["contact_id"]
        if contact_id not in room.member_ids:
            raise ApiError(404, msg.SIM_ERR_NOT_MEMBER.format(name=self._name(contact_id)))
        self.world.leave(room.id, contact_id)
        return web.Response(status=204)

    # --- API: live events ------------------------------------------------------------------------

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no"})
        with self._events.subscribe() as events:
            try:
                await response.prepare(request)
                await response.write(b"retry: 2000\n\n")
                async for chunk in events:
                    await response.write(chunk)
            except (ConnectionResetError, ConnectionError):
                log.debug("simulator: an event stream's client went away")
        return response

    def _on_world(self, event: Event) -> None:
        # Runs inside the world's own calls (a member speaking, the bot sending); the world
        # logs a failure here without breaking the call.
        if self._events and self._shows_event(event):
            data = json.dumps(self.shapes.event(event), ensure_ascii=False)
            self._events.publish(f"data: {data}\n\n".encode())

    # --- checks ----------------------------------------------------------------------------------

    def _shows(self, room: Room) -> bool:
        return self._served is None or not self._served.isdisjoint(room.member_ids)

    def _shows_event(self, event: Event) -> bool:
        if isinstance(event, Message) and event.room_id is None:
            return event.bot_side in self.bots
        room_id = event.room_id
        assert room_id is not None  # a room message, a membership or a topic change
        return self._shows(self.world.room(room_id))

    def _mentions(self, room: Room, body: Json, text: str) -> list[str]:
        """Whom a message @s, as the platform records it (a WeCom bot hears only those): the
        ``mentions`` ids given, and each member an ``@name`` in the text names."""
        given = body.get("mentions", [])
        if not isinstance(given, list) or not all(
                isinstance(m, str) and m in room.member_ids for m in given):
            raise ApiError(400, msg.SIM_ERR_BAD_MENTIONS)
        by_name = {self.world.contact(m).name: m for m in room.member_ids}
        named = [by_name[n] for n in parse_mentions(text, by_name).names if n in by_name]
        return list(dict.fromkeys([*given, *named]))

    def _room(self, request: web.Request) -> Room:
        room_id = request.match_info["room_id"]
        try:
            room = self.world.room(room_id)
        except WorldError:
            room = None
        if room is None or not self._shows(room):  # another process's account: not here
            raise ApiError(404, msg.SIM_ERR_NO_ROOM.format(room=room_id))
        return room

    def _bot(self, bot_id: str) -> str:
        """A bot this simulator serves; "" is the first of them."""
        if not bot_id and self.bots:
            return self.bots[0]
        if bot_id not in self.bots:
            names = "、".join(self.bots) or "无"
            raise ApiError(400, msg.SIM_ERR_NO_BOT.format(bot=bot_id, bots=names))
        return bot_id

    def _person(self, contact_id: str, *, status: int) -> str:
        """A known contact who is not a bot (nobody speaks as the bot here)."""
        if not self.world.has_contact(contact_id):
            raise ApiError(status, msg.SIM_ERR_NO_CONTACT.format(contact=contact_id))
        if self.world.contact(contact_id).role == "bot":
            raise ApiError(400, msg.SIM_ERR_BOT_SENDER)
        return contact_id

    def _name(self, contact_id: str) -> str:
        if self.world.has_contact(contact_id):
            return self.world.contact(contact_id).name
        return contact_id


_NO_CACHE = {"Cache-Control": "no-cache"}
_STATIC_FILES = frozenset({"app.css", "app.js"})
_HTTP_MESSAGES = {404: msg.SIM_ERR_NOT_FOUND, 405: msg.SIM_ERR_METHOD,
                  413: msg.SIM_ERR_TOO_LARGE}


def _json(value: Any) -> web.Response:
    return web.json_response(value, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, dumps=_dumps)


def _file_under(folder: Path, relative: str) -> web.FileResponse:
    root = folder.resolve()
    try:
        # Resolving first turns "../" and symlinks into where they really lead.
        path = (root / relative).resolve()
        found = path.is_relative_to(root) and path.is_file()
    except (ValueError, OSError):  # a NUL byte, a name too long for the file system
        found = False
    if not found:
        raise ApiError(404, msg.SIM_ERR_NO_MEDIA)
    return web.FileResponse(path)


async def _body(request: web.Request, *, limit: int = MAX_BODY) -> Json:
    try:
        raw = await request.read()
        if len(raw) > limit:
            raise ApiError(413, msg.SIM_ERR_TOO_LARGE)
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, msg.SIM_ERR_BAD_JSON) from None
    if not isinstance(body, dict):
        raise ApiError(400, msg.SIM_ERR_NOT_OBJECT)
    return body


def _field(body: Json, name: str, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ApiError(400, msg.SIM_ERR_FIELD_TYPE.format(field=name))
    return value


def _upload(body: Json) -> uploads.Upload | None:
    if "media" in body and "text" in body:
        raise ApiError(400, msg.SIM_ERR_TEXT_OR_MEDIA)
    return uploads.read_upload(body["media"]) if "media" in body else None


def _text(body: Json) -> str:
    text = _field(body, "text")
    if not text.strip():
        raise ApiError(400, msg.SIM_ERR_TEXT_EMPTY)
    if len(text) > MAX_TEXT:
        raise ApiError(400, msg.SIM_ERR_TEXT_TOO_LONG.format(limit=MAX_TEXT))
    return text


def _since(request: web.Request) -> int:
    values = request.query.getall("since", [])
    if not values:
        return 0
    if len(values) > 1 or not values[0].isascii() or not values[0].isdigit() \
            or len(values[0]) > 18:
        raise ApiError(400, msg.SIM_ERR_BAD_SINCE)
    return int(values[0])
