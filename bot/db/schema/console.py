"""The admin console (bot/console): one-time sign-in links and the sessions they open.

Only SHA-256 digests of the random tokens are stored: whoever reads the database cannot sign in
with what they read. A link is used once (``used_at``); a session ends at ``expires_at`` or when
it is signed out (the row is deleted).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.schema.core import Base


class ConsoleLink(Base):
    """A sign-in link sent to an admin in private chat by ``#后台``."""

    __tablename__ = "console_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    admin_id: Mapped[str] = mapped_column(String(128))  # the contact id the bot saw
    region_id: Mapped[str] = mapped_column(String(64))  # the session's scope: this and below
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))


class ConsoleSession(Base):
    """A signed-in browser: its cookie's digest, whose it is and how far it reaches."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    admin_id: Mapped[str] = mapped_column(String(128))
    region_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=False), index=True)
