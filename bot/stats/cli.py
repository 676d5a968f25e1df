"""``agribot report …`` and ``agribot stats rebuild``: the command line of statistics."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot import messages as msg
from bot.context import Context
from bot.db.engine import session_factory
from bot.stats import rollup
from bot.stats.explain import UnknownFigure, explain, ranges
from bot.stats.figures import collect
from bot.stats.progress import progress_bar
from bot.stats.reports.charts import NoCJKFont
from bot.stats.reports.render import FORMATS, write_report
from bot.stats.reports.verify import verify_report


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``report`` and ``stats`` to the ``agribot`` command parser."""
    report = commands.add_parser("report", parents=[common], help="统计报表 (period report)",
                                 description="统计报表：agribot report --from 2026-03-01 "
                                             "--to 2026-03-31 --format xlsx --out 报表.xlsx")
    period(report, required=False)
    report.add_argument("--region", help="地区编号（默认全省）")
    report.add_argument("--format", choices=FORMATS, help="csv | xlsx | md | png")
    report.add_argument("--out", type=Path, help="输出文件")
    report.set_defaults(handler=report_command)
    sub = report.add_subparsers(dest="report_command", metavar="explain|verify")
    why = sub.add_parser("explain", parents=[common], help="列出某个数字背后的事件编号")
    why.add_argument("figure", help="追溯代码，如 region:nongan.questions")
    period(why, required=True)
    why.add_argument("--upto", type=int,
                     help="只看到这个事件编号为止（默认：统计已覆盖的最新事件）")
    why.set_defaults(handler=explain_command)
    check = sub.add_parser("verify", parents=[common], help="核验报表所依据的事件未被改动")
    check.add_argument("path", type=Path)
    check.set_defaults(handler=verify_command)

    stats = commands.add_parser("stats", help="统计汇总表 (the daily rollup)")
    stats_sub = stats.add_subparsers(dest="stats_command", required=True)
    stats_sub.add_parser("rebuild", parents=[common], help="从事件日志重建每日统计").set_defaults(
        handler=rebuild_command)


def period(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--from", dest="first", type=date.fromisoformat, required=required,
                        help="开始日期 YYYY-MM-DD（含）")
    parser.add_argument("--to", dest="last", type=date.fromisoformat, required=required,
                        help="结束日期 YYYY-MM-DD（含）")


def _catch_up(ctx: Context) -> None:
    """Bring the rollup up to the log's head first, with a bar when that takes a while."""
    sessions = session_factory(ctx.engine())
    with sessions() as session:
        todo = rollup.pending(session)
    with progress_bar("汇总事件", todo) as bar, sessions.begin() as session:
        rollup.catch_up(session, ctx.home, progress=bar)


def report_command(ctx: Context, args: argparse.Namespace) -> int:
    missing = [flag for flag, value in (("--from", args.first), ("--to", args.last),
                                        ("--format", args.format), ("--out", args.out))
               if value is None]
    if missing:
        print(f"缺少参数: {' '.join(missing)}", file=sys.stderr)
        return 2
    home = ctx.home
    if args.region and args.region not in home.regions:
        print(f"没有地区 “{args.region}”", file=sys.stderr)
        return 2
    if args.last < args.first:
        print("--to 不能早于 --from", file=sys.stderr)
        return 2
    _catch_up(ctx)
    with session_factory(ctx.engine(migrate=False))() as session:
        report = collect(session, home, args.first, args.last, region_id=args.region,
                         targets=home.reports,
                         weekly=args.format == "png")
    try:
        write_report(report, args.format, args.out)
    except NoCJKFont as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已生成 {args.out}（{report.region_name} {args.first}..{args.last}，"
          f"数据截至事件 #{report.covers.event_id}）")
    return 0


def _reader(ctx: Context) -> Engine | None:
    """The database for a command that only looks, or ``None`` (and why) when there is none:
    explaining or verifying never creates one."""
    engine = ctx.reader()
    if engine is None:
        print(msg.NO_DATABASE.format(url=ctx.database_label()), file=sys.stderr)
    return engine


def explain_command(ctx: Context, args: argparse.Namespace) -> int:
    engine = _reader(ctx)
    if engine is None:
        return 1
    with session_factory(engine)() as session:
        try:
            found = explain(session, ctx.home, args.figure, args.first, args.last, upto=args.upto)
        except UnknownFigure as exc:
            print(exc, file=sys.stderr)
            return 2
    print(f"{found.code}  {args.first}..{args.last}: {len(found.event_ids)} 个事件")
    if found.note:
        print(found.note)
    print(ranges(found.event_ids) or "（无）")
    return 0


def verify_command(ctx: Context, args: argparse.Namespace) -> int:
    if not args.path.is_file():
        print(f"找不到文件 {args.path}", file=sys.stderr)
        return 2
    engine = _reader(ctx)
    if engine is None:
        return 1
    with session_factory(engine)() as session:
        verdict = verify_report(session, args.path)
    print(verdict.message, file=sys.stdout if verdict.ok else sys.stderr)
    return 0 if verdict.ok else 1


def rebuild_command(ctx: Context, _args: argparse.Namespace) -> int:
    sessions = session_factory(ctx.engine())
    with sessions() as session:
        total = rollup.event_count(session)
    with progress_bar("重建统计", total) as bar:
        done = rollup.rebuild(sessions, ctx.home, progress=bar)
    print(f"每日统计已从事件日志重建：{done} 个事件")
    return 0
