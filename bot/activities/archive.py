"""The activity archive: photos and videos posted while an activity is open, kept as evidence.

The transport saves a message's file only when a feature wants it (``media_wanted`` in
:mod:`bot.app`); an open activity in the group is one such reason. Here the saved file is placed
under the home's ``data/activities/<id>/`` (a hard link when the file system allows, so a video
is not stored twice), hashed, and recorded twice in one transaction: a row for the package and
an event whose detail carries the SHA-256, so the log proves which picture belongs to which
activity even if the folder is later copied around.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

from bot.activities import sessions
from bot.chat.turn import Turn
from bot.clock import naive_utc
from bot.core import events as ev
from bot.core.messages import MessageKind
from bot.db.schema import ActivityMedia, TrainingSession
from bot.digests import sha256_of
from bot.stats.figures import session_ref

log = logging.getLogger(__name__)

ARCHIVED_KINDS = {MessageKind.IMAGE: "image", MessageKind.VIDEO: "video"}
FOLDER = "activities"
_UNSAFE = re.compile(r"[^\w.\-]+")


def folder(data_dir: Path, activity_id: int) -> Path:
    return data_dir / FOLDER / str(activity_id)


def safe_name(name: str, fallback: str) -> str:
    """A file name that is safe on every file system and inside a zip (no folders, no dots
    first); Chinese characters are kept, they are what people recognise."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).lstrip("._")
    return base[-100:] or fallback


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def keep(turn: Turn, row: TrainingSession) -> ActivityMedia | None:
    """Archive the turn's photo or video for activity ``row``; ``None`` when the message holds
    no file the transport could save (it is then only counted as a message)."""
    kind = ARCHIVED_KINDS.get(turn.inbound.kind)
    if kind is None or not turn.inbound.media:
        return None
    source = Path(turn.inbound.media)
    if not source.is_file():
        log.info("activity %s: media of message %s is gone", row.id, turn.inbound.message_id)
        return None
    data = turn.home.paths.data
    number = len(sessions.media(turn.session, row.id)) + 1
    original = turn.inbound.text or source.name
    name = f"{number:03d}-{safe_name(original, f'{kind}{source.suffix}')}"
    if not Path(name).suffix and source.suffix:
        name += source.suffix
    target = folder(data, row.id) / name
    _place(source, target)
    digest, size = sha256_of(target), target.stat().st_size
    relative = target.relative_to(data).as_posix()
    event = turn.record(ev.ACTIVITY_MEDIA, ref=session_ref(row.id), detail={
        "kind": kind, "file": relative, "name": name, "size": size, "sha256": digest,
        "message": turn.inbound.message_id})
    item = ActivityMedia(session_id=row.id, event_id=event.id, kind=kind, path=relative,
                         name=name, sender=turn.sender,
                         sender_name=turn.inbound.sender_name[:64] or None,
                         group_id=turn.group.id if turn.group else None,
                         ts=naive_utc(turn.now), size=size, sha256=digest)
    turn.session.add(item)
    turn.session.flush()
    return item


def archive_fallback(turn: Turn) -> bool:
    """Router fallback: keep a photo or video posted while the group's activity is open. It
    never takes the message, so the same photo can still be attached to a question."""
    if turn.group is None or turn.inbound.kind not in ARCHIVED_KINDS:
        return False
    row = sessions.current(turn.session, turn.home, turn.group.id)
    if row is not None:
        keep(turn, row)
    return False
