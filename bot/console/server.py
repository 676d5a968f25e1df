"""``agribot run --console-port N``: the console on a port of its own, when no simulator serves
it (or beside it). Loopback unless the operator says otherwise with ``--console-public``: the
console shows a region's questions and members' activity, and is meant to sit behind the
office's HTTPS proxy, not on the open network."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bot import messages as msg
from bot.routeserver import RouteServer
from bot.simulator.server import is_loopback


class ConsoleServer(RouteServer):
    """The console's routes on a port of its own; refuses a non-loopback host unless public."""

    what = "console (/console/)"

    def __init__(self, routes: Sequence[web.RouteDef], *, host: str = "127.0.0.1",
                 port: int = 0, public: bool = False) -> None:
        if not is_loopback(host) and not public:
            raise ValueError(msg.CONSOLE_NEEDS_LOOPBACK.format(host=host))
        super().__init__(routes, host=host, port=port)
