"""Writing a report in the format its file asks for."""

from __future__ import annotations

from pathlib import Path

from bot.stats.figures import PeriodReport
from bot.stats.reports.charts import render_png
from bot.stats.reports.csv import write_csv
from bot.stats.reports.markdown import render_markdown
from bot.stats.reports.xlsx import write_xlsx

FORMATS = ("csv", "xlsx", "md", "png")


def write_report(report: PeriodReport, fmt: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        write_csv(report, path)
    elif fmt == "xlsx":
        write_xlsx(report, path)
    elif fmt == "md":
        path.write_text(render_markdown(report), encoding="utf-8")
    elif fmt == "png":
        render_png(report, path)
    else:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
