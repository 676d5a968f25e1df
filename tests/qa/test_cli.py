"""``agribot qa classify``: questions on standard input, ``industry<TAB>question`` out, as the
running bot would route them (with what the database has learnt)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import eventlog
from bot.cli.main import main
from bot.core import events
from bot.db.engine import session_factory
from bot.db.schema import Question

QUESTIONS = "牛不吃草\n\n稻田养蟹一亩放多少蟹苗\n大家好\n香菇菌棒出了绿霉\t咋整\n"


def _run(argv: list[str], text: str, monkeypatch: pytest.MonkeyPatch,
         capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(argv) == 0
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err


def test_classify_prints_industry_tab_question(
        demo_copy: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """One line per question (blank lines skipped), ``-`` for general experts; the classifier's
    figures on the fixed test split go to standard error. No database is created."""
    lines, err = _run(["qa", "classify", "--home", str(demo_copy)], QUESTIONS,
                      monkeypatch, capsys)
    assert lines == ["cattle_sheep\t牛不吃草", "specialty_breeding\t稻田养蟹一亩放多少蟹苗",
                     "-\t大家好", "edible_fungi\t香菇菌棒出了绿霉 咋整"]
    assert "固定测试集" in err and "答对" in err
    assert not (demo_copy / "data" / "agribot.db").exists()


def test_explain_adds_what_decided(demo_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    lines, _ = _run(["qa", "classify", "--explain", "--no-db", "--home", str(demo_copy)],
                    "香菇菌棒出了绿霉\n稻田养蟹一亩放多少蟹苗\n", monkeypatch, capsys)
    fungi, crab = (line.split("\t") for line in lines)
    assert fungi[0] == "edible_fungi" and "关键词：" in fungi[2] and "绿霉" in fungi[2]
    assert "特征：" in fungi[2] and "模型把握" in fungi[2]
    assert crab[0] == "specialty_breeding" and "模型决定" in crab[2] and "蟹" in crab[2]


def test_classify_uses_what_the_database_learnt(
        demo_copy: Path, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A question an expert moved with #转 is routed as he said, by the CLI as by the bot."""
    text = "合作社的账本咋记"
    [before], _ = _run(["qa", "classify", "--home", str(demo_copy), "--db", db_url], text,
                       monkeypatch, capsys)
    wanted = "ecommerce" if not before.startswith("ecommerce") else "leisure_agriculture"
    now = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        question = Question(account="jilin-kexie", group_id="jiutai-junior", message_id="m1",
                            asker_id="t", asker_name="t", text=text, industry=wanted,
                            region_id="jiutai", status="open", attachments="[]",
                            created_at=now.replace(tzinfo=None))
        session.add(question)
        session.flush()
        eventlog.append(session, [eventlog.NewEvent(
            kind=events.QUESTION_FORWARDED, ts=now, account="jilin-kexie",
            group_id="jiutai-junior", actor="wxid_exp_yinhongliang", ref="Q-0001",
            detail={"from_industry": before.split("\t")[0], "to_industry": wanted,
                    "experts": [], "to_person": False})])
    [after], err = _run(["qa", "classify", "--home", str(demo_copy), "--db", db_url], text,
                        monkeypatch, capsys)
    assert after == f"{wanted}\t{text}" and "其中 1 条从数据库学到" in err
