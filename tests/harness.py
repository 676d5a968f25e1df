"""Building blocks the test packages share: the demo account, rooms named after their groups,
and a router with the demo groups bound, as the app has it after the account's ready."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine

from bot.chat.basics import help_command
from bot.chat.rooms import RoomDirectory, RoomInfo
from bot.chat.router import CommandSpec, Router
from bot.clock import Clock
from bot.config import Home
from bot.db.engine import session_factory

ACCOUNT = "jilin-kexie"


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
