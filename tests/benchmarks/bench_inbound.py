"""Inbound throughput: messages/s from the local puppet through the real Wechaty and the chat
handlers into the committed event log, against the same stream through Wechaty with an empty
handler, measured in the same run (target ratio ≥ 0.5).

One message in ten is ``#帮助`` (a command with a queued reply); the rest is ordinary chat.
Both runs use the same world and the same Wechaty; the measured one goes through the app's
inbox, which handles whatever has arrived in one transaction.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, select  # noqa: E402

from bot.chat.basics import help_command  # noqa: E402
from bot.chat.inbox import Inbox  # noqa: E402
from bot.chat.rooms import RoomDirectory, RoomInfo  # noqa: E402
from bot.chat.router import Router  # noqa: E402
from bot.clock import SystemClock  # noqa: E402
from bot.config import Home, load_home  # noqa: E402
from bot.core.messages import Inbound  # noqa: E402
from bot.db.engine import make_engine, session_factory, upgrade  # noqa: E402
from bot.db.runner import DatabaseRunner  # noqa: E402
from bot.db.schema import Event  # noqa: E402
from bot.transport.local_puppet import LocalPuppet  # noqa: E402
from bot.transport.local_world import LocalWorld  # noqa: E402
from bot.transport.wechaty_adapter import WechatyAdapter  # noqa: E402

MESSAGES = 2000
ACCOUNT = "jilin-kexie"


async def throughput(home: Home, router: Router | None,
                     bind: Callable[[list[RoomInfo]], None]) -> float:
    """Messages per second from the first speak to the last message handled and committed.

    With a router, messages go through the app's own path: the inbox, batched transactions.
    Without one, the adapter's callback only counts them.
    """
    world = LocalWorld.from_home(home, SystemClock())
    rooms = [r for r in world.rooms()]
    done = asyncio.Event()
    stop = asyncio.Event()
    seen = 0

    def counted(count: int) -> None:
        nonlocal seen
        seen += count
        if seen >= MESSAGES:
            done.set()

    if router is not None:
        inbox = Inbox(router, DatabaseRunner(router.sessions))
        original = router.handle_batch
        loop = asyncio.get_running_loop()

        def handle_batch(batch: list[Inbound]) -> None:  # in the database worker
            original(batch)  # returns once the batch is committed
            loop.call_soon_threadsafe(counted, len(batch))

        router.handle_batch = handle_batch  # type: ignore[method-assign]
        on_message: Callable[[Inbound], None] = inbox.put
        draining = asyncio.ensure_future(inbox.run(stop))
    else:
        on_message = lambda _inbound: counted(1)  # noqa: E731

    async with WechatyAdapter(ACCOUNT, lambda: LocalPuppet(world, ACCOUNT),
                              on_message=on_message, on_ready=bind) as adapter:
        await adapter.wait_ready(30)
        speakers = {r.id: [c.id for c in world.members(r.id) if c.id.startswith("wxid_t_")]
                    for r in rooms}
        start = time.perf_counter()
        for n in range(MESSAGES):
            room = rooms[n % len(rooms)].id
            people = speakers[room]
            text = "#帮助" if n % 10 == 0 else f"今天的大棚温度{n % 30}度，通风了吗"
            world.speak(room, people[n % len(people)], text)
            if n % 50 == 0:
                await asyncio.sleep(0)  # let the pipeline run, as a real socket would
        await asyncio.wait_for(done.wait(), 300)
        elapsed = time.perf_counter() - start
    stop.set()
    if router is not None:
        await draining
    return MESSAGES / elapsed


async def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        home_dir = Path(tmp) / "home"
        for part in ("config", "content_library"):
            shutil.copytree(REPO / part, home_dir / part)
        home = load_home(home_dir)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'agribot.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        directory = RoomDirectory(home)
        router = Router(home, sessions, SystemClock(), directory)
        router.add(help_command(router))

        def bind(infos: list[RoomInfo]) -> None:
            with sessions.begin() as session:
                directory.bind(session, ACCOUNT, infos, SystemClock().now())

        empty = await throughput(home, None, lambda _r: None)
        full = await throughput(home, router, bind)
        with sessions() as session:
            logged = session.scalar(select(func.count()).select_from(Event)
                                    .where(Event.kind.in_(["message", "command"])))
        engine.dispose()
    ratio = full / empty
    print(f"inbound through handlers + committed event log (SQLite): {full:,.0f} msg/s")
    print(f"baseline, same stream through Wechaty with an empty handler: {empty:,.0f} msg/s")
    print(f"ratio {ratio:.2f} (target ≥ 0.5); events committed: {logged} of {MESSAGES}")
    return 0 if ratio >= 0.5 and logged == MESSAGES else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
