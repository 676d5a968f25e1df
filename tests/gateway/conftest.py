"""An in-process gateway over the demo home's world, and a raw client for it over real gRPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from grpclib.client import Channel
from wechaty_grpc.wechaty import PuppetStub

from bot.config import Home, load_home
from bot.gateway import Gateway
from tests.conftest import unpaced

TOKEN = "test-token-1234"
TIMEOUT = 15.0  # seconds; reached only when something awaited never comes
NONGAN = "room-nongan-junior@chatroom"
BOT = "wxid_bot_jilin-kexie"


@pytest.fixture
def home(demo_copy: Path) -> Home:
    return load_home(unpaced(demo_copy))


@pytest.fixture
async def gateway(home: Home) -> AsyncIterator[Gateway]:
    """The gateway on a free port, no simulator, heartbeats every 0.2 s."""
    async with Gateway(home, token=TOKEN, port=0, sim_port=None,
                       heartbeat_seconds=0.2) as running:
        yield running


def stub_for(gateway: Gateway, token: str = TOKEN) -> tuple[Channel, PuppetStub]:
    """A channel configured the way ``PuppetService`` configures its own (token as authority)."""
    channel = Channel(host="127.0.0.1", port=gateway.port)
    channel._authority = token
    return channel, PuppetStub(channel)


@pytest.fixture
async def stub(gateway: Gateway) -> AsyncIterator[PuppetStub]:
    channel, client = stub_for(gateway)
    yield client
    channel.close()
