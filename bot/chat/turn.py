"""A :class:`Turn` is what a chat handler gets: the message, who sent it, where, and the means to
answer and record, all inside one database transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import eventlog
from bot.config import Home
from bot.config.models import Expert, Group
from bot.core.messages import Inbound, Payload, Target, TextOut
from bot.db.schema import Event
from bot.delivery.outbox import INTERACTIVE, Outgoing, enqueue
from bot.transport import capabilities


@dataclass
class Turn:
    inbound: Inbound
    home: Home
    session: Session
    now: datetime
    group: Group | None  # the configured group of the room; None in private chat
    _sent: int = field(default=0, init=False)

    @property
    def account(self) -> str:
        return self.inbound.account

    @property
    def sender(self) -> str:
        """The sender's contact id: the only identity the bot trusts (never the nickname)."""
        return self.inbound.sender_id

    @property
    def identity(self) -> str:
        """What people are told they are known by on this turn's transport (微信号, or the
        企业微信账号 on WeCom), for the sentences that say the nickname does not count."""
        return capabilities.of_account(self.home, self.account).identity

    @property
    def in_private(self) -> bool:
        return self.inbound.room_id is None

    def expert(self) -> Expert | None:
        return self.home.experts.get(self.sender)

    def is_admin(self, region_id: str | None = None) -> bool:
        """Whether the sender administers ``region_id`` (default: this group's region) or a
        region above it: a city admin also runs its counties (一级抓一级)."""
        region = region_id or (self.group.region if self.group else None)
        if region is None:
            return any(a.id == self.sender for a in self.home.admins)
        return self.home.administers(self.sender, region)

    def admin_regions(self) -> list[str]:
        return [a.region for a in self.home.admins if a.id == self.sender]

    # --- answering -------------------------------------------------------------------------------

    def here(self) -> Target:
        """Where a reply goes: the group, or the sender in private chat."""
        if self.group is not None:
            return Target.group(self.group.id)
        return Target.contact(self.sender)

    def reply(self, text: str, *, mentions: tuple[str, ...] = (), purpose: str = "reply",
              ref: str | None = None) -> None:
        self.send(self.here(), TextOut(text, mentions), purpose=purpose, ref=ref)

    def send(self, target: Target, payload: Payload, *, purpose: str, ref: str | None = None,
             account: str | None = None, priority: int = INTERACTIVE) -> None:
        """Queue a message caused by this turn; keyed by the inbound message, so a duplicate
        delivery of the same message queues nothing new."""
        self._sent += 1
        key = f"msg:{self.account}:{self.inbound.message_id}:{self._sent}"
        enqueue(self.session, [Outgoing(key, account or self.account, target, payload, purpose,
                                        ref, priority)], now=self.now)

    def record(self, kind: str, *, ref: str | None = None, actor: str | None = None,
               detail: Mapping[str, Any] | None = None, group_id: str | None = None) -> Event:
        """Append one event caused by this turn to the log."""
        [event] = eventlog.append(self.session, [eventlog.NewEvent(
            kind=kind, ts=self.now, account=self.account,
            group_id=group_id or (self.group.id if self.group else None),
            actor=actor or self.sender, ref=ref, detail=detail or {},
        )])
        return event
