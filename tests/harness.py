"""Building blocks the test packages share: the demo account, rooms named after their groups,
and a router with the demo groups bound, as the app has it after the account's ready."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import Engine

from bot.chat.basics import help_command
from bot.chat.rooms import RoomDirectory, RoomInfo
from bot.chat.router import CommandSpec, Router
from bot.clock import Clock
from bot.config import Home
from bot.db.engine import session_factory
from bot.transport.local_world import LocalWorld, Message, bot_contact_id

ACCOUNT = "jilin-kexie"
BOT = bot_contact_id(ACCOUNT)
T = TypeVar("T")


def room_of(group_id: str) -> str:
    return f"room-{group_id}"


def bind_rooms(engine: Engine, home: Home, clock: Clock,
               groups: Iterable[str] | None = None) -> RoomDirectory:
    """A directory with ``groups`` (default: all of the account's) bound to ``room-<id>``."""
    rooms = RoomDirectory(home)
    chosen = set(home.groups) if groups is None else set(groups)
    infos = [RoomInfo(room_of(g.id), g.room_topic or g.name) for g in home.groups.values()
             if g.id in chosen]
    with session_factory(engine).begin() as session:
        rooms.bind(session, ACCOUNT, infos, clock.now())
    return rooms


def bound_router(home: Home, engine: Engine, clock: Clock, *specs: CommandSpec) -> Router:
    """A router over every demo group, with #帮助 and ``specs`` installed."""
    router = Router(home, session_factory(engine), clock, bind_rooms(engine, home, clock))
    router.add(help_command(router), *specs)
    return router


class Watch:
    """Wait for something to show in the local world, without sleeping: each change to the
    world wakes the wait, which then checks again."""

    def __init__(self, world: LocalWorld) -> None:
        self.world = world
        self.changed = asyncio.Event()
        world.subscribe(lambda _event: self.changed.set())

    async def until(self, check: Callable[[], T | Awaitable[T | None] | None],
                    timeout: float = 20) -> T:
        async def wait() -> T:
            while True:
                self.changed.clear()  # before checking: a change during the check must count
                found: Any = check()
                if inspect.isawaitable(found):
                    found = await found
                if found:
                    return found  # type: ignore[no-any-return]
                await self.changed.wait()
        return await asyncio.wait_for(wait(), timeout)

    def bot_said(self, room: str, contains: str) -> Callable[[], Message | None]:
        """A bot message in ``room`` containing ``contains``, newer than anything there now
        (the bot cannot have answered yet: its reply needs the event loop)."""
        after = max((m.id for m in self.world.messages(room)), default=0)
        return lambda: next((m for m in self.world.messages(room, since=after)
                             if m.from_id == BOT and m.type != "system" and contains in m.text),
                            None)
