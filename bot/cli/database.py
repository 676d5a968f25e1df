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


def audit_verify(ctx: Context, _args: argparse.Namespace) -> int:
    engine = ctx.reader()  # verifying reads; it never creates or migrates a database
    if engine is None:
        print(msg.NO_DATABASE.format(url=ctx.database_label()), file=sys.stderr)
        return 1
    try:
        with session_factory(engine)() as session:
            checked, broken = eventlog.verify(session)
            head_id, head_hash = eventlog.head(session)
    finally:
        engine.dispose()
    if broken is not None:
        print(f"事件日志被改动: 第一个不符的事件 #{broken.event_id}: {broken.reason} "
              f"(已核对 {checked} 条)", file=sys.stderr)
        return 1
    print(f"事件日志完整: {checked} 条事件, 最新 #{head_id} {head_hash}")
    return 0
