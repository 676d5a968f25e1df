"""The chat side of statistics: ``#统计`` for admins (activities have their own, in
:mod:`bot.activities.chat`).

:func:`commands` is what the app registers on its router.
"""

from __future__ import annotations

from bot import messages as msg
from bot.chat.router import CommandSpec
from bot.chat.turn import Turn
from bot.config import Home
from bot.stats import rollup
from bot.stats.days import LocalDay, week_of
from bot.stats.figures import PeriodReport, collect
from bot.transport import capabilities

FRESH_LIMIT = 5000  # at most this many new events are folded while an admin waits


def commands() -> list[CommandSpec]:
    return [
        CommandSpec("统计", handle_stats, "#统计  本周统计（管理员）", admin_only=True),
    ]


def _admin_region(turn: Turn) -> str | None:
    """The group's region in a group; in private chat the widest region the sender runs."""
    if turn.group is not None:
        return turn.group.region
    regions = turn.admin_regions()
    if not regions:
        return None
    return min(regions, key=lambda r: sum(1 for _ in turn.home.ancestors(r)))


def week_text(report: PeriodReport) -> str:
    """A short summary for a phone screen."""
    v = report.total().values
    rate = "—" if v["answer_rate"] is None else f"{v['answer_rate']}%"
    median = "—" if v["median_response"] is None else f"{v['median_response']} 分钟"
    title = msg.STATS_WEEK_TITLE.format(region=report.region_name, first=f"{report.first:%m-%d}",
                                        last=f"{report.last:%m-%d}")
    body = msg.STATS_WEEK_BODY.format(
        groups=report.total().groups, members=v["members_end"], joins=v["joins"],
        leaves=v["leaves"], messages=v["messages"], active=v["active_members"],
        pushes_sent=v["pushes_sent"], pushes_failed=v["pushes_failed"], courses=v["courses"],
        questions=v["questions"], answered=v["answered"], in_time=v["answered_in_time"],
        rate=rate, median=median, sessions=v["sessions"], checkins=v["checkins"])
    notes = capabilities.stats_notes(report.home, report.region_id)
    return "\n".join([title, body, *notes])


def this_week(turn: Turn, home: Home, region_id: str) -> PeriodReport:
    # The app folds the log every 30 s; an admin asking right after a training should see it.
    rollup.catch_up(turn.session, home, limit=FRESH_LIMIT)
    today = LocalDay(home.bot.timezone).today(turn.now)
    monday, _ = week_of(today)
    return collect(turn.session, home, monday, today, region_id=region_id)


def handle_stats(turn: Turn, _args: str) -> None:
    region = _admin_region(turn)
    if region is None or not turn.is_admin(region):
        turn.reply(msg.STATS_NOT_ADMIN)
        return
    turn.reply(week_text(this_week(turn, turn.home, region)))
