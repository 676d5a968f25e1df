"""The weekly report: each region's admins get last week's summary (Markdown) and chart (PNG)
in private chat, at the time ``config/reports.yaml`` sets (default Monday 08:00).

The app calls :func:`send_weekly_if_due` now and then (every few minutes is plenty); outbox keys
(region, week, admin) make a second call in the same week queue nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Home
from bot.core.messages import ImageOut, Target, TextOut
from bot.db.schema import OutboxRow
from bot.delivery.outbox import BULK, Outgoing, enqueue
from bot.stats.days import week_of
from bot.stats.figures import collect
from bot.stats.reports.charts import render_png
from bot.stats.reports.markdown import render_markdown
from bot.stats.rollup import catch_up
from bot.stats.settings import ReportsConfig, load_reports_config

GRACE = timedelta(days=1)  # a bot that was down longer skips that week rather than send it late


def due_week(home: Home, config: ReportsConfig, now: datetime) -> tuple[date, date] | None:
    """The week (Monday, Sunday) whose report is due at ``now``, or ``None``."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(home.bot.timezone)
    local = now.astimezone(zone)
    monday, _ = week_of(local.date())
    send_at = datetime.combine(monday + timedelta(days=config.weekly.weekday_index),
                               config.weekly.at, zone)
    if local < send_at:
        send_at -= timedelta(days=7)
    if not config.weekly.enabled or local - send_at > GRACE:
        return None
    last_monday, _ = week_of(send_at.date() - timedelta(days=7))
    return last_monday, last_monday + timedelta(days=6)


def _account(home: Home, region_id: str) -> str:
    below = {r.id for r in home.subtree(region_id)}
    for group in home.groups.values():
        if group.region in below:
            return group.account
    return home.bot.accounts[0].id


def send_weekly_if_due(session: Session, home: Home, now: datetime,
                       config: ReportsConfig | None = None) -> int:
    """Queue the weekly report to every region's admins if it is due and not yet queued.
    Returns how many outbox rows were added (0 when not due or already sent). A running bot
    passes the ``config`` it read at start; without one, ``config/reports.yaml`` is read."""
    config = config or load_reports_config(home)
    week = due_week(home, config, now)
    if week is None:
        return 0
    first, last = week
    admins: dict[str, list[str]] = defaultdict(list)
    for admin in home.admins:
        admins[admin.region].append(admin.id)
    # What is still to send, before any work: the check runs every minute of a day-long window
    todo: dict[str, dict[str, str]] = {}  # region → admin → outbox key prefix
    for region_id in (r.id for r in home.subtree(home.province_id)):
        keys = {admin: f"weekly:{region_id}:{first}:{admin}" for admin in admins[region_id]}
        wanted = [f"{k}:{part}" for k in keys.values() for part in ("text", "chart")]
        done = set(session.scalars(select(OutboxRow.key).where(OutboxRow.key.in_(wanted))))
        missing = {a: k for a, k in keys.items()
                   if f"{k}:text" not in done or f"{k}:chart" not in done}
        if missing:
            todo[region_id] = missing
    if not todo:
        return 0
    catch_up(session, home)
    added = 0
    for region_id, keys in todo.items():
        report = collect(session, home, first, last, region_id=region_id, weekly=True,
                         target=config.training)
        chart = home.paths.data / "reports" / f"weekly-{region_id}-{first}.png"
        chart.parent.mkdir(parents=True, exist_ok=True)
        render_png(report, chart)
        text = render_markdown(report)
        account = _account(home, region_id)
        added += enqueue(session, [
            message for admin, key in keys.items() for message in (
                Outgoing(f"{key}:text", account, Target.contact(admin), TextOut(text),
                         "report", ref=f"weekly:{first}", priority=BULK),
                Outgoing(f"{key}:chart", account, Target.contact(admin),
                         ImageOut(str(chart), chart.name), "report", ref=f"weekly:{first}",
                         priority=BULK))], now=now)
    return added
