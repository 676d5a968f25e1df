"""The tables every format shares: which rows, which columns, which Chinese headers.

Each cell that holds a figure has a code ``<row key>.<metric>`` (``region:nongan.questions``)
that ``agribot report explain`` turns back into the events behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.domain import Level
from bot.stats.catalog import HEADERS
from bot.stats.figures import PeriodReport, Row, Value
from bot.stats.misroutes import METRICS as MISROUTE_METRICS

EXPERT_METRICS = {"received": "收到问题", "answered": "已回答",
                  "median_response": "响应中位数(分钟)"}
COURSE_METRICS = {"groups": "覆盖群数", "members": "覆盖人数", "pushes": "推送次数",
                  "opens": "打开次数", "open_rate": "打开率(%)"}
COURSE_GROUP_METRICS = {"pushes": "推送次数", "opens": "打开次数", "open_rate": "打开率(%)"}
TITLE = "农技培训群工作调度统计表"


@dataclass(frozen=True)
class Figure:
    section: str  # 地区 | 群 | 专家 | 课程 | 课程打开 | 活动 | 活动场次
    key: str
    name: str
    metric: str
    header: str
    value: Value | str

    @property
    def code(self) -> str:
        return f"{self.key}.{self.metric}"


def region_rows(report: PeriodReport, level: Level) -> list[Row]:
    return [r for r in report.regions if r.level == level.value]


def parent_name(report: PeriodReport, row: Row) -> str:
    region = report.home.regions[row.key.split(":", 1)[1]]
    return report.home.regions[region.parent].name if region.parent else ""


def group_region(report: PeriodReport, row: Row) -> str:
    group = report.home.groups[row.key.split(":", 1)[1]]
    return report.home.regions[group.region].name


def figures(report: PeriodReport) -> Iterator[Figure]:
    """Every figure of the report, one per cell, in report order."""
    for row in report.regions:
        for metric, header in HEADERS.items():
            yield Figure("地区", row.key, row.name, metric, header, row.values[metric])
    for row in report.groups.values():
        for metric, header in HEADERS.items():
            yield Figure("群", row.key, row.name, metric, header, row.values[metric])
    for e in report.experts:
        for metric, header in EXPERT_METRICS.items():
            yield Figure("专家", f"expert:{e.id}", e.name, metric, header, getattr(e, metric))
    for i in report.industries:
        for metric, header in MISROUTE_METRICS.items():
            yield Figure("产业", i.key, i.name, metric, header, getattr(i, metric))
    for c in report.courses:
        for metric, header in COURSE_METRICS.items():
            yield Figure("课程", f"course:{c.id}", c.title, metric, header, getattr(c, metric))
    for cg in report.course_groups:
        for metric, header in COURSE_GROUP_METRICS.items():
            yield Figure("课程打开", cg.key, f"{cg.title} · {cg.group}", metric, header,
                         getattr(cg, metric))
    for t in report.targets:
        key, name, kind = f"region:{t.region.id}", t.region.name, t.kind
        yield Figure("活动", key, name, f"{kind.value}_sessions", f"{kind.label}场次", t.sessions)
        yield Figure("活动", key, name, f"{kind.value}_shortfall", f"{kind.label}未达标",
                     "；".join(t.shortfalls))
    for a in report.sessions:
        key, name = f"activity:{a.ref}", f"{a.kind.label}：{a.topic}"
        yield Figure("活动场次", key, name, "participants", "签到人数", a.participants)
        yield Figure("活动场次", key, name, "media", "留存影像", a.media)


def show(value: Value | str) -> str:
    if value is None:
        return "—"
    return str(value)
