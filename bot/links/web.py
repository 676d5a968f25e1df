"""``GET /l/<code>``: the one route table of tracked links, served by the simulator's app in the
local transport and by :class:`LinkServer` with every other transport; beside them
``GET /photo/<token>``, a photo for an expert on a transport that sends no files
(:mod:`bot.links.photos`).

An open answers 302 to the real address and records an anonymous event; a ``HEAD`` (link
checkers, previews) redirects without counting; an unknown code gets a plain Chinese 404 page.
The database work goes through the bot's :class:`~bot.db.runner.DatabaseRunner`, off the loop.
"""

from __future__ import annotations

import html
import mimetypes
from pathlib import Path

from aiohttp import web
from sqlalchemy.orm import Session

from bot import messages as msg
from bot.clock import Clock
from bot.db.runner import DatabaseRunner
from bot.db.schema import TrackedLink
from bot.links import photos
from bot.links.codes import CODE, PATH, open_link
from bot.routeserver import RouteServer

_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title></head>
<body style="font-family:sans-serif;margin:3em auto;max-width:30em;padding:0 1em">
<h1 style="font-size:1.3em">{title}</h1><p>{text}</p></body></html>"""


def not_found_page(title: str = msg.LINK_NOT_FOUND_TITLE,
                   text: str = msg.LINK_NOT_FOUND) -> web.Response:
    body = _PAGE.format(title=html.escape(title), text=html.escape(text))
    return web.Response(status=404, text=body, content_type="text/html", charset="utf-8")


def _peek(session: Session, code: str) -> str | None:
    found = session.get(TrackedLink, code) if CODE.fullmatch(code) else None
    return found.url if found is not None else None


def routes(db: DatabaseRunner, clock: Clock, data: Path) -> list[web.RouteDef]:
    """The tracked-link routes, their database work on the bot's database runner, and the
    photos kept under the data folder ``data``."""
    async def follow(request: web.Request) -> web.StreamResponse:
        code = request.match_info["code"]
        if request.method == "GET":
            url = await db.run(open_link, code, clock.now())
        else:  # HEAD: where it leads, not an open
            url = await db.read(_peek, code)
        if url is None:
            return not_found_page()
        raise web.HTTPFound(url, headers={"Cache-Control": "no-store"})

    async def photo(request: web.Request) -> web.StreamResponse:
        path = photos.opened(data, request.match_info["token"], clock.now())
        if path is None:
            return not_found_page(msg.PHOTO_NOT_FOUND_TITLE, msg.PHOTO_NOT_FOUND)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return web.FileResponse(path, headers={
            "Content-Type": kind, "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    return [web.get(PATH + "{code}", follow), web.get(photos.PATH + "{token}", photo)]


class LinkServer(RouteServer):
    """The bot's own small HTTP server for tracked links, when no simulator serves them."""

    what = f"tracked links ({PATH})"
