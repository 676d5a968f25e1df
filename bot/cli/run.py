"""``agribot run``: start the bot on a home and serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from bot import messages as msg
from bot.app import AgriBot, RunSettings
from bot.context import Context
from bot.delivery.lease import AccountHeld
from bot.transport.wechaty_compat import (
    SERVICE_ENDPOINT_ENV,
    SERVICE_TOKEN_ENV,
    service_configured,
)

TOKEN_ENV = "AGRIBOT_SIMULATOR_TOKEN"
READY_TIMEOUT = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--transport", choices=["local", "wechaty", "wecom"],
                        help="of the accounts whose bot.yaml entry names no transport")
    parser.add_argument("--account", help="only this account's groups (one process per account)")
    parser.add_argument("--port", type=int, default=8080, help="simulator port (local transport)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="simulator address; anything but loopback needs --token")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV),
                        help=f"token the simulator page and API require (or ${TOKEN_ENV})")
    parser.add_argument("--console-port", type=int,
                        help="also serve the admin console on this port (local: also /console/)")
    parser.add_argument("--console-host", default="127.0.0.1",
                        help="the console's address; anything but loopback needs --console-public")
    parser.add_argument("--console-public", action="store_true",
                        help="allow --console-host off loopback (put HTTPS in front of it)")


def run(ctx: Context, args: argparse.Namespace) -> int:
    home = ctx.home
    if args.account and args.account not in {a.id for a in home.bot.accounts}:
        print(msg.RUN_UNKNOWN_ACCOUNT.format(account=args.account), file=sys.stderr)
        return 2
    transport = args.transport or home.bot.transport
    if transport == "wechaty" and not service_configured(os.environ):
        print(msg.RUN_NEEDS_SERVICE.format(token=SERVICE_TOKEN_ENV,
                                           endpoint=SERVICE_ENDPOINT_ENV), file=sys.stderr)
        return 2
    chosen = [a for a in home.bot.accounts if not args.account or a.id == args.account]
    if any((a.transport or transport) == "wecom" for a in chosen):
        from bot.transport.wecom_adapter import MissingCredentials, credentials

        for account in chosen:
            if (account.transport or transport) != "wecom":
                continue
            try:
                credentials(home, account.id, os.environ)
            except MissingCredentials as exc:  # one line naming the variable, never a value
                print(str(exc), file=sys.stderr)
                return 2
    engine = ctx.engine(migrate=True)
    settings = RunSettings(
        transport=transport,
        accounts=(args.account,) if args.account else (),
        simulator_port=args.port, simulator_host=args.host, simulator_token=args.token,
        console_port=args.console_port, console_host=args.console_host,
        console_public=args.console_public)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    bot = AgriBot(home, engine, settings)
    try:
        asyncio.run(_serve(bot))
    except AccountHeld as exc:  # another live process runs this account: one line, no trace
        print(str(exc), file=sys.stderr)
        return 1
    except ValueError as exc:  # e.g. a public simulator address without a token
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    if bot.failure is not None:
        print(bot.failure, file=sys.stderr)
        return 1
    return 0


async def _serve(bot: AgriBot) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        if bot.world is not None:
            await bot.wait_ready(READY_TIMEOUT, local=True)
        where = (f"http://{bot.settings.simulator_host}:{bot.simulator.port}/"
                 if bot.simulator is not None else "")
        started = msg.RUN_READY if bot.world is not None else (
            msg.RUN_CONNECTING_WECOM if transport_is_wecom(bot) else msg.RUN_CONNECTING)
        print(started.format(accounts="、".join(bot.accounts), groups=len(bot.home.groups),
                             transport=bot.settings.transport), flush=True)
        if where:
            print(msg.RUN_SIMULATOR.format(url=where), flush=True)
        if bot.console_server is not None or bot.simulator is not None:
            print(msg.RUN_CONSOLE.format(url=f"{bot.console_base()}/console/"), flush=True)
        # a signal, or the bot stopping itself (another process took its account over)
        waits = [asyncio.ensure_future(event.wait()) for event in (stop, bot.stop)]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        print(msg.RUN_STOPPING, flush=True)


def transport_is_wecom(bot: AgriBot) -> bool:
    return all(bot.transport_of(a) == "wecom" for a in bot.accounts)
