"""发送: the outbox of a scope's groups — waiting, recently sent, dead letters — and the retry of
a dead letter, which is an event in the log like every other act of an admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.console.scope import Scope, ScopeError
from bot.core import events
from bot.core.messages import FileOut, ImageOut, LinkOut, TextOut, payload_from_json
from bot.db.schema import OutboxRow
from bot.delivery import outbox

Json = dict[str, Any]
LIST_LIMIT = 100
PREVIEW_CHARS = 80


def describe(raw: str) -> str:
    """A one-line preview of what a row sends."""
    try:
        payload = payload_from_json(raw)
    except (ValueError, KeyError, TypeError):
        return msg.CONSOLE_PAYLOAD_UNREADABLE
    if isinstance(payload, TextOut):
        text = payload.text
    elif isinstance(payload, LinkOut):
        text = msg.CONSOLE_PAYLOAD_LINK.format(title=payload.title)
    elif isinstance(payload, FileOut | ImageOut):
        text = msg.CONSOLE_PAYLOAD_FILE.format(name=payload.name)
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS - 1] + "…"


def _row(scope: Scope, row: OutboxRow) -> Json:
    zone = ZoneInfo(scope.home.bot.timezone)

    def local(at: datetime | None) -> str:
        return "" if at is None else f"{at.replace(tzinfo=UTC).astimezone(zone):%m-%d %H:%M}"

    group = scope.groups.get(row.target_id)
    return {"id": row.id, "group": group.name if group else row.target_id,
            "purpose": msg.OUTBOX_PURPOSES.get(row.purpose, msg.OUTBOX_PURPOSE_OTHER),
            "status": row.status, "attempts": row.attempts, "text": describe(row.payload),
            "created_at": local(row.created_at), "next_attempt_at": local(row.next_attempt_at),
            "sent_at": local(row.sent_at), "error": row.last_error or ""}


def _of_scope(scope: Scope) -> Any:
    return (OutboxRow.target_kind == "group", OutboxRow.target_id.in_(list(scope.groups)))


def listing(session: Session, scope: Scope) -> Json:
    """Waiting rows (due first), the latest sent, and every dead letter of the scope's groups."""
    where = _of_scope(scope)
    waiting = session.scalars(select(OutboxRow).where(
        *where, OutboxRow.status.in_([outbox.PENDING, outbox.SENDING]))
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(LIST_LIMIT))
    sent = session.scalars(select(OutboxRow).where(*where, OutboxRow.status == outbox.SENT)
                           .order_by(OutboxRow.sent_at.desc(), OutboxRow.id.desc())
                           .limit(LIST_LIMIT))
    dead = session.scalars(select(OutboxRow).where(*where, OutboxRow.status == outbox.DEAD)
                           .order_by(OutboxRow.id.desc()).limit(LIST_LIMIT))
    return {"waiting": [_row(scope, r) for r in waiting],
            "sent": [_row(scope, r) for r in sent],
            "dead": [_row(scope, r) for r in dead]}


def retry(session: Session, scope: Scope, row_id: int, admin_id: str, now: datetime) -> Json:
    """Queue a dead letter of the scope again, recording who asked; anything else is refused
    (another region's row is 404 here, as if it did not exist)."""
    row = session.get(OutboxRow, row_id, with_for_update=True)
    if row is None or row.target_kind != "group" or not scope.covers_group(row.target_id):
        raise ScopeError(404, msg.CONSOLE_NO_OUTBOX_ROW)
    if row.status != outbox.DEAD:
        raise ScopeError(409, msg.CONSOLE_NOT_DEAD)
    detail = {"key": row.key, "purpose": row.purpose, "attempts": row.attempts,
              "error": (row.last_error or "")[:1000]}
    outbox.revive(row, now=now)
    eventlog.append(session, [eventlog.NewEvent(
        kind=events.DEAD_LETTER_RETRIED, ts=now, account=row.account, group_id=row.target_id,
        actor=admin_id, ref=row.key[:128], detail=detail)])
    return _row(scope, row)
