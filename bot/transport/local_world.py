"""A WeChat-like world built from a home: contacts, rooms and message logs, in memory.

It is what the local puppet serves to the real ``Wechaty`` class, and what the simulator shows
and drives over HTTP: it lists rooms, reads a room's messages after an id, lets any member
speak, and lets people join and leave. No chat SDK here; the puppet translates.

Everything is deterministic given the home and the clock: the same seed gives the same
technicians, ids are counters. Call it from the event loop's thread only: observers run
synchronously inside each call.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.clock import Clock
from bot.config import Home

log = logging.getLogger(__name__)

Role = Literal["member", "expert", "admin", "bot"]
MessageType = Literal["text", "url", "file", "image", "video", "contact", "system"]


class WorldError(LookupError):
    """An unknown room or contact, or someone acting where they are not a member."""


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    role: Role = "member"


@dataclass
class Room:
    id: str
    topic: str
    group_id: str | None
    owner_id: str
    member_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Message:
    """One line in a room or a private chat. ``id`` grows across the whole world."""

    id: int
    chat: str  # the room id, or "<bot id>|<contact id>" for a private chat
    room_id: str | None
    from_id: str
    to_id: str | None  # the other side of a private chat
    type: MessageType
    text: str
    ts: datetime
    mentions: tuple[str, ...] = ()
    title: str = ""
    url: str = ""
    description: str = ""
    thumbnail_url: str = ""
    file_name: str = ""
    file_path: str = ""
    file_size: int = 0

    @property
    def bot_side(self) -> str | None:
        """The bot of a private chat (either side may have written); None in a room."""
        return None if self.room_id is not None else self.chat.partition("|")[0]

    @property
    def person_side(self) -> str | None:
        """The person of a private chat; None in a room."""
        return None if self.room_id is not None else self.chat.partition("|")[2]


@dataclass(frozen=True)
class Membership:
    """People joined (or left) a room; ``by`` invited or removed them."""

    room_id: str
    member_ids: tuple[str, ...]
    joined: bool
    by: str
    ts: datetime


@dataclass(frozen=True)
class TopicChange:
    room_id: str
    old: str
    new: str
    by: str
    ts: datetime


Event = Message | Membership | TopicChange
Observer = Callable[[Event], None]


class SendRefused(RuntimeError):
    """What WeChat answers when it refuses a send (e.g. ``操作过于频繁``)."""


_WORLDS = itertools.count(1)


def bot_contact_id(account_id: str) -> str:
    return f"wxid_bot_{account_id}"


def room_id_for(group_id: str) -> str:
    return f"room-{group_id}@chatroom"


def private_chat(bot_id: str, contact_id: str) -> str:
    return f"{bot_id}|{contact_id}"


class LocalWorld:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.tag = f"w{next(_WORLDS)}"  # tells this world's messages from another's in one process
        self._contacts: dict[str, Contact] = {}
        self._rooms: dict[str, Room] = {}
        self._logs: dict[str, list[Message]] = {}
        self._by_id: dict[int, Message] = {}
        self._bots: list[str] = []
        self._observers: list[Observer] = []
        self._refusals: list[str] = []
        self._next_id = 1

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def from_home(cls, home: Home, clock: Clock) -> LocalWorld:
        """One room per configured group with its region's admins and experts, the bot of the
        group's account, and generated technicians."""
        world = cls(clock)
        for account in home.bot.accounts:
            world.add_contact(Contact(bot_contact_id(account.id), account.name, "bot"))
        for admin in home.admins:
            world.add_contact(Contact(admin.id, admin.name, "admin"))
        for expert in home.experts.values():
            world.add_contact(Contact(expert.id, expert.name, "expert"))
        per_group = home.bot.local.technicians_per_group
        for group in home.groups.values():
            members = [bot_contact_id(group.account)]
            members += [a.id for a in home.admins_of(group.region)]
            members += [e.id for e in home.experts.values() if e.region == group.region]
            rng = random.Random(f"{home.bot.local.seed}:{group.id}")
            for n, name in enumerate(technician_names(rng, per_group), start=1):
                tech = world.add_contact(Contact(f"wxid_t_{group.id}_{n}", name))
                members.append(tech.id)
            world.add_room(room_id_for(group.id), group.room_topic or group.name,
                           owner_id=bot_contact_id(group.account), member_ids=members,
                           group_id=group.id)
        return world

    def add_contact(self, contact: Contact) -> Contact:
        self._contacts[contact.id] = contact
        if contact.role == "bot" and contact.id not in self._bots:
            self._bots.append(contact.id)
        return contact

    def add_room(self, room_id: str, topic: str, *, owner_id: str, member_ids: Iterable[str],
                 group_id: str | None = None) -> Room:
        members = list(dict.fromkeys([owner_id, *member_ids]))
        for member in members:
            self.contact(member)
        room = Room(room_id, topic, group_id, owner_id, members)
        self._rooms[room_id] = room
        self._logs.setdefault(room_id, [])
        return room

    # --- reading -------------------------------------------------------------------------------

    def rooms(self) -> list[Room]:
        return list(self._rooms.values())

    def room(self, room_id: str) -> Room:
        try:
            return self._rooms[room_id]
        except KeyError:
            raise WorldError(f"no room {room_id}") from None

    def contact(self, contact_id: str) -> Contact:
        try:
            return self._contacts[contact_id]
        except KeyError:
            raise WorldError(f"no contact {contact_id}") from None

    def contacts(self) -> list[Contact]:
        return list(self._contacts.values())

    def is_room(self, conversation: str) -> bool:
        return conversation in self._rooms

    def has_contact(self, contact_id: str) -> bool:
        return contact_id in self._contacts

    def bots(self) -> list[str]:
        """The bots' contact ids, one per account, in the order of ``bot.yaml``."""
        return list(self._bots)

    def members(self, room_id: str) -> list[Contact]:
        return [self._contacts[m] for m in self.room(room_id).member_ids]

    def rooms_of(self, contact_id: str) -> list[Room]:
        return [r for r in self._rooms.values() if contact_id in r.member_ids]

    def messages(self, room_id: str, since: int = 0) -> list[Message]:
        """The room's messages with an id above ``since``, oldest first."""
        self.room(room_id)
        return _after(self._logs[room_id], since)

    def private_messages(self, contact_id: str, since: int = 0, *, bot_id: str | None = None
                         ) -> list[Message]:
        """The private chat between ``contact_id`` and a bot (the first one by default)."""
        chat = private_chat(self._bot(bot_id), self.contact(contact_id).id)
        return _after(self._logs.get(chat, []), since)

    def message(self, message_id: int) -> Message:
        try:
            return self._by_id[message_id]
        except KeyError:
            raise WorldError(f"no message {message_id}") from None

    # --- acting --------------------------------------------------------------------------------

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every new message, membership and topic change."""
        self._observers.append(observer)
        return lambda: self._observers.remove(observer) if observer in self._observers else None

    def speak(self, room_id: str, from_id: str, text: str,
              mentions: Iterable[str] = ()) -> int:
        """A member says ``text`` in a room; returns the message id."""
        self._require_member(room_id, from_id)
        return self.post(room_id, from_id, "text", text=text, mentions=tuple(mentions)).id

    def speak_private(self, contact_id: str, text: str, *, bot_id: str | None = None) -> int:
        """``contact_id`` writes to a bot in private chat; returns the message id."""
        return self.post(self.contact(contact_id).id, contact_id, "text", text=text,
                         bot_id=self._bot(bot_id)).id

    def join(self, room_id: str, contact_id: str, name: str | None = None,
             *, by: str | None = None) -> None:
        """``contact_id`` joins the room (a new contact when unknown: ``name`` is required)."""
        room = self.room(room_id)
        if contact_id not in self._contacts:
            if not name:
                raise WorldError(f"a new contact {contact_id} needs a name")
            self.add_contact(Contact(contact_id, name))
        if contact_id in room.member_ids:
            return
        room.member_ids.append(contact_id)
        inviter = by or room.owner_id
        who = self._contacts[contact_id].name
        now = self.clock.now()  # the system line and the membership event are one moment
        self.post(room_id, inviter, "system", ts=now,
                  text=f"\"{self._contacts[inviter].name}\"邀请\"{who}\"加入了群聊")
        self._notify(Membership(room_id, (contact_id,), True, inviter, now))

    def leave(self, room_id: str, contact_id: str, *, by: str | None = None) -> None:
        room = self.room(room_id)
        if contact_id not in room.member_ids:
            raise WorldError(f"{contact_id} is not in {room_id}")
        room.member_ids.remove(contact_id)
        now = self.clock.now()
        self.post(room_id, by or contact_id, "system", ts=now,
                  text=f"\"{self._contacts[contact_id].name}\"退出了群聊")
        self._notify(Membership(room_id, (contact_id,), False, by or contact_id, now))

    def set_topic(self, room_id: str, topic: str, *, by: str | None = None) -> None:
        room = self.room(room_id)
        old, room.topic = room.topic, topic
        self._notify(TopicChange(room_id, old, topic, by or room.owner_id, self.clock.now()))

    def refuse_next_send(self, answer: str = "操作过于频繁") -> None:
        """The next message a bot sends is refused with ``answer``, as WeChat does."""
        self._refusals.append(answer)

    def check_send(self) -> None:
        """Raise :class:`SendRefused` when a refusal is pending (the puppet calls it)."""
        if self._refusals:
            raise SendRefused(self._refusals.pop(0))

    def post(self, conversation: str, from_id: str, type: MessageType, *,
             bot_id: str | None = None, text: str = "", mentions: tuple[str, ...] = (),
             title: str = "", url: str = "", description: str = "", thumbnail_url: str = "",
             file_name: str = "", file_path: str = "", file_size: int = 0,
             ts: datetime | None = None) -> Message:
        """Append a message to a room (``conversation`` is a room id) or to a private chat
        (a contact id; ``bot_id`` is the bot on the other side, or ``from_id`` is the bot)."""
        if conversation in self._rooms:
            chat, room_id, to_id = conversation, conversation, None
        else:
            self.contact(conversation)
            self.contact(from_id)
            if from_id in self._bots and from_id != conversation:
                chat, to_id = private_chat(from_id, conversation), conversation
            else:
                bot = self._bot(bot_id)
                chat, to_id = private_chat(bot, conversation), bot
            room_id = None
        message = Message(self._next_id, chat, room_id, from_id, to_id, type, text,
                          ts or self.clock.now(), mentions, title, url, description, thumbnail_url,
                          file_name, file_path, file_size)
        self._next_id += 1
        self._logs.setdefault(chat, []).append(message)
        self._by_id[message.id] = message
        self._notify(message)
        return message

    # --- helpers -------------------------------------------------------------------------------

    def _bot(self, bot_id: str | None) -> str:
        if bot_id is None:
            if not self._bots:
                raise WorldError("the world has no bot")
            return self._bots[0]
        if bot_id not in self._bots:
            raise WorldError(f"{bot_id} is not a bot")
        return bot_id

    def _require_member(self, room_id: str, contact_id: str) -> None:
        if contact_id not in self.room(room_id).member_ids:
            raise WorldError(f"{contact_id} is not in {room_id}")

    def _notify(self, event: Event) -> None:
        # Observers (faces, the simulator, a journal) run inside the world's own calls: one that
        # fails is logged here and neither breaks the call nor keeps the event from the others.
        for observer in list(self._observers):
            try:
                observer(event)
            except Exception:
                log.exception("local world: an observer failed on %s", type(event).__name__)


def _after(log: list[Message], since: int) -> list[Message]:
    # Ids grow, so the tail after `since` is found by bisection on long logs.
    lo, hi = 0, len(log)
    while lo < hi:
        mid = (lo + hi) // 2
        if log[mid].id <= since:
            lo = mid + 1
        else:
            hi = mid
    return log[lo:]


# --- technicians' names ----------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
    "薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武"
    "乔贺赖龚文"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志海波宁辉鹏飞春梅晶亮凤林云成"
    "德福宝山庆丰玲俊峰雪松艺淑珍婷浩宇文斌金凤立新晓东振兴永胜桂芝淑兰长青玉珍秋菊"
)


def technician_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct, plausible Chinese names: a common surname and one or two given
    characters, as rural technicians' WeChat names usually are."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choice(_SURNAMES) + given
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names
