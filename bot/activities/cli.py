"""``agribot activity list`` and ``agribot activity export --id N --out X.zip``: the activities
(培训 / 讲座 / 义诊) and their 报送 package, from the command line — the same package the bot
sends upward when an activity closes, rebuilt from the database and the archive."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot import messages as msg
from bot.activities import package, sessions
from bot.context import Context
from bot.db.engine import session_factory
from bot.db.schema import ActivityMedia, TrainingCheckin, TrainingSession
from bot.stats.figures import session_ref
from bot.texttable import render

_REF = re.compile(r"^(?:[Tt][-－]?)?0*(\d{1,12})$")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    activity = commands.add_parser("activity", help="培训、讲座、义诊及其报送材料 (activities)")
    sub = activity.add_subparsers(dest="activity_command", required=True)
    sub.add_parser("list", parents=[common], help="所有活动").set_defaults(handler=list_command)
    export = sub.add_parser("export", parents=[common], help="导出一个活动的报送材料（zip）")
    export.add_argument("--id", dest="activity", required=True, help="活动编号，如 7 或 T-0007")
    export.add_argument("--out", type=Path, required=True, help="输出的 zip 文件")
    export.set_defaults(handler=export_command)


def list_command(ctx: Context, _args: argparse.Namespace) -> int:
    home = ctx.home
    zone = ZoneInfo(home.bot.timezone)
    attendance = (select(func.count()).where(TrainingCheckin.session_id == TrainingSession.id)
                  .scalar_subquery())
    pictures = (select(func.count()).where(ActivityMedia.session_id == TrainingSession.id)
                .scalar_subquery())
    with session_factory(ctx.engine())() as session:
        rows = session.execute(select(TrainingSession, attendance, pictures)
                               .order_by(TrainingSession.id)).all()
    if not rows:
        print(msg.ACTIVITY_LIST_EMPTY)
        return 0
    table = []
    for row, people, media in rows:
        region = home.regions.get(sessions.region_of(home, row))
        opened = row.opened_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        table.append([session_ref(row.id), sessions.kind_of(row).label, row.topic,
                      region.name if region else "", row.responsible_name or row.responsible,
                      f"{opened:%Y-%m-%d %H:%M}", "进行中" if row.closed_at is None else "已结束",
                      people, media])
    print(render(["编号", "类型", "主题", "地区", "负责人/主讲", "开始", "状态", "签到", "影像"],
                 table))
    return 0


def export_command(ctx: Context, args: argparse.Namespace) -> int:
    match = _REF.match(str(args.activity).strip())
    home = ctx.home
    with session_factory(ctx.engine())() as session:
        row = session.get(TrainingSession, int(match.group(1))) if match else None
        if row is None:
            print(msg.ACTIVITY_UNKNOWN.format(id=args.activity), file=sys.stderr)
            return 1
        target = home.reports.target(sessions.kind_of(row))
        facts = package.brief(session, home, row, target)
    for name in package.missing(facts):
        print(msg.ACTIVITY_FILE_MISSING.format(name=name), file=sys.stderr)
    out = package.write_package(facts, args.out)
    print(msg.ACTIVITY_EXPORTED.format(ref=facts.ref, path=out, media=len(facts.media),
                                       participants=len(facts.attendees))
          + (msg.ACTIVITY_STILL_OPEN if row.closed_at is None else ""))
    return 0
