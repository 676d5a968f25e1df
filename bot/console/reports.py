"""报表: a scope's period report in each format, and ``report verify``'s verdict on it.

The figures are read in the database worker, the file is drawn in a thread of its own (charts
take seconds of CPU), and the verdict is the one ``agribot report verify`` gives the same file.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from bot import messages as msg
from bot.console.scope import Scope, ScopeError
from bot.console.views import FRESH_LIMIT, periods
from bot.db.runner import DatabaseRunner
from bot.stats import rollup
from bot.stats.figures import PeriodReport, collect
from bot.stats.reports.render import write_report
from bot.stats.reports.verify import Verdict, verify_report

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8",
           "png": "image/png"}
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    first: date
    last: date


def period(timezone: str, now: datetime, first: str | None, last: str | None) -> Period:
    """``?from=&to=`` (local dates, inclusive); this month when neither is given."""
    default_first, default_last = periods(timezone, now)["month"]
    try:
        start = date.fromisoformat(first) if first else default_first
        end = date.fromisoformat(last) if last else default_last
    except ValueError:
        raise ScopeError(400, msg.CONSOLE_BAD_PERIOD) from None
    if end < start or (end - start).days > MAX_DAYS:
        raise ScopeError(400, msg.CONSOLE_BAD_PERIOD)
    return Period(start, end)


def file_name(scope: Scope, when: Period, fmt: str) -> str:
    return f"{scope.name}统计报表_{when.first:%Y%m%d}-{when.last:%Y%m%d}.{fmt}"


def disposition(name: str) -> str:
    """An attachment header every browser reads, the Chinese name included (RFC 6266)."""
    return f"attachment; filename=\"report.{name.rsplit('.', 1)[-1]}\"; " \
           f"filename*=UTF-8''{quote(name)}"


async def _report(db: DatabaseRunner, scope: Scope, when: Period, fmt: str) -> PeriodReport:
    await db.run(rollup.catch_up, scope.home, limit=FRESH_LIMIT)
    return await db.read(collect, scope.home, when.first, when.last,
                         region_id=scope.region_id, targets=scope.home.reports,
                         weekly=fmt == "png")


async def render(db: DatabaseRunner, scope: Scope, when: Period, fmt: str) -> bytes:
    """The report file's bytes."""
    if fmt not in FORMATS:
        raise ScopeError(404, msg.CONSOLE_BAD_FORMAT.format(formats="、".join(FORMATS)))
    report = await _report(db, scope, when, fmt)
    return await asyncio.to_thread(_write, report, fmt)


def _write(report: PeriodReport, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="agribot-console-") as folder:
        path = Path(folder) / f"report.{fmt}"
        write_report(report, fmt, path)
        return path.read_bytes()


async def verdict(db: DatabaseRunner, scope: Scope, when: Period) -> tuple[PeriodReport, Verdict]:
    """The period's report made as XLSX and verified against the log, as
    ``agribot report verify`` would."""
    report = await _report(db, scope, when, "xlsx")
    with tempfile.TemporaryDirectory(prefix="agribot-console-") as folder:
        path = Path(folder) / "report.xlsx"
        await asyncio.to_thread(write_report, report, "xlsx", path)
        found = await db.read(verify_report, path)
    return report, found
