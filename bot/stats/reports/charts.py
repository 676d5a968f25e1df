"""PNG charts: activity per week per tier, and the answer rate per city.

Chinese labels need a CJK font, and matplotlib draws boxes without one. The font ships with
agribot's dependencies: Noto Sans CJK (the ``noto-cjk-sans-otc`` package, SIL OFL 1.1), loaded
by its file path. It is never looked up in matplotlib's font cache, which is built once per
machine and knows nothing of fonts that arrive later. A system CJK font is the fallback (an
install that left the package out); only with neither does rendering refuse, in Chinese, rather
than produce an unreadable chart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from bot import messages as msg
from bot.domain import Level, Tier
from bot.stats.figures import PeriodReport
from bot.stats.reports import stamp

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

BUNDLED_PACKAGE, BUNDLED_FILE = "noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc"
BUNDLED_FAMILY = "Noto Sans CJK SC"  # the collection's simplified-Chinese face
# System fonts known to cover simplified Chinese, in order of preference (file name fragments).
SYSTEM_CANDIDATES = ("notosanscjk", "notosanssc", "sourcehansans", "wqy-microhei", "wqy-zenhei",
                     "msyh", "simhei", "pingfang", "hiragino sans gb", "droidsansfallback")
PROBE = "农技统计表"  # a system font must draw these to count as Chinese
TIER_COLOURS = {Tier.SENIOR: "#c0392b", Tier.INTERMEDIATE: "#2980b9", Tier.JUNIOR: "#27ae60"}


class NoCJKFont(RuntimeError):
    pass


@dataclass(frozen=True)
class CJKFont:
    family: str
    path: Path


def bundled_font() -> Path | None:
    """The font file the ``noto-cjk-sans-otc`` dependency installed, if it is there."""
    try:
        path = Path(str(resources.files(BUNDLED_PACKAGE).joinpath(BUNDLED_FILE)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def _covers(path: str, text: str) -> str | None:
    """The family name of the font at ``path`` if its first face has a glyph for every
    character of ``text``."""
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return None
    return font.family_name if all(font.get_char_index(ord(c)) for c in text) else None


def system_font() -> CJKFont | None:
    """A CJK font among the system's font files, read from disk now (not from the cache)."""
    from matplotlib import font_manager

    files = sorted(font_manager.findSystemFonts())
    named = [f for f in files if any(c in Path(f).name.lower().replace(" ", "")
                                     for c in (n.replace(" ", "") for n in SYSTEM_CANDIDATES))]
    for path in [*named, *(f for f in files if f not in named)]:
        family = _covers(path, PROBE)
        if family is not None:
            return CJKFont(family, Path(path))
    return None


@lru_cache(maxsize=1)
def cjk_font() -> CJKFont:
    """The CJK font charts draw with, registered with matplotlib by its path."""
    from matplotlib import font_manager

    path = bundled_font()
    found = CJKFont(BUNDLED_FAMILY, path) if path is not None else system_font()
    if found is None:
        raise NoCJKFont(msg.STATS_NO_CJK_FONT)
    known = {(f.fname, f.name) for f in font_manager.fontManager.ttflist}
    if (str(found.path), found.family) not in known:
        font_manager.fontManager.addfont(str(found.path))  # every face of a collection
    return found


def render_png(report: PeriodReport, path: Path) -> None:
    with drawn(report) as fig:
        fig.savefig(path, format="png", metadata={
            stamp.PNG_KEY: stamp.machine(report.covers)})


@contextmanager
def drawn(report: PeriodReport) -> Iterator[Figure]:
    """The report's charts as one figure, in the CJK font's style for as long as the caller
    uses it (tick labels are made when it is drawn), closed afterwards."""
    import matplotlib

    matplotlib.use("Agg")  # no display: the bot and CI have none
    from matplotlib import pyplot as plt

    font = cjk_font()
    with plt.rc_context({"font.family": [font.family], "axes.unicode_minus": False}):
        fig, (activity, answers) = plt.subplots(2, 1, figsize=(11, 9), dpi=110)
        try:
            _plot(report, fig, activity, answers)
            yield fig
        finally:
            plt.close(fig)


def _plot(report: PeriodReport, fig: Figure, activity: Axes, answers: Axes) -> None:
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
    fig.text(0.01, 0.005, stamp.short(report.covers), fontsize=7, color="#666666")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
