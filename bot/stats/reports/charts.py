"""PNG charts: activity per week per tier, and the answer rate per city.

Chinese labels need a CJK font; without one matplotlib draws boxes, so rendering refuses to
start and says which package to install instead of producing an unreadable chart.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot import messages as msg
from bot.domain import Level, Tier
from bot.stats.figures import PeriodReport
from bot.stats.reports import stamp

# Families known to cover simplified Chinese, in order of preference.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "Source Han Sans SC", "Source Han Sans CN", "SimHei",
                "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
TIER_COLOURS = {Tier.SENIOR: "#c0392b", Tier.INTERMEDIATE: "#2980b9", Tier.JUNIOR: "#27ae60"}


class NoCJKFont(RuntimeError):
    pass


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """(family, file) of an installed CJK font, found through matplotlib's font manager."""
    from matplotlib import font_manager

    fonts = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in fonts:
            return family, fonts[family]
    for name, fname in sorted(fonts.items()):  # any other font that names itself CJK
        if any(word in name for word in ("CJK", "Hei", "Song", "Kai", "Ming")):
            return name, fname
    raise NoCJKFont(msg.STATS_NO_CJK_FONT)


def render_png(report: PeriodReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: the bot and CI have none
    from matplotlib import pyplot as plt

    family, _ = cjk_font()
    with plt.rc_context({"font.family": family, "axes.unicode_minus": False}):
        fig, (activity, answers) = plt.subplots(2, 1, figsize=(11, 9), dpi=110)
        weeks = sorted({w for w, _ in report.weekly_activity})
        for tier in Tier:
            counts = [report.weekly_activity.get((w, tier), 0) for w in weeks]
            activity.plot([f"{w:%m-%d}" for w in weeks], counts, marker="o",
                          color=TIER_COLOURS[tier], label=f"{tier.label}农技师群")
        activity.set_title(
            f"{report.region_name} 各级群每周消息数（{report.first} 至 {report.last}）")
        activity.set_xlabel("周（周一日期）")
        activity.set_ylabel("消息数")
        activity.legend()
        activity.tick_params(axis="x", labelrotation=45)

        cities = [r for r in report.regions if r.level == Level.CITY.value]
        names = [r.name for r in cities]
        rates = [float(r.values["answer_rate"] or 0) for r in cities]
        bars = answers.bar(names, rates, color="#2980b9")
        for bar, row in zip(bars, cities, strict=True):
            rate = row.values["answer_rate"]
            label = "无提问" if rate is None else f"{rate}%"
            answers.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                             ha="center", va="bottom", fontsize=9)
        answers.set_title("各市（州）问题回答率")
        answers.set_ylabel("回答率（%）")
        answers.set_ylim(0, 110)
        answers.tick_params(axis="x", labelrotation=30)
        fig.text(0.01, 0.005, f"数据截至事件 #{report.covers.event_id}（哈希 "
                 f"{report.covers.event_hash[:16]}…）", fontsize=7, color="#666666")
        fig.tight_layout(rect=(0, 0.02, 1, 1))
        fig.savefig(path, format="png", metadata={
            stamp.PNG_KEY: f"agribot-covers event={report.covers.event_id} "
                           f"sha256={report.covers.event_hash}"})
        plt.close(fig)
