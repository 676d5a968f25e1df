"""The console's HTML: the one page (``static/console.html``, its data fetched from the API by
``console.js``) and the short notices around signing in. No build step, nothing from a CDN."""

from __future__ import annotations

import html
from pathlib import Path

from aiohttp import web

from bot import messages as msg

STATIC = Path(__file__).with_name("static")
STATIC_FILES = {"console.css": "text/css", "console.js": "text/javascript"}
# The page's own scripts and styles only; images are the bot's own or drawn inline. The login
# link carries a token in its path: no Referer may take it anywhere.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                                "form-action 'self'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_NOTICE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">{refresh}
<title>{title}</title><link rel="stylesheet" href="/console/static/console.css"></head>
<body class="notice"><main><h1>{title}</h1><p>{text}</p>{link}</main></body></html>"""


def notice(status: int, title: str, text: str, *, go: str | None = None,
           refresh: bool = False) -> web.Response:
    link = f'<p><a class="button" href="{html.escape(go)}">{html.escape(msg.CONSOLE_ENTER)}</a>' \
           f"</p>" if go else ""
    meta = f'<meta http-equiv="refresh" content="0;url={html.escape(go)}">' \
        if go and refresh else ""
    body = _NOTICE.format(title=html.escape(title), text=html.escape(text), link=link,
                          refresh=meta)
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8",
                        headers=HEADERS)


def console_page(admin: str, region: str, csrf: str) -> web.Response:
    page = (STATIC / "console.html").read_text("utf-8")
    page = page.replace("__ADMIN__", html.escape(admin)).replace(
        "__REGION__", html.escape(region)).replace("__CSRF__", html.escape(csrf))
    return web.Response(text=page, content_type="text/html", charset="utf-8", headers=HEADERS)


def static_file(name: str) -> web.StreamResponse:
    if name not in STATIC_FILES:
        raise web.HTTPNotFound()
    return web.Response(body=(STATIC / name).read_bytes(), content_type=STATIC_FILES[name],
                        charset="utf-8", headers={"Cache-Control": "no-cache",
                                                  "X-Content-Type-Options": "nosniff"})
