"""Which platform room serves which configured group.

On ready an account lists its rooms; each of its groups is bound by configured room id, else by
the room id it was bound to before (so renaming a room keeps it), else by exact topic. Bindings
are kept in the database so a restart, or a push queued before it, finds the same room.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import naive_utc
from bot.config import Home
from bot.db.schema import RoomBinding


@dataclass(frozen=True)
class RoomInfo:
    id: str
    topic: str
    member_ids: tuple[str, ...] = ()  # without the bot itself


@dataclass
class BindReport:
    bound: dict[str, str] = field(default_factory=dict)  # group id → room id
    unbound: list[str] = field(default_factory=list)  # group ids with no room
    unknown: list[RoomInfo] = field(default_factory=list)  # rooms no group claims

    @property
    def clean(self) -> bool:
        return not self.unbound and not self.unknown


class RoomDirectory:
    def __init__(self, home: Home) -> None:
        self.home = home
        self._group_of: dict[tuple[str, str], str] = {}
        self._room_of: dict[str, str] = {}

    def load(self, session: Session) -> None:
        """Remember the bindings made by earlier runs."""
        for row in session.scalars(select(RoomBinding)):
            if row.group_id in self.home.groups:
                self._set(row.account, row.group_id, row.room_id)

    def bind(self, session: Session, account: str, rooms: list[RoomInfo], now: datetime
             ) -> BindReport:
        by_id = {r.id: r for r in rooms}
        by_topic: dict[str, RoomInfo] = {}
        for room in rooms:
            by_topic.setdefault(room.topic, room)
        report = BindReport()
        for group in self.home.groups.values():
            if group.account != account:
                continue
            known = self._room_of.get(group.id)
            chosen = _first(by_id.get(group.room_id or ""), by_id.get(known or ""),
                            by_topic.get(group.room_topic or ""))
            if chosen is None:
                report.unbound.append(group.id)
                continue
            report.bound[group.id] = chosen.id
            self._set(account, group.id, chosen.id)
            session.merge(RoomBinding(group_id=group.id, account=account, room_id=chosen.id,
                                      topic=chosen.topic, bound_at=naive_utc(now)))
        used = set(report.bound.values())
        report.unknown = [r for r in rooms if r.id not in used]
        return report

    def bind_one(self, session: Session, account: str, group_id: str, room_id: str, *,
                 topic: str, by: str | None, now: datetime) -> None:
        """Bind one group to one room, as an admin's ``#绑定`` in that room says."""
        self._set(account, group_id, room_id)
        session.merge(RoomBinding(group_id=group_id, account=account, room_id=room_id,
                                  topic=topic, bound_at=naive_utc(now), bound_by=by))

    def is_bound(self, group_id: str) -> bool:
        return group_id in self._room_of

    def _set(self, account: str, group_id: str, room_id: str) -> None:
        old = self._room_of.get(group_id)
        if old is not None:
            self._group_of.pop((account, old), None)
        self._group_of[(account, room_id)] = group_id
        self._room_of[group_id] = room_id

    def group_for_room(self, account: str, room_id: str) -> str | None:
        return self._group_of.get((account, room_id))

    def room_for_group(self, group_id: str) -> str | None:
        return self._room_of.get(group_id)


def _first(*rooms: RoomInfo | None) -> RoomInfo | None:
    return next((r for r in rooms if r is not None), None)
