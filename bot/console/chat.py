"""``#后台``: an admin asks, in private chat, for a one-time link to the console."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot import messages as msg
from bot.chat.router import CommandSpec
from bot.chat.turn import Turn
from bot.console import auth
from bot.core import events

Base = Callable[[], str | None]  # where the console is reached; None: not served


def commands(base: Base) -> list[CommandSpec]:
    def handle(turn: Turn, _args: str) -> None:
        sign_in(turn, base())

    return [CommandSpec("后台", handle, msg.CONSOLE_USAGE, admin_only=True)]


def sign_in(turn: Turn, base: str | None) -> None:
    if not turn.in_private:  # a link in a group could be opened by anyone there
        turn.reply(msg.CONSOLE_PRIVATE_ONLY, mentions=(turn.sender,))
        return
    if base is None:
        turn.reply(msg.CONSOLE_NOT_SERVED)
        return
    issued = auth.issue_link(turn.session, turn.home, turn.sender, turn.now)
    assert issued is not None  # an admin: the router refuses #后台 to anyone else
    region = turn.home.regions[issued.region_id]
    until = issued.expires_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(
        ZoneInfo(turn.home.bot.timezone))
    turn.record(events.CONSOLE_LINK, ref=issued.region_id)
    turn.reply(msg.CONSOLE_LINK.format(
        url=f"{base.rstrip('/')}{auth.LOGIN_PATH}{issued.token}", region=region.name,
        until=f"{until:%H:%M}", minutes=int(auth.LINK_TTL.total_seconds() // 60)))
