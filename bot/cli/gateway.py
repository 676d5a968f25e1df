"""``agribot gateway``: serve the local world over the wechaty puppet-service gRPC protocol.

Run it beside ``agribot run --transport wechaty`` to try the production path on one machine:
the bot's unmodified ``PuppetService`` connects to it as it would to a real WeChat gateway, and
the simulator page (``--sim-port``) shows the groups it talks in.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from bot import messages as msg
from bot.context import Context
from bot.gateway import DEFAULT_PORT, Gateway

TOKEN_ENV = "WECHATY_PUPPET_SERVICE_TOKEN"  # the client's own variable: one export serves both


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="gRPC port (0: any free)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="gRPC address; there is no TLS, keep it on a private network")
    parser.add_argument("--token", default=None,
                        help=f"token clients must present (default: ${TOKEN_ENV}; prefer the "
                             "variable, a command line is visible to every user)")
    parser.add_argument("--account", help="the bot account it logs in as (default: the first)")
    parser.add_argument("--sim-port", type=int, default=8080,
                        help="simulator page and API over the same world (0: off)")
    parser.add_argument("--journal", type=Path,
                        help="append the world's events to this file and replay them on start, "
                             "so chats survive a gateway restart")


def gateway(ctx: Context, args: argparse.Namespace) -> int:
    home = ctx.home
    token = args.token or os.environ.get(TOKEN_ENV, "")
    if not token:
        print(msg.GATEWAY_NEEDS_TOKEN, file=sys.stderr)
        return 2
    if args.account and args.account not in {a.id for a in home.bot.accounts}:
        print(msg.RUN_UNKNOWN_ACCOUNT.format(account=args.account), file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("grpclib").setLevel(logging.WARNING)  # one line per call otherwise
    server = Gateway(home, token=token, account=args.account, host=args.host, port=args.port,
                     sim_port=args.sim_port or None, journal=args.journal)
    asyncio.run(_serve(server))
    return 0


async def _serve(server: Gateway) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        print(msg.GATEWAY_READY.format(account=server.account, host=server.host,
                                       port=server.port), flush=True)
        if server.sim_port is not None:
            print(msg.GATEWAY_SIMULATOR.format(url=f"http://127.0.0.1:{server.sim_port}/"),
                  flush=True)
        await stop.wait()
        print(msg.GATEWAY_STOPPING, flush=True)
