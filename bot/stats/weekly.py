"""The weekly report: each region's admins get last week's summary (Markdown) and chart (PNG)
in private chat, at the time ``config/reports.yaml`` sets (default Monday 08:00).

The app calls :func:`send_weekly_if_due` now and then (every few minutes is plenty); outbox keys
(region, week, admin) make a second call in the same week queue nothing. The work is cut into
short transactions in the database worker — what is left to send, the fold, one region's figures,
one region's queueing — and the charts are drawn between them in another thread, outside any
transaction, so neither the event loop nor the inbox waits for ~3,000 charts. A chart that cannot
be drawn (no CJK font, a matplotlib error) costs only the chart: the text is queued anyway.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Home
from bot.config.settings import ReportsConfig
from bot.core.messages import ImageOut, Target, TextOut
from bot.db.runner import DatabaseRunner
from bot.db.schema import OutboxRow
from bot.delivery.outbox import Outgoing, enqueue
from bot.stats.days import week_of
from bot.stats.figures import PeriodReport, collect
from bot.stats.reports.charts import render_png
from bot.stats.reports.markdown import render_markdown
from bot.stats.rollup import catch_up

log = logging.getLogger(__name__)

GRACE = timedelta(days=1)  # a bot that was down longer skips that week rather than send it late
FOLD_BATCH = 2000  # events folded per transaction before the figures are read


def due_week(home: Home, config: ReportsConfig, now: datetime) -> tuple[date, date] | None:
    """The week (Monday, Sunday) whose report is due at ``now``, or ``None``."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(home.bot.timezone)
    local = now.astimezone(zone)
    monday, _ = week_of(local.date())
    send_at = datetime.combine(monday + timedelta(days=config.weekly.weekday.index),
                               config.weekly.time, zone)
    if local < send_at:
        send_at -= timedelta(days=7)
    if not config.weekly.enabled or local - send_at > GRACE:
        return None
    last_monday, _ = week_of(send_at.date() - timedelta(days=7))
    return last_monday, last_monday + timedelta(days=6)


async def send_weekly_if_due(db: DatabaseRunner, home: Home, now: datetime,
                             config: ReportsConfig | None = None) -> int:
    """Queue the weekly report to every region's admins if it is due and not yet queued.
    Returns how many outbox rows were added (0 when not due or already sent). ``config``
    defaults to the home's ``reports.yaml`` (read by ``load_home``)."""
    config = config or home.reports
    week = due_week(home, config, now)
    if week is None:
        return 0
    first, _last = week
    # What is still to send, before any work: the check runs every minute of a day-long window
    todo = await db.read(_still_to_send, home, first)
    if not todo:
        return 0
    while await db.run(catch_up, home, limit=FOLD_BATCH) == FOLD_BATCH:
        pass
    added = 0
    charts = True  # the first chart that cannot be drawn says why; the rest go without
    for region_id, keys in todo.items():
        report = await db.read(collect, home, first, week[1], region_id=region_id, weekly=True,
                               targets=config)
        path = home.paths.data / "reports" / f"weekly-{region_id}-{first}.png"
        text = await asyncio.to_thread(render_markdown, report)  # the province's runs long
        if charts:
            try:
                await asyncio.to_thread(_draw, report, path)
            except Exception as exc:
                log.error("weekly chart for %s could not be drawn (%s: %s); its text and every "
                          "other region's go without a chart", region_id, type(exc).__name__,
                          exc)
                charts = False
        added += await db.run(_queue, home, region_id, keys, first, text,
                              path if charts else None, now)
    return added


def _still_to_send(session: Session, home: Home, first: date) -> dict[str, dict[str, str]]:
    """region → admin → outbox key prefix, for each admin whose text is not queued yet (text
    and chart are queued in one transaction; a chart that could not be drawn is not retried)."""
    admins: dict[str, list[str]] = defaultdict(list)
    for admin in home.admins:
        admins[admin.region].append(admin.id)
    todo: dict[str, dict[str, str]] = {}
    for region_id in (r.id for r in home.subtree(home.province_id)):
        keys = {admin: f"weekly:{region_id}:{first}:{admin}" for admin in admins[region_id]}
        wanted = [f"{k}:text" for k in keys.values()]
        done = set(session.scalars(select(OutboxRow.key).where(OutboxRow.key.in_(wanted))))
        missing = {a: k for a, k in keys.items() if f"{k}:text" not in done}
        if missing:
            todo[region_id] = missing
    return todo


def _draw(report: PeriodReport, chart: Path) -> None:
    chart.parent.mkdir(parents=True, exist_ok=True)
    render_png(report, chart)


def _queue(session: Session, home: Home, region_id: str, keys: dict[str, str], first: date,
           text: str, chart: Path | None, now: datetime) -> int:
    account = home.serving_account(region_id)
    messages = []
    for admin, key in keys.items():
        messages.append(Outgoing(f"{key}:text", account, Target.contact(admin), TextOut(text),
                                 "report", ref=f"weekly:{first}"))
        if chart is not None:
            messages.append(Outgoing(f"{key}:chart", account, Target.contact(admin),
                                     ImageOut(str(chart), chart.name), "report",
                                     ref=f"weekly:{first}"))
    return enqueue(session, messages, now=now)
