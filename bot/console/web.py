"""The console's routes under ``/console/``: served by the simulator's app with the local
transport, by :class:`~bot.console.server.ConsoleServer` on ``--console-port`` otherwise.

Every API route looks up the session behind its cookie, narrows ``?region=`` to what that
session may see (:func:`bot.console.scope.narrow`: 403 outside it), and does its database work
through the bot's :class:`~bot.db.runner.DatabaseRunner`. A request that changes anything
(POST) must also carry the session's CSRF token and come from the console's own origin.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot import messages as msg
from bot.clock import Clock
from bot.config import Home
from bot.console import auth, pages, reports, schedule, sending, views
from bot.console.scope import Scope, ScopeError, narrow
from bot.db.runner import DatabaseRunner
from bot.schedules.content import PushState
from bot.schedules.watcher import ScheduleWatcher
from bot.stats.catalog import HEADERS

log = logging.getLogger(__name__)

COOKIE = "agribot_console"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD"})

Api = Callable[[web.Request, auth.Signed], Awaitable[Any]]


class Console:
    def __init__(self, home: Home, db: DatabaseRunner, clock: Clock, watcher: ScheduleWatcher,
                 *, on_queued: Callable[[], None] = lambda: None,
                 public_base: str | None = None) -> None:
        self.home = home
        self.db = db
        self.clock = clock
        self.watcher = watcher
        self.on_queued = on_queued  # wakes the senders after a retry
        self.public_base = public_base

    def routes(self) -> list[web.RouteDef]:
        api = {
            "me": self.me, "summary": self.summary, "groups": self.groups,
            "questions": self.questions, "schedule": self.schedule,
            "activities": self.activities, "outbox": self.outbox, "report": self.report,
        }
        return [
            web.get("/console", self.redirect_root),
            web.get("/console/", self.index),
            web.get(auth.LOGIN_PATH + "{token}", self.login),
            web.post("/console/logout", self.logout),
            web.get("/console/static/{name}", self.static),
            *(web.get(f"/console/api/{name}", self._api(fn)) for name, fn in api.items()),
            web.post("/console/api/outbox/{row_id}/retry", self._api(self.retry)),
            web.get("/console/report/{fmt}", self._api(self.download)),
        ]

    # --- pages and signing in --------------------------------------------------------------------

    async def redirect_root(self, _request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/console/")

    async def index(self, request: web.Request) -> web.StreamResponse:
        signed = await self._signed(request)
        if signed is None:
            return pages.notice(401, msg.CONSOLE_SIGN_IN_TITLE, msg.CONSOLE_SIGN_IN)
        return pages.console_page(self._admin_name(signed.admin_id),
                                  self.home.regions[signed.region_id].name,
                                  auth.csrf_token(request.cookies[COOKIE]))

    async def static(self, request: web.Request) -> web.StreamResponse:
        return pages.static_file(request.match_info["name"])

    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        result = await self.db.run(auth.redeem, self.home, token, self.clock.now())
        if isinstance(result, auth.Refused):
            status, title, text = _REFUSALS[result]
            return pages.notice(status, title, text)
        region = self.home.regions[result.region_id].name
        response = pages.notice(200, msg.CONSOLE_TITLE,
                                msg.CONSOLE_SIGNED_IN.format(region=region),
                                go="/console/", refresh=True)
        response.set_cookie(COOKIE, result.token, path="/console/", httponly=True,
                            samesite="Strict", secure=self._secure(request),
                            max_age=int(auth.SESSION_TTL.total_seconds()))
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        signed = await self._signed(request)
        cookie = request.cookies.get(COOKIE, "")
        if signed is not None:
            form = await request.post()
            given = request.headers.get(CSRF_HEADER) or str(form.get("csrf", ""))
            if not self._same_origin(request) or not auth.csrf_ok(cookie, given):
                return pages.notice(403, msg.CONSOLE_TITLE, msg.CONSOLE_CSRF)
            await self.db.run(auth.sign_out, cookie)
        response = pages.notice(200, msg.CONSOLE_TITLE, msg.CONSOLE_SIGNED_OUT)
        response.del_cookie(COOKIE, path="/console/")
        return response

    # --- the API ---------------------------------------------------------------------------------

    async def me(self, _request: web.Request, signed: auth.Signed) -> Any:
        home = self.home
        own = sum(1 for _ in home.ancestors(signed.region_id))
        return {"admin": signed.admin_id, "name": self._admin_name(signed.admin_id),
                "region": signed.region_id, "region_name": home.regions[signed.region_id].name,
                "regions": [{"id": r.id, "name": r.name,
                             "depth": sum(1 for _ in home.ancestors(r.id)) - own}
                            for r in home.subtree(signed.region_id)],
                "expires_at": f"{signed.expires_at:%Y-%m-%dT%H:%M:%S}Z"}

    async def summary(self, request: web.Request, signed: auth.Signed) -> Any:
        return await self.db.run(views.summary, self._scope(request, signed), self.clock.now())

    async def groups(self, request: web.Request, signed: auth.Signed) -> Any:
        return await self.db.read(views.groups, self._scope(request, signed))

    async def questions(self, request: web.Request, signed: auth.Signed) -> Any:
        return await self.db.read(views.questions, self._scope(request, signed),
                                  self.clock.now())

    async def activities(self, request: web.Request, signed: auth.Signed) -> Any:
        return await self.db.read(views.activities, self._scope(request, signed))

    async def outbox(self, request: web.Request, signed: auth.Signed) -> Any:
        return await self.db.read(sending.listing, self._scope(request, signed))

    async def schedule(self, request: web.Request, signed: auth.Signed) -> Any:
        scope = self._scope(request, signed)
        days = _int(request.query.get("days", str(schedule.DAYS)), msg.CONSOLE_BAD_DAYS.format(
            limit=schedule.MAX_DAYS), 1, schedule.MAX_DAYS)
        state = await self.db.read(PushState.load, list(scope.groups))
        book, problems = self.watcher.book, self.watcher.files.problems
        now = self.clock.now()
        days_found = await asyncio.to_thread(schedule.calendar, scope, book, state, now, days)
        files = await asyncio.to_thread(schedule.files, scope, problems)
        return {"days": days_found, "files": files, "window_days": days}

    async def report(self, request: web.Request, signed: auth.Signed) -> Any:
        scope = self._scope(request, signed)
        when = self._period(request)
        report, verdict = await reports.verdict(self.db, scope, when)
        total = report.total().values
        query = f"region={scope.region_id}&from={when.first}&to={when.last}"
        return {"region": scope.region_id, "region_name": scope.name,
                "first": when.first.isoformat(), "last": when.last.isoformat(),
                "figures": [{"code": c, "header": HEADERS[c], "value": total[c]}
                            for c in HEADERS],
                "regions": [{"name": r.name, "level": r.level, "groups": r.groups,
                             "questions": r.values["questions"],
                             "answer_rate": r.values["answer_rate"],
                             "pushes_sent": r.values["pushes_sent"],
                             "sessions": r.values["sessions"]} for r in report.regions],
                "verify": {"ok": verdict.ok, "message": verdict.message},
                "covers": {"event_id": report.covers.event_id,
                           "event_hash": report.covers.event_hash},
                "downloads": {fmt: f"/console/report/{fmt}?{query}" for fmt in reports.FORMATS}}

    async def download(self, request: web.Request, signed: auth.Signed) -> Any:
        scope = self._scope(request, signed)
        when = self._period(request)
        fmt = request.match_info["fmt"]
        body = await reports.render(self.db, scope, when, fmt)
        headers = {"Content-Disposition": reports.disposition(reports.file_name(scope, when, fmt)),
                   "Cache-Control": "no-store"}
        return web.Response(body=body, headers={**headers, "Content-Type": reports.FORMATS[fmt]})

    async def retry(self, request: web.Request, signed: auth.Signed) -> Any:
        row_id = _int(request.match_info["row_id"], msg.CONSOLE_BAD_ID, 1, 2**62)
        found = await self.db.run(sending.retry, Scope(self.home, signed.region_id), row_id,
                                  signed.admin_id, self.clock.now())
        self.on_queued()
        return found

    # --- checks ----------------------------------------------------------------------------------

    def _api(self, fn: Api) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            try:
                signed = await self._signed(request)
                if signed is None:
                    return _error(401, msg.CONSOLE_UNAUTHORIZED)
                if request.method not in SAFE_METHODS:
                    if not self._same_origin(request):
                        return _error(403, msg.CONSOLE_ORIGIN)
                    if not auth.csrf_ok(request.cookies[COOKIE],
                                        request.headers.get(CSRF_HEADER, "")):
                        return _error(403, msg.CONSOLE_CSRF)
                found = await fn(request, signed)
            except ScopeError as exc:
                return _error(exc.status, exc.message)
            except Exception:
                log.exception("console: %s %s failed", request.method, request.path)
                return _error(500, msg.CONSOLE_INTERNAL)
            if isinstance(found, web.StreamResponse):
                return found
            return web.json_response(found, dumps=_dumps, headers={"Cache-Control": "no-store"})

        return handler

    async def _signed(self, request: web.Request) -> auth.Signed | None:
        cookie = request.cookies.get(COOKIE, "")
        if not cookie:
            return None
        return await self.db.read(auth.lookup, self.home, cookie, self.clock.now())

    def _scope(self, request: web.Request, signed: auth.Signed) -> Scope:
        return narrow(self.home, signed.region_id, request.query.get("region"))

    def _period(self, request: web.Request) -> reports.Period:
        return reports.period(self.home.bot.timezone, self.clock.now(),
                              request.query.get("from"), request.query.get("to"))

    def _same_origin(self, request: web.Request) -> bool:
        """Origin (or, without it, Referer) names this server, or the public base."""
        given = request.headers.get("Origin") or _origin(request.headers.get("Referer", ""))
        allowed = {f"{request.scheme}://{request.host}"}
        if self.public_base:
            allowed.add(_origin(self.public_base))
        return bool(given) and given in allowed

    def _secure(self, request: web.Request) -> bool:
        forwarded = request.headers.get("X-Forwarded-Proto", "")
        return request.secure or forwarded == "https" or \
            (self.public_base or "").startswith("https://")

    def _admin_name(self, contact_id: str) -> str:
        return next((a.name for a in self.home.admins if a.id == contact_id), contact_id)


_REFUSALS = {
    auth.Refused.USED: (410, msg.CONSOLE_LINK_USED_TITLE, msg.CONSOLE_LINK_USED),
    auth.Refused.EXPIRED: (410, msg.CONSOLE_LINK_EXPIRED_TITLE, msg.CONSOLE_LINK_EXPIRED),
    auth.Refused.UNKNOWN: (404, msg.CONSOLE_LINK_UNKNOWN_TITLE, msg.CONSOLE_LINK_UNKNOWN),
    auth.Refused.NOT_ADMIN: (403, msg.CONSOLE_LINK_NOT_ADMIN_TITLE, msg.CONSOLE_LINK_NOT_ADMIN),
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _int(text: str, message: str, low: int, high: int) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 18 and low <= int(text) <= high):
        raise ScopeError(400, message)
    return int(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status, dumps=_dumps,
                             headers={"Cache-Control": "no-store"})
