"""Charts draw Chinese on a machine with no font of its own: the font ships with agribot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager, ft2font
from matplotlib.text import Text

from bot.config import Home
from bot.db.engine import make_engine, session_factory, upgrade
from bot.stats.figures import PeriodReport, collect
from bot.stats.reports import charts

REPO = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter, as on a new server: matplotlib builds its font cache anew in an
# empty MPLCONFIGDIR while it is told to see no system font (MPL_IGNORE_SYSTEM_FONTS, lifted
# once the cache is built: it would also hide fonts added later), so the cache cannot know the
# bundled font. Any "Glyph ... missing" warning is an error.
PROBE = """
import json, os, sys, warnings
os.environ["MPL_IGNORE_SYSTEM_FONTS"] = "1"
from matplotlib import font_manager
del os.environ["MPL_IGNORE_SYSTEM_FONTS"]
before = sorted({f.fname for f in font_manager.fontManager.ttflist})
from bot.cli.main import main
warnings.simplefilter("error", UserWarning)
code = main(sys.argv[1:])
from bot.stats.reports import charts
font = charts.cjk_font()
used = font_manager.fontManager.findfont(font_manager.FontProperties(family=[font.family]))
print(json.dumps({"code": code, "family": font.family, "path": str(font.path),
                  "used": [str(used), used.face_index], "cached": before}))
"""


@pytest.fixture
def empty_report(tmp_path: Path, home: Home) -> PeriodReport:
    engine = make_engine(f"sqlite:///{tmp_path / 'agribot.db'}")
    upgrade(engine)
    with session_factory(engine)() as session:
        report = collect(session, home, date(2026, 3, 2), date(2026, 3, 15), weekly=True)
    engine.dispose()
    return report


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's matplotlib as a bare machine's: only matplotlib's own fonts, no system
    font files, and no CJK font chosen yet."""
    own = str(Path(font_manager.__file__).parent / "mpl-data")
    monkeypatch.setattr(font_manager.fontManager, "ttflist",
                        [f for f in font_manager.fontManager.ttflist if f.fname.startswith(own)])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    font_manager.fontManager._findfont_cached.cache_clear()
    charts.cjk_font.cache_clear()
    yield
    charts.cjk_font.cache_clear()
    monkeypatch.undo()
    font_manager.fontManager._findfont_cached.cache_clear()


def test_a_fresh_machine_with_no_fonts_renders_the_png_report(
        tmp_path: Path, home: Home) -> None:
    """`agribot report --format png` in a new process with no system font and an empty font
    cache: it succeeds, drawn with the bundled font's simplified-Chinese face."""
    out, config = tmp_path / "r.png", tmp_path / "mplconfig"
    config.mkdir()
    env = {**os.environ, "MPLCONFIGDIR": str(config)}
    args = ["report", "--home", str(home.paths.root), "--db", f"sqlite:///{tmp_path / 'a.db'}",
            "--from", "2026-03-02", "--to", "2026-03-15", "--format", "png", "--out", str(out)]
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, env=env, timeout=300,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    bundled = charts.bundled_font()
    assert bundled is not None
    assert found["code"] == 0 and out.stat().st_size > 30_000
    assert (found["family"], found["path"]) == ("Noto Sans CJK SC", str(bundled))
    assert found["used"] == [str(bundled), 2]  # the collection's SC face, found by path
    own = Path(font_manager.__file__).parent / "mpl-data"
    assert found["cached"] and all(Path(f).is_relative_to(own) for f in found["cached"])


def _bitmap(font: ft2font.FT2Font, char: str) -> np.ndarray:
    font.set_size(48, 72)
    font.set_text(char)
    font.draw_glyphs_to_bitmap()
    return np.asarray(font.get_image()).copy()


def test_every_label_character_has_a_real_glyph(empty_report: PeriodReport,
                                                no_system_fonts: None) -> None:
    """Each character of every label is in the font the text is drawn with, and draws as
    itself: a box would be empty in Noto (its .notdef) or the same for every character."""
    with charts.drawn(empty_report) as fig:
        fig.canvas.draw()  # makes the tick labels; a missing glyph would warn (= fail) here
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        used = {font_manager.fontManager.findfont(t.get_fontproperties()) for t in texts}
    bundled = charts.bundled_font()
    assert used == {font_manager.FontPath(str(bundled), 2)}
    chars = {c for t in texts for c in t.get_text() if not c.isspace()}
    assert {"农", "技", "师", "群", "长", "春", "率"} <= chars  # tier, city names, titles
    font = ft2font.FT2Font(str(bundled), face_index=2)
    assert font.family_name == "Noto Sans CJK SC"
    drawn = {}
    for char in sorted(chars):
        assert font.get_char_index(ord(char)) != 0, char
        drawn[char] = _bitmap(font, char)
        assert drawn[char].any(), char
    hanzi = [c for c in drawn if "\u4e00" <= c <= "\u9fff"]
    assert len({drawn[c].tobytes() for c in hanzi}) == len(hanzi)


def test_a_system_cjk_font_is_the_fallback(monkeypatch: pytest.MonkeyPatch,
                                           no_system_fonts: None) -> None:
    """Without the package's font, a CJK font among the system's font files is used, read
    from its file rather than from the cache; Latin-only fonts are passed over."""
    bundled = charts.bundled_font()
    assert bundled is not None
    latin = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    monkeypatch.setattr(charts, "bundled_font", lambda: None)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [str(latin),
                                                                          str(bundled)])
    font = charts.cjk_font()
    assert (font.family, font.path) == ("Noto Sans CJK JP", bundled)  # the file's first face
    assert font_manager.findfont(font_manager.FontProperties(family=font.family)) == str(bundled)


def test_with_no_cjk_font_anywhere_the_error_says_what_to_do(
        monkeypatch: pytest.MonkeyPatch, no_system_fonts: None,
        empty_report: PeriodReport, tmp_path: Path) -> None:
    monkeypatch.setattr(charts, "bundled_font", lambda: None)
    with pytest.raises(charts.NoCJKFont, match="noto-cjk-sans-otc"):
        charts.render_png(empty_report, tmp_path / "r.png")
    assert not (tmp_path / "r.png").exists()
