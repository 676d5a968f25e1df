"""Binding a chat the account cannot list: ``@bot #绑定 <group-id>``.

A WeCom 智能机器人 cannot list the chats it is in; a chat's id is first seen when someone @s
the bot there. An admin of the group's region (or above) then binds it from inside the chat.
The binding is stored like any other (:class:`~bot.chat.rooms.RoomDirectory`), with who made it.
A chat nobody has bound is reported to the province's admins once; so are, on ready, the
account's groups no chat has been bound to yet.

Answers about a binding that did not happen go to the admin privately: the chat has no group
yet, and the outbox addresses groups, not raw chats.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.chat.examples import examples_for
from bot.chat.parse import clean, parse_command
from bot.chat.rooms import RoomDirectory
from bot.chat.router import CommandSpec
from bot.chat.turn import Turn
from bot.config import Home
from bot.core import events
from bot.core.messages import Inbound, MessageKind, Target, TextOut
from bot.delivery.outbox import Outgoing, enqueue
from bot.transport import capabilities

log = logging.getLogger(__name__)

COMMAND = "绑定"


class Binder:
    def __init__(self, home: Home, rooms: RoomDirectory) -> None:
        self.home = home
        self.rooms = rooms

    def command(self) -> CommandSpec:
        """``#绑定`` in a chat that is already bound (or in private chat)."""
        return CommandSpec(COMMAND, self._bound_chat, msg.BIND_USAGE, admin_only=True)

    # --- a chat with no group yet ----------------------------------------------------------------

    def unbound_chat(self, session: Session, inbound: Inbound, now: datetime) -> None:
        """A message from a chat no group is bound to: a ``#绑定`` binds it; anything else
        tells the province once that such a chat exists (only where chats cannot be listed:
        a WeChat room's absence is reported when the account lists its rooms)."""
        if capabilities.of_account(self.home, inbound.account).lists_rooms:
            return
        assert inbound.room_id is not None
        command = parse_command(inbound.text) if inbound.kind is MessageKind.TEXT else None
        if command is not None and command.name == COMMAND:
            self._bind(session, inbound, inbound.room_id, clean(command.args), now)
            return
        self._report_chat(session, inbound.account, inbound.room_id, now)

    def _bind(self, session: Session, inbound: Inbound, room: str, args: str,
              now: datetime) -> None:
        def tell(text: str) -> None:
            _send(session, inbound, Target.contact(inbound.sender_id), text, now)

        group_id = args.split(" ")[0] if args else ""
        if not group_id:
            tell(msg.BIND_HINT.format(example=self._example(inbound.account)))
            return
        group = self.home.groups.get(group_id)
        if group is None:
            tell(msg.BIND_UNKNOWN_GROUP.format(group=group_id[:64]))
            return
        if group.account != inbound.account:
            tell(msg.BIND_OTHER_ACCOUNT.format(group=group.id, account=group.account))
            return
        if not self.home.administers(inbound.sender_id, group.region):
            tell(msg.BIND_NOT_ADMIN.format(region=self.home.regions[group.region].name,
                                           name=group.name))
            return
        before = self.rooms.room_for_group(group.id)
        self.rooms.bind_one(session, inbound.account, group.id, room, topic=group.name,
                            by=inbound.sender_id, now=now)
        eventlog.append(session, [eventlog.NewEvent(
            kind=events.BINDING, ts=now, account=inbound.account, group_id=group.id,
            actor=inbound.sender_id, detail={"room": room, "by": inbound.sender_id,
                                             "before": before})])
        text = msg.BIND_MOVED if before is not None and before != room else msg.BIND_DONE
        log.info("group %s bound to chat %s by %s", group.id, room, inbound.sender_id)
        _send(session, inbound, Target.group(group.id),
              text.format(name=group.name, group=group.id), now)

    def _bound_chat(self, turn: Turn, args: str) -> None:
        if turn.group is None:
            turn.reply(msg.BIND_IN_PRIVATE)
            return
        group_id = clean(args).split(" ")[0] if clean(args) else ""
        if group_id in ("", turn.group.id):
            turn.reply(msg.BIND_ALREADY.format(name=turn.group.name, group=turn.group.id))
            return
        turn.reply(msg.BIND_TAKEN.format(other=turn.group.name, other_id=turn.group.id),
                   mentions=(turn.sender,))

    def _example(self, account: str) -> str:
        mine = next((g for g in self.home.groups.values() if g.account == account), None)
        return mine.id if mine is not None else examples_for(self.home).group

    # --- telling the province --------------------------------------------------------------------

    def _report_chat(self, session: Session, account: str, room: str, now: datetime) -> None:
        """Once per chat (the outbox key is the chat's): a restart or the next @ adds nothing."""
        text = msg.BINDING_REPORT.format(account=account,
                                         lines=msg.BINDING_WECOM_UNKNOWN.format(room=room))
        enqueue(session, [
            Outgoing(f"binding:{account}:chat:{room}:{admin.id}"[:255], account,
                     Target.contact(admin.id), TextOut(text), "alert")
            for admin in self.home.admins_of(self.home.province_id)], now=now)

    def report_unbound(self, session: Session, account: str, now: datetime) -> list[str]:
        """On ready: the account's groups no chat is bound to yet, told to the province once
        per situation; returns their ids."""
        for group in self.home.groups.values():  # a chat id known in advance needs no #绑定
            if group.account == account and group.room_id and not self.rooms.is_bound(group.id):
                self.rooms.bind_one(session, account, group.id, group.room_id,
                                    topic=group.name, by=None, now=now)
        unbound = [g for g in self.home.groups.values()
                   if g.account == account and not self.rooms.is_bound(g.id)]
        eventlog.append(session, [eventlog.NewEvent(
            kind=events.BINDING, ts=now, account=account,
            detail={"bound": sum(1 for g in self.home.groups.values() if g.account == account)
                    - len(unbound), "unbound": [g.id for g in unbound], "unknown": []})])
        if not unbound:
            return []
        lines = "\n".join(msg.BINDING_WECOM_UNBOUND.format(name=g.name, group=g.id)
                          for g in unbound)
        text = msg.BINDING_REPORT.format(account=account, lines=lines)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        enqueue(session, [
            Outgoing(f"binding:{account}:{digest}:{admin.id}", account,
                     Target.contact(admin.id), TextOut(text), "alert")
            for admin in self.home.admins_of(self.home.province_id)], now=now)
        return [g.id for g in unbound]


def _send(session: Session, inbound: Inbound, target: Target, text: str, now: datetime) -> None:
    key = f"msg:{inbound.account}:{inbound.message_id}:bind"
    enqueue(session, [Outgoing(key, inbound.account, target, TextOut(text), "reply")], now=now)
