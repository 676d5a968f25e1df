"""Seeing ahead: every push in a window, in time order, as the firings will make them.

The plan walks the firings of every schedule in time order over a copy of the database's state
(series cursors, what each group already had, paused groups), so a preview shows episode 3 after
episode 2 even across two schedules, and a paused group as paused.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import messages as msg
from bot.clock import SystemClock
from bot.config import Home
from bot.config.models import ContentItem, Group
from bot.config.values import Weekday
from bot.context import Context
from bot.db.engine import session_factory
from bot.schedules.content import PushState, choose, record_choice, render_message
from bot.schedules.loader import Schedule, ScheduleBook, load_schedules
from bot.texttable import render

PAUSED, EXHAUSTED = msg.PREVIEW_PAUSED, msg.PREVIEW_EXHAUSTED


@dataclass(frozen=True)
class PlannedPush:
    at: datetime  # UTC
    schedule: Schedule
    group: Group
    item: ContentItem | None
    episode: int | None
    message: str
    note: str = ""  # PAUSED / EXHAUSTED: nothing will be sent


def plan(home: Home, book: ScheduleBook, state: PushState, start: datetime, end: datetime, *,
         group: str | None = None) -> list[PlannedPush]:
    """Pushes with ``start < at <= end``; ``state`` is advanced as the firings would."""
    firings: list[tuple[datetime, str, Schedule, list[str]]] = []
    for schedule in book:
        groups = [g for g in schedule.groups if group is None or g == group]
        if groups:
            firings.extend((f.at, schedule.id, schedule, groups)
                           for f in schedule.timing.firings(start, end))
    firings.sort(key=lambda f: (f[0], f[1]))
    pushes: list[PlannedPush] = []
    for at, _, schedule, group_ids in firings:
        for group_id in group_ids:
            target = home.groups[group_id]
            if schedule.what.quiz is not None:
                bank = home.quizzes[schedule.what.quiz]
                text = msg.QUIZ_PREVIEW.format(title=bank.title,
                                               count=schedule.what.quiz_questions)
                pushes.append(PlannedPush(at, schedule, target, None, None, text,
                                          PAUSED if group_id in state.paused else ""))
                continue
            choice = choose(home, schedule.what, target, state)
            note = PAUSED if group_id in state.paused else EXHAUSTED if choice.item is None else ""
            if not note:
                record_choice(state, schedule.what, group_id, choice)
            text = render_message(choice.item, target, schedule.message, choice.episode) \
                if choice.item is not None else ""
            pushes.append(PlannedPush(at, schedule, target, choice.item, choice.episode, text,
                                      note))
    return pushes


def local_time(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%Y-%m-%d} {Weekday.of(local.date()).label} {local:%H:%M}"


def render_plan(pushes: list[PlannedPush], timezone: str) -> str:
    zone = ZoneInfo(timezone)
    rows = []
    for push in pushes:
        quiz = push.schedule.what.quiz
        content = f"{push.item.id} {push.item.title}" if push.item else \
            f"quiz:{quiz}" if quiz else "—"
        rows.append([local_time(push.at, zone), push.group.id, push.schedule.id, content,
                     f"（{push.note}）" if push.note else push.message])
    return render(["时间", "群", "日程", "课程", "消息"], rows)


def preview_command(ctx: Context, args: argparse.Namespace) -> int:
    """``agribot schedule preview [--days N] [--group ID] [--start "YYYY-MM-DD HH:MM"]``."""
    home = ctx.home
    book = load_schedules(home)  # a ConfigError is printed by main as path:line:col lines
    if args.group is not None and args.group not in home.groups:
        print(msg.unknown_ref("group", args.group), file=sys.stderr)
        return 1
    zone = ZoneInfo(home.bot.timezone)
    if args.start:
        try:
            start = datetime.fromisoformat(args.start).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            print(msg.PREVIEW_BAD_START, file=sys.stderr)
            return 1
    else:
        start = SystemClock().now()
    state = PushState()  # a home the bot never ran in: every series from episode 1
    engine = ctx.reader()
    if engine is not None:
        try:
            with session_factory(engine)() as session:
                state = PushState.load(session, [args.group] if args.group else None)
        finally:
            engine.dispose()
    pushes = plan(home, book, state, start, start + timedelta(days=args.days), group=args.group)
    if not pushes:
        print(msg.PREVIEW_NONE.format(days=args.days))
        return 0
    print(render_plan(pushes, home.bot.timezone))
    print("\n" + msg.PREVIEW_TOTAL.format(count=len(pushes)))
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser],
               common: argparse.ArgumentParser) -> None:
    """Register ``agribot schedule preview`` on the CLI's sub-commands."""
    schedule = commands.add_parser("schedule", help="推送日程 (schedules)")
    schedule_commands = schedule.add_subparsers(dest="schedule_command", required=True)
    preview = schedule_commands.add_parser(
        "preview", parents=[common], help="未来的推送一览 (upcoming pushes)",
        description="未来的推送一览，按时间排列 (upcoming pushes in time order)")
    preview.add_argument("--days", type=int, default=7, help="how many days ahead (default 7)")
    preview.add_argument("--group", help="only this group")
    preview.add_argument("--start",
                         help='window start, local time "YYYY-MM-DD HH:MM" (default: now)')
    preview.set_defaults(handler=preview_command)
