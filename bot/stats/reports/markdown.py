"""Markdown: a summary short enough for a chat window, with the region tree as a table."""

from __future__ import annotations

from bot.domain import Level
from bot.stats.catalog import FIGURES
from bot.stats.figures import PeriodReport, Row
from bot.stats.reports import stamp
from bot.stats.reports.layout import TITLE, show
from bot.transport import capabilities

# The row's group count, then the figures the catalog gives a summary header, in report order.
COLUMNS = {"groups": "群", **{f.code: f.summary for f in FIGURES if f.summary}}


def _cells(row: Row) -> list[str]:
    return [str(row.groups) if k == "groups" else show(row.values[k]) for k in COLUMNS]


def render_markdown(report: PeriodReport) -> str:
    lines = [f"# {report.region_name}{TITLE}", "",
             f"统计期间：{report.first} 至 {report.last}", ""]
    lines += ["| 地区 | " + " | ".join(COLUMNS.values()) + " |",
              "|---|" + "---:|" * len(COLUMNS)]
    for row in report.regions:
        indent = {Level.PROVINCE.value: "", Level.CITY.value: "　", Level.COUNTY.value: "　　"}
        name = indent[row.level] + (f"**{row.name}**" if row.level != Level.COUNTY.value
                                    else row.name)
        lines.append(f"| {name} | " + " | ".join(_cells(row)) + " |")
    lines.append("")
    for kind in dict.fromkeys(t.kind for t in report.targets):
        rows = [t for t in report.targets if t.kind is kind]
        short = [t for t in rows if t.shortfalls]
        lines.append(f"## {kind.label}任务（{len(rows) - len(short)}/{len(rows)} 个地区达标）")
        lines += [f"- {t.region.name}：{'；'.join(t.shortfalls)}" for t in short] or ["- 全部达标"]
        lines.append("")
    if report.sessions:
        lines += ["## 培训、讲座和义诊", "", "| 编号 | 类型 | 主题 | 负责人/主讲 | 签到 | 影像 |",
                  "|---|---|---|---|---:|---:|"]
        lines += [f"| {a.ref} | {a.kind.label} | {a.topic} | {a.responsible} | "
                  f"{a.participants} | {a.media} |" for a in report.sessions]
        lines.append("")
    busy = sorted((e for e in report.experts if e.received), key=lambda e: -e.received)[:10]
    if busy:
        lines += ["## 专家答疑", "", "| 专家 | 收到 | 已答 | 响应中位(分) |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {e.name} | {e.received} | {e.answered} | {show(e.median_response)} |"
                  for e in busy]
        lines.append("")
    routed = [i for i in report.industries if i.routed]
    if routed:
        lines += ["## 分错率（专家用 #转 转走的问题）", "",
                  "| 产业 | 分到本产业 | 被转走 | 分错率% |", "|---|---:|---:|---:|"]
        lines += [f"| {i.name} | {i.routed} | {i.forwarded} | {show(i.misroute_rate)} |"
                  for i in routed]
        lines.append("")
    top = sorted(report.courses, key=lambda c: (-c.members, c.id))[:10]
    if top:
        lines += ["## 课程覆盖", "", "| 课程 | 覆盖群 | 覆盖人数 | 推送 | 打开 | 打开率% |",
                  "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {c.title} | {c.groups} | {c.members} | {c.pushes} | {c.opens} | "
                  f"{show(c.open_rate)} |" for c in top]
        lines.append("")
    lines += [f"> {note}" for note in capabilities.stats_notes(report.home, report.region_id)]
    lines.append(f"> {stamp.line(report.covers)}")
    return "\n".join(lines) + "\n"
