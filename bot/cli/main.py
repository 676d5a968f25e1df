"""``agribot``: the command line. Each command's work lives in its own module; this file only
parses arguments and turns configuration errors into ``path:line:col: message`` lines."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.activities import cli as activity_cli
from bot.cli import database, gateway, inspect, run, wecom_fake
from bot.config import ConfigError
from bot.context import Context
from bot.qa import cli as qa_cli
from bot.schedules import preview as schedule_preview
from bot.stats import cli as stats_cli

Command = Callable[[Context, argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    # Every command and sub-command takes these, before or after its own words. SUPPRESS keeps
    # a nested parser from resetting a value given earlier on the line to its default.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--home", help="home folder (default: $AGRIBOT_HOME or the current one)")
    common.add_argument("--db", help="database URL (default: $AGRIBOT_DB_URL, bot.yaml, SQLite)")

    parser = argparse.ArgumentParser(prog="agribot", description="农技培训群机器人 agribot")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Command, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    run.add_arguments(add("run", run.run, "运行机器人 (run the bot)"))
    gateway.add_arguments(add("gateway", gateway.gateway,
                              "本地微信网关：用 gRPC 提供模拟世界 (local puppet-service gateway)"))
    wecom_fake.add_arguments(add("wecom-fake", wecom_fake.wecom_fake,
                                 "本地企业微信智能机器人长连接：模拟世界 (local WeCom server)"))

    add("check", inspect.check, "检查所有 YAML 文件 (validate every YAML file)")
    add("groups", inspect.groups, "地区、群、账号一览 (the region tree with its groups)")

    content = add("content", inspect.content, "课程库 (the content catalog)")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("list", parents=[common], help="all items")
    content_commands.add_parser("search", parents=[common],
                                help="items matching words").add_argument("text")
    content_commands.add_parser("show", parents=[common], help="one item").add_argument("id")

    db = commands.add_parser("db", help="数据库 (database)")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", parents=[common], help="apply migrations").set_defaults(
        handler=database.db_upgrade)

    audit = commands.add_parser("audit", help="审计 (audit)")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_verify = audit_commands.add_parser("verify", parents=[common],
                                             help="check the event hash chain")
    audit_verify.add_argument("--anchor", metavar="N:HASH",
                              help="锚点：事件数:链头哈希（报表、周报或上次核验给出），"
                                   "日志须仍含这么多事件、以这个哈希结尾")
    audit_verify.set_defaults(handler=database.audit_verify)
    schedule_preview.add_parser(commands, common)  # schedule preview
    stats_cli.register(commands, common)  # report, report explain|verify, stats rebuild
    qa_cli.register(commands, common)  # qa classify
    activity_cli.register(commands, common)  # activity list|export
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ctx = Context.from_args(args)
    try:
        handler: Command = args.handler
        return handler(ctx, args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} 个问题 (problems)", file=sys.stderr)
        return 1
