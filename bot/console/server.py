"""``agribot run --console-port N``: the console on a port of its own, when no simulator serves
it (or beside it). Loopback unless the operator says otherwise with ``--console-public``: the
console shows a region's questions and members' activity, and is meant to sit behind the
office's HTTPS proxy, not on the open network."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import TracebackType

from aiohttp import web

from bot import messages as msg
from bot.simulator.server import is_loopback

log = logging.getLogger(__name__)


class ConsoleServer:
    """Serves ``routes`` on ``host:port``; ``.port`` is the bound port once entered."""

    def __init__(self, routes: Sequence[web.RouteDef], *, host: str = "127.0.0.1",
                 port: int = 0, public: bool = False) -> None:
        if not is_loopback(host) and not public:
            raise ValueError(msg.CONSOLE_NEEDS_LOOPBACK.format(host=host))
        self.host, self.port = host, port
        self._routes = list(routes)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def __aenter__(self) -> ConsoleServer:
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
        log.info("console at %s/console/", self.url)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
