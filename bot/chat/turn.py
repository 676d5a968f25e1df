"""A :class:`Turn` is what a chat handler gets: the message, who sent it, where, and the means to
answer and record, all inside one database transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.clock import naive_utc
from bot.config import Home
from bot.config.models import Expert, Group
from bot.core import events
from bot.core.messages import Inbound, Payload, Target, TextOut, payload_to_json
from bot.db.schema import Event
from bot.delivery import fairness
from bot.delivery.outbox import Outgoing, enqueue
from bot.transport import capabilities


@dataclass
class Turn:
    inbound: Inbound
    home: Home
    session: Session
    now: datetime
    group: Group | None  # the configured group of the room; None in private chat
    # the cleaned command this turn answers (set by the router): its replies are admitted
    # through the per-member limit
    command: str | None = None
    _sent: int = field(default=0, init=False)
    _admission: fairness.Admission | None = field(default=None, init=False)

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
             account: str | None = None, priority: int | None = None) -> None:
        """Queue a message caused by this turn; keyed by the inbound message, so a duplicate
        delivery of the same message queues nothing new. A command's replies to a member go
        through the per-member limit (:func:`bot.delivery.fairness.admit`)."""
        self._sent += 1
        key = f"msg:{self.account}:{self.inbound.message_id}:{self._sent}"
        message = Outgoing(key, account or self.account, target, payload, purpose, ref, priority)
        if purpose == fairness.COMMAND_REPLY and self._limited():
            request = fairness.request_key(f"{target.kind}:{target.id}", payload_to_json(payload))
            if fairness.waiting(self.session, account=message.account, member=self.sender,
                                request=request):
                self.record(events.REPLY_DUPLICATE, ref=self._command_ref())
                return
            message = dataclasses.replace(message, requester=self.sender, request=request,
                                          due=self._admission_now().due)
        enqueue(self.session, [message], now=self.now, fair=self.home.bot.outbox.fair)

    def _limited(self) -> bool:
        """Whether this turn's replies go through the per-member limit: a command's, fairness
        on, and not from a configured admin or expert (their commands are their work)."""
        return (self.command is not None and self.home.bot.outbox.fair
                and self.expert() is None
                and not any(a.id == self.sender for a in self.home.admins))

    def _command_ref(self) -> str | None:
        return self.command[:128] if self.command else None

    def _admission_now(self) -> fairness.Admission:
        """Once per turn: when this command's replies may go; counted and told here."""
        if self._admission is not None:
            return self._admission
        settings = self.home.bot.outbox
        admission = self._admission = fairness.admit(
            self.session, settings, account=self.account, member=self.sender, now=self.now)
        limit = settings.command_replies_per_minute
        if admission.held_back(self.now):
            seconds = round((admission.due - naive_utc(self.now)).total_seconds())
            self.record(events.REPLY_DEFERRED, ref=self._command_ref(),
                        detail={"seconds": seconds, "told": admission.tell})
            if admission.tell:
                place = self.group.name if self.group else msg.REPLY_LATER_PRIVATE
                enqueue(self.session, [Outgoing(
                    f"later:{self.account}:{self.inbound.message_id}", self.account,
                    Target.contact(self.sender),
                    TextOut(msg.REPLY_LATER.format(place=place, limit=limit)), fairness.LATER)],
                    now=self.now, fair=self.home.bot.outbox.fair)
        return admission

    def record(self, kind: str, *, ref: str | None = None, actor: str | None = None,
               detail: Mapping[str, Any] | None = None, group_id: str | None = None) -> Event:
        """Append one event caused by this turn to the log."""
        [event] = eventlog.append(self.session, [eventlog.NewEvent(
            kind=kind, ts=self.now, account=self.account,
            group_id=group_id or (self.group.id if self.group else None),
            actor=actor or self.sender, ref=ref, detail=detail or {},
        )])
        return event
