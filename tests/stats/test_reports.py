"""Every report format shows the generated history's figures; reports prove what they cover."""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import Engine, text, update

from bot import eventlog
from bot.cli.main import main
from bot.config import Home
from bot.db.engine import session_factory
from bot.db.schema import Event
from bot.stats.catalog import HEADERS
from bot.stats.reports import stamp
from tests.stats.history import History, expected

from .conftest import FIRST, LAST

REPO = Path(__file__).resolve().parents[2]


def run_report(home: Home, db_url: str, fmt: str, out: Path, *extra: str) -> int:
    return main(["report", "--home", str(home.paths.root), "--db", db_url, "--from",
                 FIRST.isoformat(), "--to", LAST.isoformat(), "--format", fmt, "--out", str(out),
                 *extra])


def number(text: str) -> Any:
    if text in ("", "—"):
        return None
    return float(text) if "." in text else int(text)


def test_csv_holds_every_expected_figure(engine: Engine, db_url: str, home: Home,
                                         history: History, tmp_path: Path) -> None:
    """Parsed CSV figures equal the independently computed ones, cell by cell."""
    out = tmp_path / "r.csv"
    assert run_report(home, db_url, "csv", out) == 0
    want = expected(history, home, FIRST, LAST)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("#") and "agribot-covers event=" in lines[1]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    seen = 0
    for row in rows:
        if row["节"] in ("地区", "群", "专家", "课程", "课程打开"):
            assert number(row["数值"]) == want[row["编号"]][row["指标"]], row["追溯代码"]
            seen += 1
    assert seen == sum(len(v) for v in want.values() if v) - sum(
        len(v) for k, v in want.items() if k.startswith("expert:")
        and k.split(":", 1)[1] not in home.experts)
    assert {r["指标名称"] for r in rows if r["节"] == "地区"} == set(HEADERS.values())


def test_xlsx_is_a_dispatch_table(engine: Engine, db_url: str, home: Home, history: History,
                                  tmp_path: Path) -> None:
    """Summary and one sheet per level, Chinese headers, frozen header row, widths, values."""
    out = tmp_path / "r.xlsx"
    assert run_report(home, db_url, "xlsx", out) == 0
    want = expected(history, home, FIRST, LAST)
    book = load_workbook(out)
    assert book.sheetnames[:4] == ["汇总", "省", "市（州）", "县（市、区）"]
    assert {"群", "专家", "课程", "活动", "活动场次", "追溯"} <= set(book.sheetnames)
    summary = book["汇总"]
    assert "工作调度统计表" in summary["A1"].value
    assert summary.freeze_panes == "A3"
    totals = {r[0]: r[1] for r in summary.iter_rows(min_row=3, values_only=True)}
    assert totals["提问数"] == want["region:jilin"]["questions"]
    assert totals["消息数"] == want["region:jilin"]["messages"]
    for title, prefix in (("市（州）", "region:"), ("县（市、区）", "region:"), ("群", "group:")):
        sheet = book[title]
        headers = [c.value for c in sheet[1]]
        assert sheet.freeze_panes == "A2"
        assert all(sheet.column_dimensions[c].width >= 8 for c in "ABCDEFG")
        assert set(HEADERS.values()) <= set(headers)
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert rows
        for row in rows:
            figures = want[prefix + row[0]]
            for metric, header in HEADERS.items():
                assert row[headers.index(header)] == figures[metric], (row[0], metric)
    counties = {r[0] for r in book["县（市、区）"].iter_rows(min_row=2, values_only=True)}
    assert counties == {r.id for r in home.regions.values() if r.level == "county"}
    training = list(book["活动"].iter_rows(min_row=2, values_only=True))
    assert any("培训场次不足" in str(r[6]) for r in training)  # most regions held none


def test_markdown_and_png(engine: Engine, db_url: str, home: Home, history: History,
                          tmp_path: Path) -> None:
    """Markdown shows the region tree's figures; the PNG is a real, non-trivial image."""
    md, png = tmp_path / "r.md", tmp_path / "r.png"
    assert run_report(home, db_url, "md", md) == 0
    assert run_report(home, db_url, "png", png, "--region", "changchun") == 0
    want = expected(history, home, FIRST, LAST)
    text = md.read_text(encoding="utf-8")
    for region in ("jilin", "changchun", "nongan"):
        name = home.regions[region].name
        line = next(x for x in text.splitlines() if x.startswith("|") and name in x)
        cells = [c.strip() for c in line.strip("|").split("|")]
        figures = want[f"region:{region}"]
        assert number(cells[3]) == figures["messages"]
        assert number(cells[6]) == figures["questions"]
        assert number(cells[8]) == figures["answer_rate"]
    assert "agribot-covers event=" in text
    with Image.open(png) as image:
        assert image.format == "PNG" and image.size[0] > 800 and image.size[1] > 600
        assert len(image.convert("L").getcolors(256) or []) > 20  # drawn, not blank
    assert png.stat().st_size > 30_000


