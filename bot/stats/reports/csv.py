"""CSV: one figure per line (tidy), so a spreadsheet or a script can filter and pivot it, and
each line carries the code that ``agribot report explain`` traces. Lines starting with ``#``
say what the file covers."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.stats.figures import PeriodReport
from bot.stats.reports import stamp
from bot.stats.reports.layout import TITLE, figures

HEADERS = ["节", "编号", "名称", "指标", "指标名称", "数值", "追溯代码"]


def write_csv(report: PeriodReport, path: Path) -> None:
    # utf-8-sig: Excel on Windows opens it with the right encoding
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        out.write(f"# {TITLE} {report.region_name} {report.first}..{report.last}\n")
        out.write(f"# {stamp.line(report.covers)}\n")
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for f in figures(report):
            writer.writerow([f.section, f.key, f.name, f.metric, f.header,
                             "" if f.value is None else f.value, f.code])
