"""What one push sends a group: which item (fixed, next episode, or a pick) and its message.

The choice reads a :class:`PushState` (series cursors, items each group already had, paused
groups), loaded from the database for a firing and copied in memory for a preview, so what the
preview shows is what the firing will do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import messages as msg
from bot.config import Home
from bot.config.models import ContentItem, Group
from bot.core.messages import FileOut, LinkOut, Payload
from bot.db.schema import PushCursor, PushLog, PushPause
from bot.schedules.models import What

T = TypeVar("T")
_CHUNK = 500  # ids per IN (...) list: well inside every driver's parameter limit


def chunks(values: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


@dataclass
class PushState:
    cursors: dict[tuple[str, str], int] = field(default_factory=dict)  # (group, series) → next
    pushed: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    paused: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, groups: Collection[str] | None = None, *,
             pushed: bool = True) -> PushState:
        """The state of ``groups`` (every group when ``None``)."""
        state = cls()
        for part in ([None] if groups is None else chunks(sorted(groups))):
            cursor_q = select(PushCursor.group_id, PushCursor.series_id, PushCursor.next_episode)
            pause_q = select(PushPause.group_id)
            pushed_q = select(PushLog.group_id, PushLog.content_id).where(
                PushLog.outcome == "queued", PushLog.content_id.is_not(None)).distinct()
            if part is not None:
                cursor_q = cursor_q.where(PushCursor.group_id.in_(part))
                pause_q = pause_q.where(PushPause.group_id.in_(part))
                pushed_q = pushed_q.where(PushLog.group_id.in_(part))
            for group_id, series_id, number in session.execute(cursor_q):
                state.cursors[(group_id, series_id)] = number
            state.paused.update(session.scalars(pause_q))
            if pushed:
                for group_id, content_id in session.execute(pushed_q):
                    state.pushed[group_id].add(content_id)
        return state

    def next_episode(self, group_id: str, series_id: str) -> int:
        return self.cursors.get((group_id, series_id), 1)


@dataclass(frozen=True)
class Choice:
    item: ContentItem | None  # None: nothing left to send (series finished, picks used up)
    episode: int | None = None


def choose(home: Home, what: What, group: Group, state: PushState) -> Choice:
    if what.item is not None:
        return Choice(home.items[what.item])
    if what.series is not None:
        number = state.next_episode(group.id, what.series)
        episodes = home.episodes.get(what.series, ())
        return Choice(home.items[episodes[number - 1]] if number <= len(episodes) else None,
                      number)
    assert what.pick is not None
    had = state.pushed.get(group.id, set())
    for item in home.items.values():
        if (item.industry == what.pick.industry and group.tier in item.tiers
                and (what.pick.tier is None or what.pick.tier in item.tiers)
                and item.id not in had):
            return Choice(item)
    return Choice(None)


def record_choice(state: PushState, what: What, group_id: str, choice: Choice) -> None:
    """What a queued push changes: the cursor moves on, the group has had the item."""
    if choice.item is None:
        return
    state.pushed[group_id].add(choice.item.id)
    if what.series is not None and choice.episode is not None:
        state.cursors[(group_id, what.series)] = choice.episode + 1


# --- the message -----------------------------------------------------------------------------


def render_message(item: ContentItem, group: Group, template: str | None,
                   episode: int | None = None) -> str:
    """The text around the course: the admin's template, else source · speaker · duration."""
    minutes = msg.SCHED_DURATION.format(minutes=round(item.duration / 60)) \
        if item.duration is not None else ""
    if template is not None:
        values = {"title": item.title, "speaker": item.speaker or "", "source": item.source,
                  "duration": minutes, "group": group.name, "id": item.id,
                  "episode": str(episode or item.episode or "")}
        try:
            text = template.format_map(values)
        except (ValueError, KeyError, IndexError, AttributeError):
            text = ""  # a format spec the loader let through; fall back to the plain line
        if text.strip():
            return text.strip()
    parts: Iterable[str] = (item.source,
                            msg.SCHED_DEFAULT_SPEAKER.format(speaker=item.speaker)
                            if item.speaker else "", minutes)
    text = " · ".join(p for p in parts if p)
    return text + msg.EXAMPLE_LINK if item.url_is_example else text


def payload_for(home: Home, item: ContentItem, group: Group, template: str | None,
                episode: int | None = None) -> Payload:
    """A link card; a local file when the item has one (with the card as its fallback)."""
    text = render_message(item, group, template, episode)
    card = LinkOut(item.title, item.url, text) if item.url else None
    if item.file is not None:
        return FileOut(str(home.paths.media / item.file), Path(item.file).name, card)
    assert card is not None  # the home loader requires a url or a file
    return card