def test_explain_lists_the_events_behind_a_cell(engine: Engine, db_url: str, home: Home,
                                                history: History,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`report explain` names exactly the generator's events for a figure."""
    code = "region:changchun.messages"
    assert main(["report", "explain", code, "--home", str(home.paths.root), "--db", db_url,
                 "--from", FIRST.isoformat(), "--to", LAST.isoformat()]) == 0
    out = capsys.readouterr().out
    below = {r.id for r in home.subtree("changchun")}
    ids = sorted(r.id for r in history.records if r.kind in ("message", "command")
                 and FIRST <= r.day <= LAST and home.groups[r.group or ""].region in below)
    assert f": {len(ids)} 个事件" in out
    listed: list[int] = []
    for part in out.strip().splitlines()[-1].split(", "):
        low, _, high = part.partition("-")
        listed += range(int(low), int(high or low) + 1)
    assert listed == ids
    assert main(["report", "explain", "nonsense", "--home", str(home.paths.root), "--db", db_url,
                 "--from", FIRST.isoformat(), "--to", LAST.isoformat()]) == 2


def test_tampering_breaks_audit_and_report_verify(engine: Engine, db_url: str, home: Home,
                                                  history: History, tmp_path: Path) -> None:
    """Editing one event fails `audit verify` and `report verify`; rehashing still fails."""
    out = tmp_path / "r.xlsx"
    assert run_report(home, db_url, "xlsx", out) == 0
    args = ["--home", str(home.paths.root), "--db", db_url]
    assert main(["report", "verify", str(out), *args]) == 0
    assert main(["audit", "verify", *args]) == 0
    victim = next(r.id for r in history.records if r.kind == "question")
    with session_factory(engine).begin() as session:
        session.execute(update(Event).where(Event.id == victim).values(detail='{"experts":[]}'))
    assert main(["audit", "verify", *args]) == 1
    assert main(["report", "verify", str(out), *args]) == 1
    # a forger who recomputes every later hash fixes the chain, but not the report's stamp
    with session_factory(engine).begin() as session:
        prev = session.get(Event, victim - 1)
        assert prev is not None
        last = prev.hash
        for event in session.query(Event).filter(Event.id >= victim).order_by(Event.id):
            event.prev_hash = last
            event.hash = last = eventlog.event_hash(event)
    assert main(["audit", "verify", *args]) == 0
    assert main(["report", "verify", str(out), *args]) == 1


def test_deleting_the_newest_events_fails_against_the_anchor(
        engine: Engine, db_url: str, home: Home, history: History, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Every report file anchors the head: cutting the last 10 events off the log (a valid
    chain still) fails `report verify` and `audit verify --anchor`, naming 10 missing."""
    args = ["--home", str(home.paths.root), "--db", db_url]
    files = [tmp_path / f"r.{fmt}" for fmt in ("csv", "xlsx", "md", "png")]
    for out in files:
        assert run_report(home, db_url, out.suffix[1:], out) == 0
    covers = stamp.read(files[0])
    assert covers is not None and all(stamp.read(f) == covers for f in files)
    with session_factory(engine)() as session:
        assert eventlog.anchor(session).token() == f"{covers.event_id}:{covers.event_hash}"
    anchor = ["--anchor", f"{covers.event_id}:{covers.event_hash}"]
    capsys.readouterr()
    for out in files:
        assert main(["report", "verify", str(out), *args]) == 0
    assert main(["audit", "verify", *anchor, *args]) == 0
    assert main(["audit", "verify", "--anchor", covers.event_hash, *args]) == 0
    assert "与锚点一致" in capsys.readouterr().out
    with engine.begin() as connection:  # plain SQL, as someone at the database would
        connection.execute(text("DELETE FROM events WHERE id > (SELECT max(id) - 10 FROM "
                                "(SELECT id FROM events) AS e)"))
    assert main(["audit", "verify", *args]) == 0  # the shorter chain is valid on its own
    capsys.readouterr()
    assert main(["audit", "verify", *anchor, *args]) == 1
    assert "少了 10 条事件" in capsys.readouterr().err
    for out in files:
        assert main(["report", "verify", str(out), *args]) == 1
        assert "少了 10 条事件" in capsys.readouterr().err
    assert main(["audit", "verify", "--anchor", covers.event_hash, *args]) == 1
    assert "已没有锚点的链头" in capsys.readouterr().err
    assert main(["audit", "verify", "--anchor", "12:xyz", *args]) == 2


def test_demo_artifacts(db_url: str, home: Home, tmp_path: Path,
                        request: pytest.FixtureRequest) -> None:
    """A chart and a dispatch table from the demo home, kept under artifacts/ for people
    (the PostgreSQL run keeps its own copy, suffixed)."""
    request.getfixturevalue("history")
    suffix = "" if db_url.startswith("sqlite") else "-postgresql"
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    for fmt in ("png", "xlsx", "md"):
        out = tmp_path / f"demo-report.{fmt}"
        assert main(["report", "--home", str(home.paths.root), "--db", db_url, "--from",
                     FIRST.isoformat(), "--to", (LAST + timedelta(days=2)).isoformat(),
                     "--format", fmt, "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
        shutil.copy(out, artifacts / f"demo-report{suffix}.{fmt}")
