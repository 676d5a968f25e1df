"""The running bot: one process serving one or more WeChat accounts of a home.

``AgriBot`` is an async context manager that composes the pieces in order — database and room
bindings, the chat router with every feature's commands, one Wechaty adapter and one outbox
sender per account, the schedules, the periodic jobs, and with the local transport the simulator —
and takes them down in reverse. Leaving it stops the senders between two messages, so the
outbox and the event log are left consistent; a start-up that fails half way closes what it
opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import itertools
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.activities import chat as activities
from bot.activities import sessions as activity_sessions
from bot.chat.basics import help_command
from bot.chat.binding import Binder
from bot.chat.inbox import Inbox
from bot.chat.rooms import BindReport, RoomDirectory, RoomInfo
from bot.chat.router import Router
from bot.clock import Clock, SystemClock
from bot.config import Home
from bot.console import chat as console_chat
from bot.console.server import ConsoleServer
from bot.console.web import Console
from bot.core import events
from bot.core.messages import Inbound, MembershipChange, Target, TextOut
from bot.core.ports import Transport
from bot.db.engine import session_factory
from bot.db.runner import DatabaseRunner
from bot.delivery.lease import AccountLeases
from bot.delivery.outbox import Outgoing, enqueue
from bot.delivery.sender import Sender
from bot.delivery.wecom import WeComKeyMissing, webhook_for_group
from bot.links import web as links_web
from bot.qa import QaService
from bot.quiz import chat as quiz_chat
from bot.quiz import rounds as quiz_rounds
from bot.schedules.chat import commands as schedule_commands
from bot.schedules.runner import ScheduleRunner
from bot.schedules.watcher import ScheduleWatcher
from bot.stats import rollup
from bot.stats.chat import commands as stats_commands
from bot.stats.weekly import send_weekly_if_due
from bot.tasks import TaskGroup, every
from bot.transport import capabilities
from bot.transport.local_world import LocalWorld
from bot.transport.wechaty_adapter import WechatyAdapter, service_puppet_factory

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # how long the inbox and senders may take to finish what is in hand
ESCALATION_SECONDS = 60.0  # deadlines are hours; a minute late is fine
RELEARN_SECONDS = 600.0  # the classifier's nightly rebuild may start ten minutes late
ROLLUP_SECONDS = 30.0  # the rollup may be at most a minute behind the log
ROLLUP_BATCH = 2000
WEEKLY_SECONDS = 60.0
QUIZ_SECONDS = 10.0  # windows are minutes: a question closes at most this late


@dataclass(frozen=True)
class RunSettings:
    transport: str = "local"  # local | wechaty | wecom: of accounts that name none
    accounts: tuple[str, ...] = ()  # empty: every account in bot.yaml
    simulator_port: int | None = 8080  # local transport only; None: no simulator
    simulator_host: str = "127.0.0.1"
    simulator_token: str | None = None
    schedule_wake: bool = True  # False: schedules fire only when run_due() is called (tests)
    console_port: int | None = None  # the admin console on a port of its own (also /console/
    console_host: str = "127.0.0.1"  # of the simulator, with the local transport)
    console_public: bool = False  # True: console_host may be off loopback


class AgriBot:
    def __init__(self, home: Home, engine: Engine, settings: RunSettings, *,
                 clock: Clock | None = None, world: LocalWorld | None = None) -> None:
        self.home = home
        self.engine = engine
        self.settings = settings
        self.clock = clock or SystemClock()
        self.sessions = session_factory(engine)
        self.db = DatabaseRunner(self.sessions)  # every database call from async code
        self.rooms = RoomDirectory(home)
        self.router = Router(home, self.sessions, self.clock, self.rooms)
        self.inbox = Inbox(self.router, self.db, on_handled=self.wake_senders)
        self.accounts = [a.id for a in home.bot.accounts
                         if not settings.accounts or a.id in settings.accounts]
        if any(self.transport_of(a) == "local" for a in self.accounts):
            self.world: LocalWorld | None = world or LocalWorld.from_home(home, self.clock)
        else:
            self.world = None
        self.adapters: dict[str, Any] = {}  # WechatyAdapter or WeComAdapter, by account
        self.senders: dict[str, Sender] = {}
        self.simulator: Any = None
        self.link_server: links_web.LinkServer | None = None
        self.console_server: ConsoleServer | None = None
        self.stop = asyncio.Event()
        self._wake: dict[str, asyncio.Event] = {}
        self._stack = AsyncExitStack()
        self._tasks = TaskGroup()
        self._draining: list[asyncio.Task[Any]] = []  # finish their work on stop
        self.qa: QaService | None = None
        self.watcher = ScheduleWatcher(home, self.db, self.clock)  # the home's files, once
        self.schedules: ScheduleRunner | None = None
        # one live process per account: taken before anything runs for it
        self.leases = AccountLeases(self.db, self.accounts, self.clock, on_lost=self._lease_lost)
        self.failure: str | None = None  # why the process stopped on its own (a lease lost)

    # --- life ------------------------------------------------------------------------------------

    async def __aenter__(self) -> AgriBot:
        try:
            await self._start()
        except BaseException:
            await self._shutdown()
            raise
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._shutdown()

    async def _start(self) -> None:
        self._stack.push_async_callback(self.db.aclose)  # last out: after everything using it
        await self._stack.enter_async_context(self.leases)  # raises AccountHeld: nothing started
        await self.db.run(self.rooms.load)
        await self._stack.enter_async_context(self.watcher)
        self.schedules = await self._stack.enter_async_context(ScheduleRunner(
            self.home, self.engine, self.db, self.clock, self.accounts, self.watcher,
            wake=self.settings.schedule_wake, on_fired=self.wake_senders))
        await self._stack.enter_async_context(self._tasks)
        self._tasks.spawn(self.leases.run(self.stop), "leases")
        # Accounts and senders first: a restart sends again as soon as it is connected. What
        # arrives meanwhile waits in the inbox, which starts once every feature is installed.
        for account in self.accounts:
            adapter = self._adapter(account)
            self.adapters[account] = await self._stack.enter_async_context(adapter)
            self._start_sender(account, adapter)
        await self._install_features()
        self._draining.append(self._tasks.spawn(self.inbox.run(self.stop), "inbox"))
        self._start_periodic_jobs()
        link_routes = links_web.routes(self.db, self.clock, self.home.paths.data)
        console = Console(self.home, self.db, self.clock, self.watcher,
                          on_queued=self.wake_senders,
                          public_base=self.home.bot.links.public_base).routes()
        if self.settings.console_port is not None:
            self.console_server = await self._stack.enter_async_context(ConsoleServer(
                console, host=self.settings.console_host, port=self.settings.console_port,
                public=self.settings.console_public))
        if self.world is not None and self.settings.simulator_port is not None:
            from bot.simulator.server import SimulatorServer  # aiohttp only when simulating

            self.simulator = await self._stack.enter_async_context(SimulatorServer(
                self.world, self.home, host=self.settings.simulator_host,
                port=self.settings.simulator_port, token=self.settings.simulator_token,
                ready=self.is_ready, accounts=self.accounts, routes=[*link_routes, *console]))
        elif self.home.bot.links.public_base is not None:
            links = self.home.bot.links
            self.link_server = await self._stack.enter_async_context(
                links_web.LinkServer(link_routes, host=links.host, port=links.port))
        else:
            log.warning("%s", msg.LINKS_NO_BASE)
        # What start built (the home, the world, indexes) lives as long as the process: keep it
        # out of the cyclic collector, whose full passes over millions of objects would
        # otherwise stop the loop for seconds at a time on a large home.
        gc.freeze()

    async def _shutdown(self) -> None:
        """Stop taking new work, handle what already arrived, let each sender finish the
        message in hand, then close."""
        self.stop.set()
        self.wake_senders()
        if self._draining:
            await asyncio.wait(self._draining, timeout=DRAIN_SECONDS)
        await self._stack.aclose()

    def _lease_lost(self, _account: str, line: str) -> None:
        """Another process took an account over (this one looked dead to it): stop sending."""
        self.failure = line
        self.stop.set()
        self.wake_senders()

    def link_base(self) -> str | None:
        """Where tracked links point: ``links.public_base``, else the simulator's address."""
        configured = self.home.bot.links.public_base
        if configured is not None:
            return configured
        if self.simulator is not None:
            host = self.settings.simulator_host
            return f"http://{f'[{host}]' if ':' in host else host}:{self.simulator.port}"
        return None

    def console_base(self) -> str | None:
        """Where sign-in links point: the public base, else the simulator (which serves the
        console under /console/), else the console's own server; None: no console here."""
        if self.simulator is None and self.console_server is None:
            return None
        if self.simulator is None:
            assert self.console_server is not None
            return self.home.bot.links.public_base or self.console_server.url
        return self.link_base()

    def is_ready(self) -> bool:
        return bool(self.adapters) and all(a.ready for a in self.adapters.values())

    async def wait_ready(self, timeout: float | None = None, *, local: bool = False) -> None:
        """Until every account is ready (``local``: those on the local world, which are ready
        at once; one on WeCom may wait for a secret to be fixed)."""
        await asyncio.gather(*(a.wait_ready(timeout) for account, a in self.adapters.items()
                               if not local or self.transport_of(account) == "local"))

    def transport_of(self, account: str) -> str:
        """The account's own transport, else the one this run was started with."""
        config = next(a for a in self.home.bot.accounts if a.id == account)
        return config.transport or self.settings.transport

    def _adapter(self, account: str) -> Any:
        media = self.home.paths.data / "media" / account
        if self.transport_of(account) == "wecom":
            from bot.transport.wecom_adapter import WeComAdapter  # the SDK only when used

            return WeComAdapter(
                account, self.home, on_message=self._on_message,
                on_ready=self._on_ready_for(account), clock=self.clock, media_dir=media,
                media_wanted=self._media_wanted_for(account))
        return WechatyAdapter(
            account, self._puppet_factory(account),
            on_message=self._on_message, on_membership=self._on_membership,
            on_ready=self._on_ready_for(account), on_connected=self.wake_senders,
            clock=self.clock, media_dir=media, media_wanted=self._media_wanted_for(account))

    def _puppet_factory(self, account: str) -> Callable[[], Any]:
        if self.world is None or self.transport_of(account) != "local":
            return service_puppet_factory()
        from bot.transport.local_puppet import LocalPuppet

        world = self.world
        return lambda: LocalPuppet(world, account)

    # --- features --------------------------------------------------------------------------------

    async def _install_features(self) -> None:
        """Every feature's chat commands and fallbacks, before the inbox handles a message."""
        self.router.add(help_command(self.router))
        if any(not capabilities.of_account(self.home, a).lists_rooms for a in self.accounts):
            binder = Binder(self.home, self.rooms)  # WeCom chats: bound by "@bot #绑定"
            self.router.add(binder.command())
            self.router.unbound_room = binder.unbound_chat
        self.router.add(*activities.commands(lambda: self.home.reports))
        for fallback in activities.fallbacks():  # before Q&A's: it keeps, never takes, a photo
            self.router.add_fallback(fallback)
        # a short read in the database worker, then the classifier's fit in a thread of its
        # own: the senders, already running, keep the worker
        learnt, index = await self.db.read(QaService.stored, self.home)
        self.qa = await asyncio.to_thread(QaService.assemble, self.home, self.sessions, learnt,
                                          index)
        self.qa.install(self.router)
        self.router.add(*schedule_commands(lambda _home: self.watcher.book))
        self.router.add(*stats_commands())
        self.router.add(*quiz_chat.commands())
        self.router.add(*console_chat.commands(self.console_base))
        for fallback in quiz_chat.fallbacks():
            self.router.add_fallback(fallback)

    def _start_periodic_jobs(self) -> None:
        """Jobs every feature needs on a timer; each failing tick is logged and retried."""
        self._every(ESCALATION_SECONDS, self._escalate, "qa:escalation")
        self._every(RELEARN_SECONDS, self._relearn, "qa:relearn")
        self._every(ROLLUP_SECONDS, self._roll_up, "stats:rollup")
        self._every(WEEKLY_SECONDS, self._weekly_report, "stats:weekly")
        self._every(QUIZ_SECONDS, self._quiz_tick, "quiz:tick")

    def _every(self, seconds: float, job: Callable[[], Awaitable[None]], name: str) -> None:
        async def tick() -> None:
            await job()
            self.wake_senders()  # whatever the job queued goes out now

        self._tasks.spawn(every(seconds, tick, name, self.stop), name)

    async def _roll_up(self) -> None:
        """Fold new events into the daily rollup, a small transaction at a time so inbound
        messages never wait long for the database."""
        while await self.db.run(rollup.catch_up, self.home, limit=ROLLUP_BATCH) == ROLLUP_BATCH:
            pass

    async def _weekly_report(self) -> None:
        await send_weekly_if_due(self.db, self.home, self.clock.now())

    async def _quiz_tick(self) -> None:
        for account in self.accounts:  # each process runs only its own groups' quizzes
            await self.db.run(quiz_rounds.tick, self.home, self.clock.now(), account=account)

    async def _escalate(self) -> None:
        assert self.qa is not None
        for account in self.accounts:  # each process escalates only its own questions
            await self.db.run(self.qa.escalate_due, self.clock.now(), account=account)

    async def _relearn(self) -> None:
        """The question classifier's nightly rebuild: a short read in the database worker, then
        seconds of CPU in a thread of its own, so neither the loop nor the worker waits."""
        assert self.qa is not None
        if self.qa.relearn_due(self.clock.now()):
            learnt = await self.db.read(self.qa.learnt)
            await asyncio.to_thread(self.qa.relearn, learnt)

    # --- sending ---------------------------------------------------------------------------------

    def _start_sender(self, account: str, adapter: Transport) -> None:
        webhooks: dict[str, Transport] = {}
        for group in self.home.groups.values():
            if group.account != account or not group.wecom_webhook_key_env:
                continue
            try:
                robot = webhook_for_group(group, os.environ)
            except WeComKeyMissing as exc:
                # the group still has its WeChat room; pushes go there until the key is set
                log.warning("%s", exc)
                continue
            if robot is not None:
                webhooks[group.id] = robot
        self._wake[account] = wake = asyncio.Event()
        sender = Sender(home=self.home, account=account, db=self.db,
                        transport=adapter, rooms=self.rooms, clock=self.clock,
                        webhooks=webhooks, sleep=self._napper(wake),
                        online=lambda: _connected(self.adapters[account]),
                        listing=lambda: not self.adapters[account].ready,
                        link_base=self.link_base)
        self.senders[account] = sender
        self._draining.append(self._tasks.spawn(sender.run(self.stop), f"sender:{account}"))

    def _napper(self, wake: asyncio.Event) -> Callable[[float], Any]:
        """The senders' sleep: until the pacing allows, or until new work is queued."""
        async def nap(seconds: float) -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=max(seconds, 0.0))
            wake.clear()

        return nap

    def wake_senders(self) -> None:
        """Senders nap until their pacing allows or new work is queued; this is the new work."""
        for wake in self._wake.values():
            wake.set()

    # --- inbound ---------------------------------------------------------------------------------

    def _on_message(self, inbound: Inbound) -> None:
        self.inbox.put(inbound)

    async def _on_membership(self, change: MembershipChange) -> None:
        await self.db.call(self.router.handle_membership, change)
        self.wake_senders()

    def _media_wanted_for(self, account: str) -> Callable[[str | None, str], Awaitable[bool]]:
        """Only a photo or video some feature uses is kept: one that answers a recent question
        (Q&A forwards it), or one posted while the group's activity is open (its archive)."""
        caps = capabilities.of_account(self.home, account)
        private = caps.private_media and not caps.room_media  # WeCom: photos come privately

        async def wanted(room_id: str | None, sender: str) -> bool:
            group = self.rooms.group_for_room(account, room_id) if room_id else None
            if self.qa is None or (group is None and not (private and room_id is None)):
                return False
            return await self.db.read(self._media_used, group, sender)

        return wanted

    def _media_used(self, session: Session, group: str | None, sender: str) -> bool:
        assert self.qa is not None  # checked by the caller
        if group is not None and activity_sessions.current(session, self.home, group):
            return True
        return self.qa.awaits_attachment(session, sender, group, self.clock.now())

    def _on_ready_for(self, account: str
                      ) -> Callable[[list[RoomInfo]], Coroutine[Any, Any, None]]:
        return lambda rooms: self._bind(account, rooms)

    async def _bind(self, account: str, rooms: list[RoomInfo]) -> None:
        """Bind the account's groups to its rooms; record it, and tell the province once."""
        if not capabilities.of_account(self.home, account).lists_rooms:
            binder = Binder(self.home, self.rooms)
            unbound = await self.db.run(binder.report_unbound, account, self.clock.now())
            if unbound:
                log.warning("account %s: %d groups have no chat yet (an admin binds one with "
                            "@bot #绑定 <group-id>): %s", account, len(unbound), ", ".join(unbound))
            self.wake_senders()
            return
        report = await self.db.run(self._bind_in, account, rooms, self.clock.now())
        for group in report.unbound:
            log.warning("group %s has no room on account %s", group, account)
        for room in report.unknown:
            log.info("room %r (%s) is not a configured group", room.topic, room.id)
        self.wake_senders()

    def _bind_in(self, session: Session, account: str, rooms: list[RoomInfo],
                 now: datetime) -> BindReport:
        fresh = {g for g in self.home.groups if not self.rooms.is_bound(g)}
        report = self.rooms.bind(session, account, rooms, now)
        members = {r.id: r.member_ids for r in rooms}
        # A room bound for the first time brings its members in as present (not joined), so
        # membership figures start from who was there, not from zero.
        initial = (
            eventlog.NewEvent(kind=events.PRESENT, ts=now, account=account,
                              group_id=group, actor=member)
            for group, room in report.bound.items() if group in fresh
            for member in members.get(room, ()))
        binding = eventlog.NewEvent(kind=events.BINDING, ts=now, account=account, detail={
            "bound": len(report.bound), "unbound": report.unbound,
            "unknown": [r.topic for r in report.unknown]})
        eventlog.append_bulk(session, itertools.chain(initial, [binding]))
        if not report.clean:
            self._report_binding(session, account, report.unbound, report.unknown, now)
        return report

    def _report_binding(self, session: Session, account: str, unbound: list[str],
                        unknown: list[RoomInfo], now: datetime) -> None:
        lines = [msg.BINDING_UNBOUND.format(name=self.home.groups[g].name, group=g)
                 for g in unbound]
        lines += [msg.BINDING_UNKNOWN.format(topic=r.topic, room=r.id) for r in unknown]
        text = msg.BINDING_REPORT.format(account=account, lines="\n".join(lines))
        # keyed by what is wrong: the same situation after a restart is not reported again
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        enqueue(session, [
            Outgoing(f"binding:{account}:{digest}:{admin.id}", account,
                     Target.contact(admin.id), TextOut(text), "alert")
            for admin in self.home.admins_of(self.home.province_id)
        ], now=now)


def _connected(adapter: Any) -> bool:
    """Whether an account can send: Wechaty's adapter is connected before its rooms are listed;
    one that lists no rooms (WeCom) is connected once ready."""
    return bool(getattr(adapter, "connected", adapter.ready))
