"""The event log, the outbox and room bindings: the tables every feature writes to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY is the rowid).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Event(Base):
    """One interaction, appended once and never changed; ``hash`` chains it to the one before."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    account: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(128))
    ref: Mapped[str | None] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON, hashed as stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_events_group_ts", "group_id", "ts"),
        Index("ix_events_kind_ts", "kind", "ts"),
    )


class OutboxRow(Base):
    """One outbound message, written before it is sent so a crash never loses it.

    ``key`` makes enqueueing idempotent: a scheduled push is keyed (schedule, fire time, group),
    a reply by the message it answers, so firing or handling twice queues once.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    account: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(16))  # group | contact
    target_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)  # bot.core.messages.payload_to_json
    purpose: Mapped[str] = mapped_column(String(32))  # reply | push | relay | alert | welcome …
    ref: Mapped[str | None] = mapped_column(String(128))  # content id, question id …
    priority: Mapped[int] = mapped_column(Integer, default=1)  # bot.delivery.fairness
    serve_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # rr turn
    requester: Mapped[str | None] = mapped_column(String(128))  # whose command it answers
    request: Mapped[str | None] = mapped_column(String(32))  # fairness.request_key
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    message_id: Mapped[str | None] = mapped_column(String(128))
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # the claim's walk: due rows by priority, round (round robin), age
        Index("ix_outbox_due", "account", "status", "priority", "serve_round", "next_attempt_at"),
        # a target's last queued round; a member's recent command replies
        Index("ix_outbox_target", "account", "target_kind", "target_id", "status", "priority"),
        Index("ix_outbox_requester", "account", "requester", "next_attempt_at"),
    )


class RoomBinding(Base):
    """Which platform room serves a configured group, learnt when the account lists its rooms
    (WeChat) or from an admin's ``#绑定`` in the chat (WeCom, whose chats cannot be listed)."""

    __tablename__ = "room_bindings"

    group_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[str] = mapped_column(String(128), index=True)
    topic: Mapped[str] = mapped_column(String(255))
    bound_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    # the admin who bound it with "@bot #绑定 <group-id>" (a WeCom chat); None: found by the
    # account's room list (a WeChat room's id or topic)
    bound_by: Mapped[str | None] = mapped_column(String(128), nullable=True)




class AccountLease(Base):
    """Which process runs an account (one at a time, :mod:`bot.delivery.lease`): who it is, since
    when, and its last heartbeat. No row: nobody holds the account."""

    __tablename__ = "account_leases"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))  # host:pid:random, unique per process life
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    pid_start: Mapped[str] = mapped_column(String(32))  # the kernel's start ticks; "" unknown
    since: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
