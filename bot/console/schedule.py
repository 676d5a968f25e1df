"""日程: the coming pushes of a scope's groups as a calendar (the schedule preview's plan), and
the region's schedule files with their last check (the process's one watcher keeps it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Problem
from bot.config.values import Weekday
from bot.console.scope import Scope
from bot.schedules.content import PushState
from bot.schedules.loader import ScheduleBook, schedule_paths
from bot.schedules.preview import plan
from bot.schedules.registry import region_of_file

Json = dict[str, Any]
DAYS = 14
MAX_DAYS = 62


def scoped_book(book: ScheduleBook, scope: Scope) -> ScheduleBook:
    """The schedules that reach the scope's groups, each narrowed to those groups."""
    kept = {}
    for schedule in book:
        groups = tuple(g for g in schedule.groups if scope.covers_group(g))
        if groups:
            kept[schedule.id] = dataclasses.replace(schedule, groups=groups)
    return ScheduleBook(kept)


def calendar(scope: Scope, book: ScheduleBook, state: PushState, now: datetime,
             days: int = DAYS) -> list[Json]:
    """Each local day of the window that has pushes, with its pushes in time order (CPU only:
    callers run it off the loop)."""
    home = scope.home
    zone = ZoneInfo(home.bot.timezone)
    pushes = plan(home, scoped_book(book, scope), state, now, now + timedelta(days=days))
    found: dict[str, Json] = {}
    for push in pushes:
        local = push.at.astimezone(zone)
        day = found.setdefault(f"{local:%Y-%m-%d}", {
            "day": f"{local:%Y-%m-%d}", "weekday": Weekday.of(local.date()).label,
            "pushes": []})
        quiz = push.schedule.what.quiz
        content = f"{push.item.id} {push.item.title}" if push.item else \
            f"quiz:{quiz}" if quiz else ""
        day["pushes"].append({"time": f"{local:%H:%M}", "group": push.group.name,
                              "schedule": push.schedule.id, "content": content,
                              "message": push.message, "note": push.note})
    return list(found.values())


def files(scope: Scope, problems: Mapping[Path, tuple[Problem, ...]]) -> list[Json]:
    """The schedule files of the scope's regions (examples left out), each with its last check:
    ``ok``, or its problems as ``path:line:col: message``."""
    home = scope.home
    root = home.paths.root
    regions = set(scope.region_ids)
    found = []
    for path in schedule_paths(home.paths):
        if region_of_file(home, path) not in regions:
            continue
        rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
        lines = [f"{rel}:{p.line}:{p.column}: {p.message}" for p in problems.get(path, ())]
        found.append({"path": rel, "region_name": home.regions[region_of_file(home, path)].name,
                      "ok": not lines, "problems": lines})
    return found
