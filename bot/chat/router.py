"""Turning inbound chat into work: record it, find the command, run its handler.

Each message is handled in one transaction: its events and every reply it queues commit
together. A handler that fails is rolled back, logged with the message id, and the sender gets
a short apology; the bot carries on.

The router is synchronous database code: in the running bot :meth:`Router.handle_batch` and
:meth:`Router.handle_membership` run in the database worker (the inbox and the app reach them
through :class:`~bot.db.runner.DatabaseRunner`), never on the event loop.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot import eventlog
from bot import messages as msg
from bot.chat.examples import examples_for, fill
from bot.chat.parse import parse_command
from bot.chat.rooms import RoomDirectory
from bot.chat.turn import Turn
from bot.clock import Clock
from bot.config import Home
from bot.config.models import Group
from bot.core.messages import Inbound, MembershipChange, MessageKind, Target, TextOut
from bot.delivery.outbox import Outgoing, enqueue
from bot.transport import capabilities

log = logging.getLogger(__name__)

Handler = Callable[[Turn, str], None]
Fallback = Callable[[Turn], bool]  # True when it took the message
# a message from a room no group is bound to (a WeCom chat before its #绑定)
UnboundRoom = Callable[[Session, Inbound, datetime], None]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    handler: Handler
    usage: str  # shown by #帮助, e.g. "#问 <问题>  向专家提问"
    admin_only: bool = False


class Router:
    def __init__(self, home: Home, sessions: sessionmaker[Session], clock: Clock,
                 rooms: RoomDirectory) -> None:
        self.home = home
        self.sessions = sessions
        self.clock = clock
        self.rooms = rooms
        self.commands: dict[str, CommandSpec] = {}
        self.fallbacks: list[Fallback] = []
        self._seen: OrderedDict[str, None] = OrderedDict()
        self.unbound_room: UnboundRoom | None = None

    def add(self, *specs: CommandSpec) -> None:
        for spec in specs:
            self.commands[spec.name] = spec

    def add_fallback(self, fallback: Fallback) -> None:
        self.fallbacks.append(fallback)

    # --- messages --------------------------------------------------------------------------------

    def handle_message(self, inbound: Inbound) -> None:
        """Handle one message in its own transaction; never raises."""
        self.handle_batch([inbound])

    def handle_batch(self, inbounds: list[Inbound]) -> None:
        """Handle messages that arrived together in one transaction (a group commit); never
        raises. If any handler fails, the batch is rolled back and each message is handled
        again on its own, so one bad message costs only its own apology."""
        work = [(inbound, group) for inbound in inbounds
                for accepted, group in [self._accept(inbound)] if accepted]
        if not work:
            return
        if len(work) > 1:
            try:
                with self.sessions.begin() as session:
                    for inbound, group in work:
                        self._dispatch(self._turn(session, inbound, group))
                return
            except Exception:
                log.warning("a handler failed in a batch of %d; handling one by one", len(work))
        for inbound, group in work:
            try:
                with self.sessions.begin() as session:
                    self._dispatch(self._turn(session, inbound, group))
            except Exception:
                log.exception("handler failed on message %s", inbound.message_id)
                self._apologise(inbound, group)

    def _accept(self, inbound: Inbound) -> tuple[bool, str | None]:
        """Whether to handle a message, and its group (``None`` in private chat)."""
        if self._duplicate(inbound.account, inbound.message_id):
            log.info("duplicate message %s ignored", inbound.message_id)
            return False, None
        if inbound.room_id is None:
            return True, None
        group = self.rooms.group_for_room(inbound.account, inbound.room_id)
        if group is None:
            log.debug("message %s from unbound room %s", inbound.message_id, inbound.room_id)
            self._from_unbound_room(inbound)
        return group is not None, group

    def _from_unbound_room(self, inbound: Inbound) -> None:
        if self.unbound_room is None:
            return
        try:
            with self.sessions.begin() as session:
                self.unbound_room(session, inbound, self.clock.now())
        except Exception:
            log.exception("could not handle message %s from an unbound room",
                          inbound.message_id)

    def _turn(self, session: Session, inbound: Inbound, group: str | None) -> Turn:
        chosen = self.home.groups[group] if group is not None else None
        return Turn(inbound, self.home, session, self.clock.now(), chosen)

    def _dispatch(self, turn: Turn) -> None:
        inbound = turn.inbound
        command = parse_command(inbound.text) if inbound.kind is MessageKind.TEXT else None
        spec = self.commands.get(command.name) if command else None
        if command is not None:
            turn.command = f"#{command.name} {command.args}".strip()
        if command is not None and spec is not None:
            turn.record("command", ref=command.name,
                        detail={"text": inbound.text[:2000], "kind": inbound.kind.value})
            if spec.admin_only and not turn.is_admin():
                refusal = msg.ADMIN_ONLY if turn.group else msg.ADMIN_ONLY_PRIVATE
                turn.reply(refusal.format(command=command.name),
                           mentions=self._at_sender(turn))
                return
            spec.handler(turn, command.args)
            return
        detail: dict[str, object] = {"kind": inbound.kind.value, "length": len(inbound.text)}
        if self.home.bot.store_chat_text:
            detail["text"] = inbound.text[:2000]
        turn.record("message", detail=detail)
        if command is not None:  # "#something" we do not know
            turn.reply(msg.UNKNOWN_COMMAND.format(command=command.name),
                       mentions=self._at_sender(turn))
            return
        for fallback in self.fallbacks:
            if fallback(turn):
                return

    @staticmethod
    def _at_sender(turn: Turn) -> tuple[str, ...]:
        return () if turn.in_private else (turn.sender,)

    def _apologise(self, inbound: Inbound, group: str | None) -> None:
        try:
            with self.sessions.begin() as session:
                target = Target.group(group) if group else Target.contact(inbound.sender_id)
                enqueue(session, [Outgoing(f"msg:{inbound.account}:{inbound.message_id}:error",
                                           inbound.account, target,
                                           TextOut(msg.HANDLER_FAILED), "reply")],
                        now=self.clock.now())
        except Exception:
            log.exception("could not queue the apology for message %s", inbound.message_id)

    def _duplicate(self, account: str, message_id: str) -> bool:
        key = f"{account}:{message_id}"
        if key in self._seen:
            return True
        self._seen[key] = None
        if len(self._seen) > 50_000:
            self._seen.popitem(last=False)
        return False

    # --- joins and leaves ------------------------------------------------------------------------

    def handle_membership(self, change: MembershipChange) -> None:
        """Record joins and leaves; welcome whoever joined. Never raises."""
        group_id = self.rooms.group_for_room(change.account, change.room_id)
        if group_id is None:
            return
        now = self.clock.now()
        kind = "join" if change.joined else "leave"
        try:
            with self.sessions.begin() as session:
                eventlog.append_bulk(session, [
                    eventlog.NewEvent(kind=kind, ts=now, account=change.account,
                                      group_id=group_id, actor=member)
                    for member in change.member_ids
                ])
                if change.joined and change.member_ids:
                    group = self.home.groups[group_id]
                    text = self.home.bot.welcome.format_map(_Blank(
                        name="、".join(change.member_names), group=group.name))
                    notes = capabilities.of_account(self.home, change.account).help_notes()
                    text = "\n".join([text.strip(), *notes])
                    stamp = f"{now:%Y%m%d%H%M%S%f}"
                    enqueue(session, [Outgoing(
                        f"welcome:{group_id}:{','.join(change.member_ids)}:{stamp}",
                        change.account, Target.group(group_id),
                        TextOut(text.strip(), change.member_ids), "welcome")], now=now)
        except Exception:
            log.exception("could not record %s in room %s", kind, change.room_id)

    # --- help ------------------------------------------------------------------------------------

    def help_text(self, *, admin: bool, group: Group | None = None,
                  account: str | None = None) -> str:
        """Every command this sender may use; examples in the lines come from the home. Then
        what applies on the account's transport (on WeCom: @ first, photos in private)."""
        examples = examples_for(self.home, group)
        lines = [msg.HELP_HEADER]
        lines += [f"  {fill(s.usage, examples)}" for s in self.commands.values()
                  if admin or not s.admin_only]
        caps = capabilities.of_account(self.home, account) if account else capabilities.LOCAL
        if account is not None:
            lines += caps.help_notes()
        lines.append(msg.HELP_FOOTER.format(identity=caps.identity))
        return "\n".join(lines)


class _Blank(dict[str, str]):
    """Leaves unknown ``{placeholders}`` in a welcome template as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
