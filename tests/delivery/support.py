"""What the outbox and sender tests share: the demo home with adjustable pacing, rooms bound on a
real database, and a recording transport (a test double of the Transport port)."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bot.chat.rooms import RoomDirectory
from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.config.models import OutboxSettings, Rate
from bot.core.messages import Payload, Sent, Target, TextOut
from bot.core.ports import DeliveryError, Transport
from bot.db.engine import session_factory
from bot.db.runner import DatabaseRunner
from bot.db.schema import Event, OutboxRow
from bot.delivery.outbox import Outgoing, enqueue
from bot.delivery.sender import Sender
from tests.harness import ACCOUNT, bind_rooms

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


@cache
def _demo() -> Home:
    return load_home(REPO)  # read only: tests change copies of the model, never the files


def demo_home(*, per_minute: float = 12, burst: int = 3, jitter: float = 0.0,
              max_attempts: int = 6, base_backoff: float = 30) -> Home:
    """The demo home with this account's pacing and the outbox settings replaced."""
    home = _demo()
    rate = Rate(per_minute=per_minute, burst=burst, jitter_seconds=jitter)
    accounts = [a.model_copy(update={"rate": rate}) for a in home.bot.accounts]
    bot = home.bot.model_copy(update={
        "accounts": accounts,
        "outbox": OutboxSettings(max_attempts=max_attempts, base_backoff_seconds=base_backoff)})
    return dataclasses.replace(home, bot=bot)


Answer = Callable[[str, Payload, bool], DeliveryError | None]


@dataclass
class Delivery:
    at: datetime
    address: str
    payload: Payload
    to_room: bool


@dataclass
class RecordingTransport:
    """Records every attempt with the clock's time; ``answer`` may refuse one with an error."""

    clock: ManualClock
    answer: Answer | None = None
    members: int = 37
    attempts: list[Delivery] = field(default_factory=list)
    delivered: list[Delivery] = field(default_factory=list)

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent:
        delivery = Delivery(self.clock.now(), address, payload, to_room)
        self.attempts.append(delivery)
        error = self.answer(address, payload, to_room) if self.answer else None
        if error is not None:
            raise error
        self.delivered.append(delivery)
        detail: dict[str, Any] = {"members": self.members} if to_room else {}
        return Sent(f"msg-{len(self.delivered)}", detail)


def make_sender(engine: Engine, home: Home, clock: ManualClock, transport: Transport, *,
                rooms: RoomDirectory | None = None, seed: int = 7, **kwargs: Any) -> Sender:
    return Sender(home=home, account=ACCOUNT, db=DatabaseRunner(session_factory(engine)),
                  transport=transport, rooms=rooms or bind_rooms(engine, home, clock),
                  clock=clock, rng=random.Random(seed), worker="test-worker", **kwargs)


def queue(engine: Engine, clock: ManualClock, *messages: Outgoing) -> int:
    with session_factory(engine).begin() as session:
        return enqueue(session, messages, now=clock.now())


def push(key: str, group: str = "nongan-junior", payload: Payload | None = None,
         ref: str = "course-1") -> Outgoing:
    return Outgoing(key, ACCOUNT, Target.group(group), payload or TextOut(f"课程 {key}"),
                    "push", ref)


async def drive(sender: Sender, clock: ManualClock, until: Callable[[], bool], *,
                limit: int = 100_000) -> None:
    """Step the sender, moving the clock by what each step asks, until ``until()`` holds."""
    for _ in range(limit):
        if until():
            return
        clock.advance(await sender.step())
    raise AssertionError("the sender never got there")


def rows(engine: Engine) -> list[OutboxRow]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def row(engine: Engine, key: str) -> OutboxRow:
    with session_factory(engine)() as session:
        return session.scalars(select(OutboxRow).where(OutboxRow.key == key)).one()


def events(engine: Engine, kind: str | None = None) -> list[Event]:
    with session_factory(engine)() as session:
        query = select(Event).order_by(Event.id)
        if kind is not None:
            query = query.where(Event.kind == kind)
        return list(session.scalars(query))
