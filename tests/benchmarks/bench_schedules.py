"""Schedules at province scale: 3,000 groups and 3,000 schedule files.

Figures (targets < 5 s each):
  1. load + validate + register: a ScheduleRunner starting on SQLite reads every file with
     positions, checks it against the home (regions, tiers, content), and registers it
     (progress rows, one APScheduler job per schedule in its SQLAlchemy job table, catch-up
     check); load + validate alone (``load_schedules``) is shown beside it;
  2. a 30-day preview over all of them, rendered as the aligned table ``agribot schedule
     preview`` prints.
Baselines from the same run: plain ``yaml.safe_load`` of the same files (the cost of reading them
at all), and APScheduler ``CronTrigger`` fire times for the same 30 days (the cost of the times
alone, without quiet hours, cursors or rendering).
"""

from __future__ import annotations

import asyncio
import io
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.clock import ManualClock
from bot.config import Home, load_home
from bot.db.engine import make_engine, session_factory, upgrade
from bot.db.runner import DatabaseRunner
from bot.schedules.content import PushState
from bot.schedules.loader import load_schedules, schedule_paths
from bot.schedules.preview import plan, render_plan
from bot.schedules.runner import ScheduleRunner
from bot.schedules.timing import _cron_trigger
from bot.schedules.watcher import ScheduleWatcher
from tests.benchmarks.homegen import REPO, generate_home

GROUPS, CITIES, TARGET_SECONDS = 3000, 30, 5.0
START = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 2026-12-01 00:00 in Shanghai
WHAT = ["{series: sheshi-huanggua}", "{pick: {industry: greenhouse_vegetables}}", "cs-002"]
DAYS = ["一", "二", "三", "四", "五", "六", "日"]


def write_schedules(home: Home) -> int:
    root = home.paths.schedules
    count = 0
    for region in home.subtree(home.province_id):
        chain = [r.id for r in home.ancestors(region.id)][::-1]
        path = root.joinpath(*chain).with_suffix(".yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        n = count
        if region.parent is None:
            body = ("  - id: province-monthly\n    targets: {tier: junior}\n"
                    "    when: {monthly: {day: 1, time: \"09:00\"}}\n    what: sc-004\n")
        elif region.children:
            body = (f"  - id: city-{region.id}\n    targets: {{tier: junior}}\n"
                    f"    when: {{weekly: {{weekdays: [{DAYS[n % 7]}], time: \"20:00\"}}}}\n"
                    "    quiet_hours: \"22:00-07:00\"\n    what: {pick: {industry: poultry}}\n")
        else:
            body = (f"  - id: county-{region.id}\n    targets: [g-{region.id}]\n"
                    f"    when: {{weekly: {{weekdays: [{DAYS[n % 7]}, {DAYS[(n + 3) % 7]}], "
                    f"time: \"19:{n % 60:02d}\"}}}}\n"
                    f"    start: 2026-12-01\n    what: {WHAT[n % 3]}\n"
                    "    message: \"【{group}】{title}（{speaker}，{duration}）\"\n")
        path.write_text(f"# {region.name}\nregion: {region.id}\nschedules:\n{body}",
                        encoding="utf-8")
        count += 1
    return count


async def register(home: Home, db: Path) -> tuple[float, int]:
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    began = time.perf_counter()
    clock = ManualClock(START)
    async with DatabaseRunner(session_factory(engine)) as database, \
            ScheduleWatcher(home, database, clock) as watcher, \
            ScheduleRunner(home, engine, database, clock, ["jilin-kexie"], watcher,
                           wake=False) as runner:
        elapsed = time.perf_counter() - began
        registered = len(runner.own("jilin-kexie"))
    engine.dispose()
    return elapsed, registered


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_home(Path(tmp) / "home", groups=GROUPS, items=200, cities=CITIES)
        for part in (REPO / "content_library").glob("*.yaml"):
            shutil.copy(part, root / "content_library" / f"demo-{part.name}")
        home = load_home(root)
        files = write_schedules(home)
        paths = schedule_paths(home.paths)

        began = time.perf_counter()
        for path in paths:
            yaml.safe_load(path.read_text(encoding="utf-8"))
        baseline_load = time.perf_counter() - began

        began = time.perf_counter()
        book = load_schedules(home)
        validate = time.perf_counter() - began
        # The runner's start does all three: reads and validates every file, then registers.
        total, registered = asyncio.run(register(home, Path(tmp) / "bench.db"))

        end = START + timedelta(days=30)
        began = time.perf_counter()
        for schedule in book:
            cron = schedule.timing.cron or ""
            trigger = _cron_trigger(cron, schedule.timing.timezone, None, None)
            previous, at = None, START
            while (at := trigger.get_next_fire_time(previous, at)) is not None and at <= end:
                previous = at
                "".join([str(at), schedule.id])
        baseline_times = time.perf_counter() - began

        began = time.perf_counter()
        pushes = plan(home, book, PushState(), START, end)
        out = io.StringIO()
        print(render_plan(pushes, home.bot.timezone), file=out)
        previewing = time.perf_counter() - began

    print(f"{len(home.groups)} groups, {files} schedule files, {len(book)} schedules "
          f"({registered} registered)")
    print(f"load + validate + register: {total:6.2f} s  (of which load + validate alone "
          f"{validate:.2f} s; target < {TARGET_SECONDS:.0f} s) "
          f"{'OK' if total < TARGET_SECONDS else 'SLOW'}")
    print(f"  baseline yaml.safe_load of the same files: {baseline_load:6.2f} s  "
          f"(ratio {total / baseline_load:.1f}x)")
    print(f"30-day preview ({len(pushes)} pushes): {previewing:6.2f} s  "
          f"(target < {TARGET_SECONDS:.0f} s) {'OK' if previewing < TARGET_SECONDS else 'SLOW'}")
    print(f"  baseline CronTrigger fire times alone: {baseline_times:6.2f} s  "
          f"(ratio {previewing / baseline_times:.1f}x)")
    if total >= TARGET_SECONDS or previewing >= TARGET_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
