"""Minting a pushed link's code, resolving it, recording an open.

A code is 16 characters of ``secrets.token_urlsafe`` (96 random bits): it cannot be guessed or
walked, so counting opens by code is counting opens of that push. The code is minted when the
push is queued (in the firing's transaction) and the outbox row keeps the real address beside
it; the sender puts the public base in front at send time, so a change of address in
``bot.yaml`` or of the simulator's port applies to what is still queued.

An open is recorded against the group the link was pushed to, whoever opens it: a link
forwarded out of the group still counts for that group. Nothing about the person is kept.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot import eventlog
from bot.clock import naive_utc
from bot.core import events
from bot.core.messages import FileOut, LinkOut, Payload
from bot.db.schema import TrackedLink

CODE_BYTES = 12  # → 16 url-safe characters
CODE = re.compile(r"^[A-Za-z0-9_-]{16}$")
PATH = "/l/"


def mint(session: Session, *, group_id: str, content_id: str, push_key: str, url: str,
         now: datetime) -> str:
    code = secrets.token_urlsafe(CODE_BYTES)
    session.add(TrackedLink(code=code, group_id=group_id, content_id=content_id,
                            push_key=push_key, url=url, created_at=naive_utc(now)))
    return code


def track(session: Session, payload: Payload, *, group_id: str, content_id: str, push_key: str,
          now: datetime) -> Payload:
    """``payload`` with its link (a card, or a file's fallback card) given a tracking code."""
    def tracked(card: LinkOut) -> LinkOut:
        return replace(card, track=mint(session, group_id=group_id, content_id=content_id,
                                        push_key=push_key, url=card.url, now=now))

    if isinstance(payload, LinkOut):
        return tracked(payload)
    if isinstance(payload, FileOut) and payload.fallback is not None:
        return replace(payload, fallback=tracked(payload.fallback))
    return payload


def public_url(base: str, code: str) -> str:
    return base.rstrip("/") + PATH + code


def addressed(payload: Payload, base: str | None) -> Payload:
    """What goes out: a tracked card points at ``base``; without a base, at the real address."""
    def card(link: LinkOut) -> LinkOut:
        if link.track is None or base is None:
            return link
        return replace(link, url=public_url(base, link.track))

    if isinstance(payload, LinkOut):
        return card(payload)
    if isinstance(payload, FileOut) and payload.fallback is not None:
        return replace(payload, fallback=card(payload.fallback))
    return payload


def is_tracked(payload: Payload) -> bool:
    if isinstance(payload, FileOut):
        return payload.fallback is not None and payload.fallback.track is not None
    return isinstance(payload, LinkOut) and payload.track is not None


def open_link(session: Session, code: str, now: datetime) -> str | None:
    """Record one open of ``code`` and return where it leads; ``None`` for an unknown code."""
    if not CODE.fullmatch(code):
        return None
    link = session.get(TrackedLink, code)
    if link is None:
        return None
    eventlog.append(session, [eventlog.NewEvent(
        kind=events.LINK_OPEN, ts=now, group_id=link.group_id, ref=link.content_id,
        detail={"code": link.code, "key": link.push_key})])
    return link.url

