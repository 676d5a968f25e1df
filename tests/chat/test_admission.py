"""The per-member limit on command replies, through the real router and database: past the limit
a member's replies are spread out and they are told once, privately; a command repeated while
its reply waits is not answered twice; each is an event."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot import messages as msg
from bot.core import events as kinds
from bot.core.messages import TextOut, payload_from_json
from bot.db.engine import session_factory
from bot.db.schema import Event
from bot.delivery import outbox
from bot.delivery.fairness import LATER

from .conftest import Chat

FLOODER, OTHER = "wxid_t_nongan_flood", "wxid_t_jiutai_calm"


def logged(chat: Chat, kind: str) -> list[Event]:
    with session_factory(chat.engine)() as session:
        return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def test_flood_is_spread_out_told_once_and_duplicates_dropped(chat: Chat) -> None:
    """Ten different commands and five repeats in one second: four replies are due now, the
    rest one minute apart per four, one private note says so, and the repeats (the same reply
    to the same place still queued) queue nothing."""
    limit = chat.home.bot.outbox.command_replies_per_minute
    assert limit == 4
    now = chat.clock.now().replace(tzinfo=None)
    for i in range(10):
        chat.say(FLOODER, f"#查{i}")
    for _ in range(5):
        chat.say(FLOODER, "#查0")  # its reply is still queued: not answered again
    chat.say(OTHER, "#帮助", group="jiutai-junior")
    rows = chat.outbox()
    replies = [r for r in rows if r.requester == FLOODER]
    assert len(replies) == 10
    waits = [(r.next_attempt_at - now).total_seconds() for r in replies]
    assert waits == [0] * 4 + [60] * 4 + [120] * 2
    [note] = [r for r in rows if r.purpose == LATER]
    assert (note.target_kind, note.target_id) == ("contact", FLOODER)
    assert payload_from_json(note.payload) == TextOut(msg.REPLY_LATER.format(
        place=chat.home.groups["nongan-junior"].name, limit=limit))
    other = next(r for r in rows if r.requester == OTHER)
    assert other.next_attempt_at == now and other.status == outbox.PENDING
    deferred = logged(chat, kinds.REPLY_DEFERRED)
    assert [json.loads(e.detail)["told"] for e in deferred] == [True] + [False] * 5
    assert all(e.actor == FLOODER and e.group_id == "nongan-junior" for e in deferred)
    assert len(logged(chat, kinds.REPLY_DUPLICATE)) == 5


def test_once_the_backlog_is_gone_the_member_is_answered_at_once(chat: Chat) -> None:
    """The limit is a rate, not a ban: a minute after the last held-back reply the next command
    is answered at once, and a new flood brings a new note."""
    for i in range(5):
        chat.say(FLOODER, f"#查{i}")
    chat.clock.advance(timedelta(minutes=2, seconds=1))
    chat.say(FLOODER, "#查again")
    last = chat.outbox()[-1]
    assert last.requester == FLOODER
    assert last.next_attempt_at == chat.clock.now().replace(tzinfo=None)
    for i in range(4):
        chat.say(FLOODER, f"#查more{i}")
    assert len([r for r in chat.outbox() if r.purpose == LATER]) == 2


def test_admins_and_experts_are_not_limited(chat: Chat) -> None:
    """Configured admins and experts work through commands; their replies are never held."""
    admin = next(a.id for a in chat.home.admins if a.region == "nongan")
    for i in range(8):
        chat.say(admin, f"#帮助 {i}")
    now = chat.clock.now().replace(tzinfo=None)
    assert all(r.next_attempt_at == now for r in chat.outbox())
    assert not logged(chat, kinds.REPLY_DEFERRED)
