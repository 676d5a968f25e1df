"""``agribot wecom-fake``: serve the local world over the WeCom 智能机器人 long connection.

Run it beside ``agribot run`` with an account of transport ``wecom`` to try the WeCom road on
one machine: the bot's unmodified SDK connects to it as it would to Tencent's server, and the
simulator page (``--sim-port``) shows the groups, where only what @s the bot reaches it. The bot
id and secret come from the environment variables the account names in bot.yaml, the same ones
``agribot run`` reads.
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
from bot.config import Home
from bot.context import Context
from bot.transport import wecom_protocol as wp
from bot.wecom_fake.server import DEFAULT_PORT, WeComFake


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="wss port of the long connection (0: any free)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address; the certificate is for loopback (127.0.0.1, localhost)")
    parser.add_argument("--account",
                        help="the bot account it serves (default: the first of transport wecom)")
    parser.add_argument("--sim-port", type=int, default=8080,
                        help="simulator page and API over the same world (0: off)")
    parser.add_argument("--journal", type=Path,
                        help="append the world's events to this file and replay them on start, "
                             "so chats survive a restart of the fake")


def wecom_account(home: Home, wanted: str | None) -> tuple[str, str, str] | str:
    """The account to serve and the names of its id and secret variables, or what is wrong."""
    accounts = [a for a in home.bot.accounts if home.bot.transport_of(a.id) == "wecom"]
    if wanted is not None:
        if wanted not in {a.id for a in home.bot.accounts}:
            return msg.RUN_UNKNOWN_ACCOUNT.format(account=wanted)
        accounts = [a for a in accounts if a.id == wanted]
        if not accounts:
            return msg.WECOM_FAKE_NOT_WECOM.format(account=wanted)
    if not accounts:
        return msg.WECOM_FAKE_NO_ACCOUNT
    account = accounts[0]
    assert account.wecom is not None  # the config model requires it on a wecom account
    return account.id, account.wecom.bot_id_env, account.wecom.secret_env


def wecom_fake(ctx: Context, args: argparse.Namespace) -> int:
    home = ctx.home
    found = wecom_account(home, args.account)
    if isinstance(found, str):
        print(found, file=sys.stderr)
        return 2
    account, id_env, secret_env = found
    missing = [name for name in (id_env, secret_env) if not os.environ.get(name)]
    if missing:
        print(msg.WECOM_FAKE_NEEDS_ENV.format(names="、".join(missing)), file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # one line per request
    fake = WeComFake(home, bot_id=os.environ[id_env], secret=os.environ[secret_env],
                     account=account, host=args.host, port=args.port,
                     sim_port=args.sim_port or None, journal=args.journal)
    asyncio.run(_serve(fake))
    return 0


async def _serve(fake: WeComFake) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with fake:
        assert fake.certificate is not None
        print(msg.WECOM_FAKE_READY.format(account=fake.account, url=fake.url), flush=True)
        print(msg.WECOM_FAKE_EXPORTS.format(url_env=wp.WS_URL_ENV, url=fake.url,
                                            ca_env=wp.CA_FILE_ENV, ca=fake.certificate.cert),
              flush=True)
        if fake.sim_port is not None:
            print(msg.WECOM_FAKE_SIMULATOR.format(url=f"http://127.0.0.1:{fake.sim_port}/"),
                  flush=True)
        await stop.wait()
        print(msg.WECOM_FAKE_STOPPING, flush=True)
