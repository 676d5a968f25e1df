"""XLSX: the 工作调度统计表 a province officer hands in — a summary sheet, one sheet per level of
the region tree, then groups, experts, courses, training, and a 追溯 sheet that says how to
trace any cell to its events. Every sheet has Chinese headers, a frozen header row and set
column widths."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain import LEVEL_LABEL, Level
from bot.stats.catalog import HEADERS
from bot.stats.figures import PeriodReport
from bot.stats.misroutes import METRICS as MISROUTE_METRICS
from bot.stats.reports import stamp
from bot.stats.reports.layout import (
    COURSE_GROUP_METRICS,
    COURSE_METRICS,
    EXPERT_METRICS,
    TITLE,
    group_region,
    parent_name,
    region_rows,
)
from bot.texttable import display_width

_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_FLAG = Font(color="C00000")


def _table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           *, start: int = 1) -> None:
    """Headers at row ``start`` (frozen), rows below, widths fitted to the widest cell."""
    for col, header in enumerate(headers, 1):
        cell = sheet.cell(start, col, header)
        cell.font, cell.fill = _HEAD, _FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(rows, start + 1):
        for col, value in enumerate(row, 1):
            sheet.cell(r, col, value)
    sheet.freeze_panes = f"A{start + 1}"
    for col, header in enumerate(headers, 1):
        cells = [str(row[col - 1]) for row in rows if row[col - 1] is not None]
        widest = max(display_width(text) for text in [str(header), *cells])
        sheet.column_dimensions[get_column_letter(col)].width = min(max(widest + 2, 8), 60)


def _summary(book: Workbook, report: PeriodReport, made: datetime) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = "汇总"
    total = report.total()
    rows: list[list[Any]] = [["群数", total.groups]]
    rows += [[header, total.values[metric]] for metric, header in HEADERS.items()]
    short = [t for t in report.targets if t.shortfalls]
    rows += [["培训任务达标地区", f"{len(report.targets) - len(short)}/{len(report.targets)}"],
             ["填报单位", f"{report.region_name}科协"],
             ["统计期间", f"{report.first} 至 {report.last}"],
             ["生成时间", f"{made:%Y-%m-%d %H:%M}"],
             ["数据截至", stamp.line(report.covers)]]
    sheet.cell(1, 1, f"{report.region_name}{TITLE}").font = Font(bold=True, size=14)
    _table(sheet, ["指标", "数值"], rows, start=2)
    sheet.column_dimensions["B"].width = 40


def _regions(book: Workbook, report: PeriodReport) -> None:
    headers = ["地区编号", "地区", "上级地区", "群数", *HEADERS.values()]
    for level, title in LEVEL_LABEL.items():
        rows = [[r.key.split(":", 1)[1], r.name, parent_name(report, r), r.groups,
                 *(r.values[m] for m in HEADERS)] for r in region_rows(report, level)]
        if rows or level is Level.PROVINCE:
            _table(book.create_sheet(title), headers, rows)


def _groups(book: Workbook, report: PeriodReport) -> None:
    rows = [[r.key.split(":", 1)[1], r.name, r.level, group_region(report, r),
             *(r.values[m] for m in HEADERS)] for r in report.groups.values()]
    _table(book.create_sheet("群"), ["群编号", "群名称", "级别", "所属地区", *HEADERS.values()],
           rows)


def _experts_courses(book: Workbook, report: PeriodReport) -> None:
    _table(book.create_sheet("专家"), ["专家编号", "专家", "所属地区", *EXPERT_METRICS.values()],
           [[e.id, e.name, e.region, e.received, e.answered, e.median_response]
            for e in report.experts])
    _table(book.create_sheet("课程"), ["课程编号", "课程", *COURSE_METRICS.values()],
           [[c.id, c.title, *(getattr(c, m) for m in COURSE_METRICS)] for c in report.courses])
    _table(book.create_sheet("课程打开"),
           ["课程编号", "课程", "群编号", "群名称", *COURSE_GROUP_METRICS.values(), "追溯代码"],
           [[cg.course, cg.title, cg.group_id, cg.group,
             *(getattr(cg, m) for m in COURSE_GROUP_METRICS), f"{cg.key}.opens"]
            for cg in report.course_groups])


def _industries(book: Workbook, report: PeriodReport) -> None:
    _table(book.create_sheet("产业"), ["产业编号", "产业", *MISROUTE_METRICS.values()],
           [[i.id, i.name, i.routed, i.forwarded, i.misroute_rate] for i in report.industries])


def _activities(book: Workbook, report: PeriodReport) -> None:
    sheet = book.create_sheet("活动")
    media: dict[tuple[str, str], int] = {}
    for a in report.sessions:
        media[(a.region_id, a.kind.value)] = media.get((a.region_id, a.kind.value), 0) + a.media
    rows = [[t.region.name, LEVEL_LABEL[t.region.level], t.kind.label,
             t.sessions, "、".join(map(str, t.participants)) or "—",
             media.get((t.region.id, t.kind.value), 0),
             "；".join(t.shortfalls) or "达标"] for t in report.targets]
    _table(sheet, ["地区", "层级", "类型", "场次", "各场人数", "留存影像", "是否达标"], rows)
    for r, target in enumerate(report.targets, 2):
        if target.shortfalls:
            sheet.cell(r, 7).font = _FLAG
    sessions = book.create_sheet("活动场次")
    _table(sessions, ["编号", "类型", "群", "主题", "负责人/主讲", "开始", "结束", "签到人数",
                      "留存影像", "追溯代码"],
           [[s.ref, s.kind.label, report.home.groups[s.group_id].name, s.topic, s.responsible,
             s.opened_at, s.closed_at, s.participants, s.media, f"activity:{s.ref}.media"]
            for s in report.sessions])


def _trace(book: Workbook, report: PeriodReport) -> None:
    rows = [
        ["数据截至", stamp.line(report.covers)],
        ["核验本表", "agribot report verify 本文件.xlsx（并可运行 agribot audit verify）"],
        ["追溯某格", f"agribot report explain <代码> --from {report.first} --to {report.last}"],
        ["代码写法", "地区行 region:<地区编号>.<指标>，群行 group:<群编号>.<指标>，"
                     "专家 expert:<编号>.<指标>，课程 course:<编号>.<指标>，"
                     "某课程在某群 course:<编号>@<群编号>.<指标>，"
                     "活动 activity:<编号>.participants|media"],
        ["打开统计", "推送的课程链接经机器人跳转，每打开一次记一次（不记是谁），"
                     "转发到群外后打开的也算作原推送群的打开"],
    ]
    rows += [[f"指标 {metric}", header] for metric, header in HEADERS.items()]
    _table(book.create_sheet("追溯"), ["项目", "说明"], rows)


def write_xlsx(report: PeriodReport, path: Path, *, made: datetime | None = None) -> None:
    book = Workbook()
    _summary(book, report, made or datetime.now())
    _regions(book, report)
    _groups(book, report)
    _experts_courses(book, report)
    _industries(book, report)
    _activities(book, report)
    _trace(book, report)
    book.properties.title = f"{report.region_name}{TITLE}"
    book.save(path)
