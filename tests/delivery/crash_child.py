"""A sender process for the crash test: sends the outbox of the demo account through a transport
that prints each message, optionally hanging (as if mid-send) after the Nth, to be SIGKILLed.

    python -m tests.delivery.crash_child DB_URL LEASE_SECONDS HANG_AFTER
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import SystemClock
from bot.core.messages import Payload, Sent, TextOut
from bot.db.engine import make_engine, session_factory
from bot.db.runner import DatabaseRunner
from bot.db.schema import OutboxRow
from bot.delivery.sender import Sender

from .support import ACCOUNT, bind_rooms, demo_home


class PrintingTransport:
    """The far end is the parent process, reading our stdout."""

    def __init__(self, hang_after: int) -> None:
        self.hang_after = hang_after
        self.count = 0

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent:
        assert isinstance(payload, TextOut)
        self.count += 1
        print(payload.text, flush=True)
        if self.count == self.hang_after:
            threading.Event().wait()  # delivered, not yet recorded: the parent kills us here
        return Sent(f"m{self.count}")


async def main(url: str, lease_seconds: float, hang_after: int) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    engine = make_engine(url)
    home = demo_home(per_minute=600, burst=100)
    clock = SystemClock()
    sessions = session_factory(engine)
    sender = Sender(home=home, account=ACCOUNT, db=DatabaseRunner(sessions),
                    transport=PrintingTransport(hang_after),
                    rooms=bind_rooms(engine, home, clock),
                    clock=clock, lease=timedelta(seconds=lease_seconds), idle_seconds=0.01)
    while True:
        await sender.step()
        with sessions() as session:
            left = session.scalar(select(func.count()).select_from(OutboxRow).where(
                OutboxRow.status.in_(["pending", "sending"])))
        if not left:
            break
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
