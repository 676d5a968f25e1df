"""The commands every group has from the start: ``#帮助``."""

from __future__ import annotations

from bot import messages as msg
from bot.chat.router import CommandSpec, Router
from bot.chat.turn import Turn


def help_command(router: Router) -> CommandSpec:
    def show_help(turn: Turn, _args: str) -> None:
        turn.reply(router.help_text(admin=turn.is_admin(), group=turn.group,
                                     account=turn.account))

    return CommandSpec("帮助", show_help, msg.HELP_USAGE)
