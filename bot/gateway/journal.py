"""A gateway's world written to a file as it happens, and read back on the next start.

A real WeChat does not forget its chats when the gateway in front of it restarts; a gateway
started with ``--journal FILE`` behaves the same: every message, join, leave and topic change
is appended (one JSON line each, flushed at once, so a SIGKILL loses nothing written), and the
next start replays them into a fresh world built from the home, at their original times. The
replay goes through the world's own calls, so ids come out the same; the first line keeps the
world's epoch, so wire ids stay the same too.

System lines ("X joined") are not written: replaying the join writes them again.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from bot.clock import Clock
from bot.transport.local_world import Event, LocalWorld, Membership, Message, TopicChange


class ReplayClock:
    """The system clock, except while a journal replays: then the replayed event's time."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.at: datetime | None = None

    def now(self) -> datetime:
        return self.at if self.at is not None else self._clock.now()


class Journal:
    """Appends the world's events to ``path``; :meth:`open` replays what it already holds."""

    def __init__(self, path: Path, epoch: str, file: IO[str], world: LocalWorld) -> None:
        self.path = path
        self.world = world
        self.epoch = epoch
        self._file = file
        self.replayed = 0

    @classmethod
    def open(cls, path: Path, world: LocalWorld, clock: ReplayClock) -> Journal:
        """Replay ``path`` into ``world`` (which must be fresh from the same home), then record."""
        epoch = ""
        replayed = 0
        if path.exists():
            with path.open(encoding="utf-8") as old:
                for line in old:
                    if not line.strip():
                        continue
                    try:
                        entry = json.loads(line)
                    except json.JSONDecodeError:
                        break  # a line cut short by a crash: everything before it holds
                    if "epoch" in entry:
                        epoch = str(entry["epoch"])
                        continue
                    clock.at = datetime.fromisoformat(entry["ts"])
                    try:
                        _replay(world, entry)
                    finally:
                        clock.at = None
                    replayed += 1
        path.parent.mkdir(parents=True, exist_ok=True)
        file = path.open("a", encoding="utf-8")
        if not epoch:
            epoch = secrets.token_hex(4)
            file.write(json.dumps({"epoch": epoch}) + "\n")
            file.flush()
        journal = cls(path, epoch, file, world)
        journal.replayed = replayed
        world.subscribe(journal.record)
        return journal

    def record(self, event: Event) -> None:
        if isinstance(event, Message) and event.type == "system":
            return  # the join or leave it announces replays it (at the same moment)
        entry = _entry(event, self.world)
        if entry is not None:
            self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self._file.flush()

    def close(self) -> None:
        self._file.close()


def _entry(event: Event, world: LocalWorld) -> dict[str, Any] | None:
    if isinstance(event, Message):
        if event.type == "system":
            return None
        return {"op": "post", "ts": event.ts.isoformat(), "room": event.room_id,
                "from": event.from_id, "to": event.to_id, "type": event.type,
                "text": event.text, "mentions": list(event.mentions), "title": event.title,
                "url": event.url, "description": event.description,
                "thumbnail_url": event.thumbnail_url, "file_name": event.file_name,
                "file_path": event.file_path, "file_size": event.file_size}
    if isinstance(event, Membership):
        return {"op": "join" if event.joined else "leave", "ts": event.ts.isoformat(),
                "room": event.room_id, "members": list(event.member_ids), "by": event.by,
                # a newcomer is a new contact: the replay needs the name to create it again
                "names": {m: world.contact(m).name for m in event.member_ids}}
    if isinstance(event, TopicChange):
        return {"op": "topic", "ts": event.ts.isoformat(), "room": event.room_id,
                "topic": event.new, "by": event.by}
    return None


def _replay(world: LocalWorld, entry: dict[str, Any]) -> None:
    op = entry["op"]
    if op == "post":
        fields = {k: entry[k] for k in ("text", "title", "url", "description", "thumbnail_url",
                                         "file_name", "file_path", "file_size")}
        mentions = tuple(entry["mentions"])
        sender = entry["from"]
        if entry["room"]:
            world.post(entry["room"], sender, entry["type"], mentions=mentions, **fields)
        elif sender in world.bots():
            world.post(entry["to"], sender, entry["type"], mentions=mentions, **fields)
        else:
            world.post(sender, sender, entry["type"], bot_id=entry["to"], mentions=mentions,
                       **fields)
    elif op == "join":
        for member in entry["members"]:
            world.join(entry["room"], member, entry.get("names", {}).get(member), by=entry["by"])
    elif op == "leave":
        for member in entry["members"]:
            world.leave(entry["room"], member, by=entry["by"])
    elif op == "topic":
        world.set_topic(entry["room"], entry["topic"], by=entry["by"])
