"""Commands that show what a home holds: ``check``, ``groups`` and ``content``."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from bot import messages as msg
from bot.cli.check_warnings import home_warnings, render_warnings
from bot.clock import SystemClock
from bot.config import ConfigError, Problem
from bot.config.models import ContentItem, Group
from bot.context import Context
from bot.db.engine import session_factory
from bot.db.schema import RoomBinding, StatsMember
from bot.domain import LEVEL_LABEL
from bot.schedules.content import PushState
from bot.schedules.loader import ScheduleBook, load_schedules
from bot.texttable import render
from bot.transport import capabilities


def check(ctx: Context, _args: argparse.Namespace) -> int:
    """Every YAML file of the home; all problems of all files at once, as path:line:col."""
    # The files everything else refers to (settings files included): their problems come alone.
    home = ctx.home
    problems: list[Problem] = []
    book: ScheduleBook | None = None
    try:
        book = load_schedules(home, examples=True)  # examples are checked too
    except ConfigError as exc:
        problems += exc.problems
    warnings = home_warnings(home, book, _push_state(ctx), SystemClock().now())
    for line in render_warnings(warnings):
        print(line)
    if warnings:
        print(msg.CHECK_WARNINGS_TOTAL.format(count=len(warnings)))
    if problems:
        raise ConfigError(problems)
    print(f"OK  {ctx.paths.root}: {len(home.regions)} 个地区, {len(home.groups)} 个群, "
          f"{len(home.experts)} 位专家, {len(home.items)} 个课程, "
          f"{len(home.quizzes)} 个题库（{sum(len(b.questions) for b in home.quizzes.values())} "
          f"道题）, {len(book) if book else 0} 个推送日程")
    return 0


def _push_state(ctx: Context) -> PushState:
    """Where each series stands, read from the database if the bot has one (never created).
    ``check`` is about files: a database server that does not answer leaves every series at its
    start instead of failing the check."""
    try:
        engine = ctx.reader()
    except SQLAlchemyError:
        return PushState()
    if engine is None:
        return PushState()
    try:
        with session_factory(engine)() as session:
            return PushState.load(session)
    except SQLAlchemyError:
        return PushState()
    finally:
        engine.dispose()


def groups(ctx: Context, _args: argparse.Namespace) -> int:
    """The region tree with each group's tier, account, how it binds, whether the bot has found
    its room, and its members as of the last statistics run."""
    home = ctx.home
    bound: set[str] = set()
    bound_by: dict[str, str | None] = {}
    members: dict[str, int] = {}
    engine = ctx.reader()  # no database yet: nothing bound, no members counted
    if engine is not None:
        try:
            with session_factory(engine)() as session:
                bound_by = {group: by for group, by in session.execute(
                    select(RoomBinding.group_id, RoomBinding.bound_by))}
                bound = set(bound_by)
                members = {group: count for group, count in session.execute(
                    select(StatsMember.group_id, func.count()).group_by(StatsMember.group_id))}
        finally:
            engine.dispose()
    rows = []
    for region in home.subtree(home.province_id):
        depth = sum(1 for _ in home.ancestors(region.id)) - 1
        experts = sum(1 for e in home.experts.values() if e.region == region.id)
        admins = len(home.admins_of(region.id))
        region_label = "  " * depth + f"{region.name} ({region.id}, {LEVEL_LABEL[region.level]})"
        region_groups = [g for g in home.groups.values() if g.region == region.id]
        if not region_groups:
            rows.append([region_label, "—", "", "", "", "", "", admins, experts])
        for g in region_groups:
            binding, status = _binding(ctx, g, g.id in bound, bound_by.get(g.id))
            rows.append([region_label, g.id, g.tier.label, g.account, binding, status,
                         members.get(g.id, "—"), admins, experts])
            region_label = ""
    headers = ["地区", "群", "级别", "账号", "绑定方式", "状态", "成员", "管理员", "专家"]
    print(render(headers, rows))
    notes = _transport_notes(ctx)
    if notes:
        print(msg.GROUPS_NOTES_HEADER)
        print("\n".join(f"  {note}" for note in notes))
    return 0


def _binding(ctx: Context, group: Group, bound: bool, by: str | None) -> tuple[str, str]:
    """How the group finds its room, and whether it has."""
    if group.room_id:
        how = f"id {group.room_id}"
    elif capabilities.of_account(ctx.home, group.account).lists_rooms:
        how = f"群名 “{group.room_topic}”"
    else:
        how = msg.GROUP_BINDING_WECOM
    if by is not None:
        how = msg.GROUP_BINDING_COMMAND.format(by=_person_name(ctx, by))
    if bound:
        return how, msg.GROUP_BOUND
    if capabilities.of_account(ctx.home, group.account).lists_rooms:
        return how, msg.GROUP_UNBOUND
    return how, msg.GROUP_WECOM_UNBOUND.format(group=group.id)


def _person_name(ctx: Context, contact: str) -> str:
    names = {a.id: a.name for a in ctx.home.admins}
    return names.get(contact, contact)


def _transport_notes(ctx: Context) -> list[str]:
    """Per account whose transport limits what the bot sees: what that means for its groups
    (no welcome, figures of @-messages only)."""
    notes = []
    for account in ctx.home.bot.accounts:
        caps = capabilities.of_account(ctx.home, account.id)
        notes += [f"{account.id}: {note}" for note in caps.groups_notes()]
    return notes


def _item_row(item: ContentItem, ctx: Context) -> list[object]:
    industry = ctx.home.industries[item.industry].name
    tiers = "/".join(t.label for t in item.tiers)
    return [item.id, item.title, industry, tiers, item.source]


def content(ctx: Context, args: argparse.Namespace) -> int:
    home = ctx.home
    headers = ["编号", "标题", "产业", "适用", "来源"]
    if args.content_command == "list":
        print(render(headers, [_item_row(i, ctx) for i in home.items.values()]))
        return 0
    if args.content_command == "search":
        words = args.text.lower().split()
        found = [i for i in home.items.values() if all(w in _haystack(i, ctx) for w in words)]
        rows = [_item_row(i, ctx) for i in found]
        print(render(headers, rows) if found else msg.CONTENT_NONE_FOUND)
        return 0 if found else 1
    item = home.items.get(args.id)
    if item is None:
        print(msg.CONTENT_UNKNOWN.format(id=args.id), file=sys.stderr)
        return 1
    print(show_item(item, ctx))
    return 0


def _haystack(item: ContentItem, ctx: Context) -> str:
    industry = ctx.home.industries[item.industry].name
    return " ".join([item.id, item.title, item.description, item.source, item.speaker or "",
                     industry, *item.tags]).lower()


def show_item(item: ContentItem, ctx: Context) -> str:
    home = ctx.home
    lines = [f"{item.id}  {item.title}",
             f"产业: {home.industries[item.industry].name}",
             f"适用: {'、'.join(t.label for t in item.tiers)}",
             f"来源: {item.source}" + (f"  主讲: {item.speaker}" if item.speaker else "")]
    if item.duration is not None:
        lines.append(f"时长: {item.duration // 60} 分 {item.duration % 60:02d} 秒")
    if item.url:
        lines.append(f"链接: {item.url}" + (msg.EXAMPLE_LINK if item.url_is_example else ""))
    if item.file:
        lines.append(f"文件: content_library/media/{item.file}")
    if item.series:
        lines.append(f"系列: {home.series[item.series].title} 第 {item.episode} 集")
    if item.tags:
        lines.append(f"标签: {'、'.join(item.tags)}")
    if item.description:
        lines.append(item.description)
    return "\n".join(lines)
