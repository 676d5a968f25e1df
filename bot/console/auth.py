"""Signing in without passwords: a one-time link sent in private chat opens a session.

``#后台`` from an admin calls :func:`issue_link` in the message's transaction; the admin opens
the link, :func:`redeem` spends it (once, within :data:`LINK_TTL`) and opens a session of
:data:`SESSION_TTL` whose cookie carries a second random token. Both tokens are 32 random bytes;
the database keeps only their SHA-256, so a copy of the database signs nobody in.

Identity is the contact id the bot saw send ``#后台`` (never a nickname). The session reaches
the widest region that contact administers, and everything below it (一级抓一级).

The CSRF token of a session is derived from its cookie (:func:`csrf_token`): tied to the
session, unknown to another site (which can neither read the cookie nor the page), and nothing
more to store.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot import eventlog
from bot.clock import naive_utc
from bot.config import Home
from bot.core import events
from bot.db.schema import ConsoleLink, ConsoleSession

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=10)  # a working day
TOKEN_BYTES = 32
LOGIN_PATH = "/console/login/"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"agribot-console-csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, given: str) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session_token), given)


def admin_region(home: Home, contact_id: str) -> str | None:
    """The widest region ``contact_id`` administers (the one nearest the province), if any."""
    regions = [a.region for a in home.admins if a.id == contact_id and a.region in home.regions]
    if not regions:
        return None
    return min(regions, key=lambda r: (sum(1 for _ in home.ancestors(r)), r))


@dataclass(frozen=True)
class Issued:
    token: str
    region_id: str
    expires_at: datetime


def issue_link(session: Session, home: Home, contact_id: str, now: datetime) -> Issued | None:
    """A new sign-in token for an admin (``None`` for anyone else); the link is
    ``<base>/console/login/<token>``."""
    region = admin_region(home, contact_id)
    if region is None:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    at = naive_utc(now)
    session.add(ConsoleLink(token_hash=digest(token), admin_id=contact_id, region_id=region,
                            created_at=at, expires_at=at + LINK_TTL))
    return Issued(token, region, at + LINK_TTL)


class Refused(Enum):
    UNKNOWN = "unknown"  # never issued (or mistyped)
    USED = "used"
    EXPIRED = "expired"
    NOT_ADMIN = "not_admin"  # no longer an admin in the configuration


@dataclass(frozen=True)
class Signed:
    """Who a session belongs to and how far it reaches."""

    admin_id: str
    region_id: str
    expires_at: datetime
    token: str = ""  # the cookie's value, only when the session was just opened


def redeem(session: Session, home: Home, token: str, now: datetime) -> Signed | Refused:
    """Spend a sign-in token and open a session, or say why not. A spent or expired link
    opens nothing however often it is tried."""
    at = naive_utc(now)
    link = session.get(ConsoleLink, digest(token), with_for_update=True) \
        if 0 < len(token) <= 128 else None
    if link is None:
        return Refused.UNKNOWN
    if link.used_at is not None:
        return Refused.USED
    if at >= link.expires_at:
        return Refused.EXPIRED
    link.used_at = at
    region = admin_region(home, link.admin_id)
    if region is None:
        return Refused.NOT_ADMIN
    cookie = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(ConsoleSession(token_hash=digest(cookie), admin_id=link.admin_id,
                               region_id=region, created_at=at, expires_at=at + SESSION_TTL))
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= at))
    eventlog.append(session, [eventlog.NewEvent(kind=events.CONSOLE_SIGNIN, ts=now,
                                                actor=link.admin_id, ref=region)])
    return Signed(link.admin_id, region, at + SESSION_TTL, cookie)


def lookup(session: Session, home: Home, cookie: str, now: datetime) -> Signed | None:
    """The live session of a cookie. Its region is the admin's as configured now: an admin
    removed from groups.yaml loses the console at the next request."""
    if not cookie or len(cookie) > 128:
        return None
    found = session.get(ConsoleSession, digest(cookie))
    if found is None or naive_utc(now) >= found.expires_at:
        return None
    region = admin_region(home, found.admin_id)
    if region is None:
        return None
    return Signed(found.admin_id, region, found.expires_at)


def sign_out(session: Session, cookie: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == digest(cookie)))
