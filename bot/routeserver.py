"""A small aiohttp server for a table of routes: what the bot serves on a port of its own when the
simulator does not serve it (tracked links and photos, the console)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from aiohttp import web

log = logging.getLogger(__name__)


class RouteServer:
    """Serves ``routes`` on ``host:port``; ``.port`` is the bound port once entered (0: any)."""

    what = "routes"  # named in the log line once serving

    def __init__(self, routes: Sequence[web.RouteDef], *, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._routes = list(routes)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_routes(self._routes)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("%s served at %s", self.what, self.url)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
