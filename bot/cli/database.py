"""Commands on the database: ``db upgrade`` and ``audit verify``."""

from __future__ import annotations

import argparse
import sys

from bot import eventlog
from bot import messages as msg
from bot.context import Context
from bot.db.engine import session_factory


def db_upgrade(ctx: Context, _args: argparse.Namespace) -> int:
    engine = ctx.engine(migrate=True)
    print(f"数据库已是最新结构: {engine.url.render_as_string(hide_password=True)}")
    return 0


def audit_verify(ctx: Context, args: argparse.Namespace) -> int:
    """The chain is intact, and (with ``--anchor N:HASH``, kept outside the database: a report's
    stamp, an earlier run's output) still holds the anchored head: deleting the newest events
    or rewriting the whole chain leaves a valid chain, which only the anchor catches."""
    anchored = None
    if args.anchor is not None:
        anchored = eventlog.Anchor.parse(args.anchor)
        if anchored is None:
            print(msg.AUDIT_ANCHOR_BAD, file=sys.stderr)
            return 2
    engine = ctx.reader()  # verifying reads; it never creates or migrates a database
    if engine is None:
        print(msg.NO_DATABASE.format(url=ctx.database_label()), file=sys.stderr)
        return 1
    try:
        with session_factory(engine)() as session:
            checked, broken = eventlog.verify(session)
            now = eventlog.anchor(session)
            gone = eventlog.check_anchor(session, anchored) if anchored is not None else None
    finally:
        engine.dispose()
    if broken is not None:
        print(msg.AUDIT_BROKEN.format(event_id=broken.event_id, reason=broken.reason,
                                      checked=checked), file=sys.stderr)
        return 1
    if anchored is not None and gone is not None:
        print(eventlog.describe_break(anchored, gone), file=sys.stderr)
        return 1
    print(msg.AUDIT_OK.format(checked=checked, head_id=now.events, head_hash=now.head))
    if anchored is not None:
        print(msg.AUDIT_ANCHOR_OK.format(head=anchored.head[:16]))
    print(msg.AUDIT_ANCHOR_NOW.format(token=now.token()))
    return 0
