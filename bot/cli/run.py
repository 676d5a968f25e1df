"""``agribot run``: start the bot on a home."""

from __future__ import annotations

import argparse

from bot.cli.context import Context


def run(ctx: Context, args: argparse.Namespace) -> int:
    home = ctx.home
    engine = ctx.engine(migrate=True)
    transport = args.transport or home.bot.transport
    accounts = [a.id for a in home.bot.accounts if args.account in (None, a.id)]
    print(f"agribot: home {ctx.paths.root}, transport {transport}, accounts {', '.join(accounts)}")
    print(f"database {engine.url.render_as_string(hide_password=True)}")
    print(f"{len(home.groups)} groups, {len(home.items)} content items; "
          "the delivery engine is not built yet, nothing to run.")
    return 0
