"""``Gateway``: the local world served over gRPC as a wechaty puppet service, with the simulator.

``async with Gateway(home, token=...) as gateway:`` builds the same world the local transport
serves (:meth:`LocalWorld.from_home`), optionally restored from a journal, serves it to
``PuppetService`` clients on ``gateway.port`` and, unless ``sim_port`` is None, serves the
simulator page and API over the same world on ``gateway.sim_port``, so a person can speak in
the groups and watch a bot that is connected over the network exactly as it would be to a real
WeChat gateway.

Like the gateways python-wechaty works with, it speaks plain HTTP/2 without TLS (the client has
none): keep it on loopback or a private network.
"""

from __future__ import annotations

import logging
import secrets
import socket
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.clock import Clock, SystemClock
from bot.config import Home
from bot.gateway.journal import Journal, ReplayClock
from bot.gateway.protocol import AuthorityServer
from bot.gateway.servicer import HEARTBEAT_SECONDS, PuppetServicer
from bot.transport.local_world import LocalWorld

log = logging.getLogger(__name__)

DEFAULT_PORT = 8788  # what wechaty's own gateway images listen on


class Gateway:
    def __init__(self, home: Home, *, token: str, account: str | None = None,
                 host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 sim_port: int | None = 8080, sim_token: str | None = None,
                 journal: Path | None = None, clock: Clock | None = None,
                 heartbeat_seconds: float = HEARTBEAT_SECONDS) -> None:
        if not token:
            raise ValueError("the gateway needs a token")
        self.home = home
        self.account = account or home.bot.accounts[0].id
        self.host = host
        self.port = port
        self.sim_port = sim_port
        self._sim_token = sim_token
        self._token = token
        self._journal_path = journal
        self._heartbeat = heartbeat_seconds
        self.clock = ReplayClock(clock or SystemClock())
        self.world: LocalWorld | None = None
        self.journal: Journal | None = None
        self.servicer: PuppetServicer | None = None
        self._server: AuthorityServer | None = None
        self._simulator: Any = None

    async def __aenter__(self) -> Gateway:
        try:
            await self._start()
        except BaseException:
            await self._stop()
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._stop()

    async def _start(self) -> None:
        world = self.world = LocalWorld.from_home(self.home, self.clock)
        if self._journal_path is not None:
            self.journal = Journal.open(self._journal_path, world, self.clock)
            epoch = self.journal.epoch
            log.info("gateway: journal %s, %d events replayed", self._journal_path,
                     self.journal.replayed)
        else:
            epoch = secrets.token_hex(4)  # a fresh world must not reuse an earlier one's ids
        servicer = self.servicer = PuppetServicer(
            world, self.account, self._token, epoch=epoch, heartbeat_seconds=self._heartbeat,
            files=self.home.paths.data / "gateway" / "files")
        servicer.open()
        sock = socket.create_server((self.host, self.port), reuse_port=False)
        self.port = int(sock.getsockname()[1])
        self._server = AuthorityServer([servicer])
        await self._server.start(sock=sock)
        log.info("gateway: puppet service for %s on %s:%d", self.account, self.host, self.port)
        if self.sim_port is not None:
            from bot.simulator.server import SimulatorServer

            self._simulator = SimulatorServer(world, self.home, port=self.sim_port,
                                              token=self._sim_token,
                                              ready=lambda: servicer.streams > 0,
                                              accounts=[self.account])
            await self._simulator.__aenter__()
            self.sim_port = self._simulator.port

    async def _stop(self) -> None:
        if self.servicer is not None:
            self.servicer.close()  # event streams end cleanly before the server goes
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._simulator is not None:
            await self._simulator.__aexit__(None, None, None)
            self._simulator = None
        if self.journal is not None:
            self.journal.close()
            self.journal = None
