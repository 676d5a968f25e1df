"""A quiz as a group has it, through the simulator's HTTP API with the whole bot behind it: the
schedule pushes it, members answer by letter, each question closes with its explanation, the
leaderboard ranks them, and the report's quiz figures match."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from bot.app import AgriBot
from bot.cli.main import main
from bot.clock import ManualClock
from bot.db.engine import session_factory
from bot.db.schema import Event, QuizAnswer
from bot.stats import rollup
from tests.quiz.conftest import JIUTAI, Room, tick
from tests.simulator.conftest import Api

DAY = date(2026, 12, 3)


def report(bot: AgriBot, db_url: str, out: Path, *extra: str) -> int:
    with session_factory(bot.engine).begin() as session:
        rollup.catch_up(session, bot.home)
    return main(["report", "--home", str(bot.home.paths.root), "--db", db_url, "--from",
                 DAY.isoformat(), "--to", DAY.isoformat(), *extra, "--out", str(out)])


def sheet_rows(path: Path, sheet: str) -> dict[str, dict[str, object]]:
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    headers = [str(h) for h in rows[0]]
    return {str(r[0]): dict(zip(headers, r, strict=True)) for r in rows[1:]}


async def test_quiz_pushed_answered_closed_ranked_and_reported(
        bot: AgriBot, api: Api, clock: ManualClock, engine: Engine, db_url: str,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Five members answer the first question (two wrong, one of the right ones twice, in
    full-width and 「选」 forms); it closes after 30 minutes with the right explanation and
    3 of 5; the next question follows; #排行 ranks the group and the county; the XLSX agrees."""
    assert bot.world is not None
    room = Room(api, bot.world, JIUTAI)
    clock.advance(timedelta(minutes=31))
    assert bot.schedules is not None
    assert await bot.schedules.run_due() == 1
    bot.wake_senders()
    first = await room.until(room.bot_said(0, "【知识竞赛】食用菌生产基础知识（第 1/3 题）"))
    assert "绿霉" in first["text"] and "B. 高温高湿、通风不良" in first["text"]
    tick(bot)  # the message went out: the question is open from now

    people = [m["id"] for m in await room.members()][:6]
    names = {m["id"]: m["name"] for m in await room.members()}
    for sender, text in zip(people[:5], ["B", "ｂ", "选B", "A", "D"], strict=True):
        await room.say(sender, text)
    await room.say(people[0], "C")  # a second answer: not counted, no reply
    clock.advance(timedelta(minutes=10))
    asked = await room.say(people[5], "#排行")
    ranking = await room.until(room.bot_said(asked, "【知识竞赛排行 · 本群】"))
    lines = ranking["text"].splitlines()
    assert lines[1].startswith("1. ") and "答对 1 题 / 答 1 题" in lines[1]
    assert {names[p] for p in people[:3]} == {line.split()[1] for line in lines[1:4]}
    assert "【知识竞赛排行 · 九台区】" in ranking["text"]
    assert not [m for m in await room.bot_messages(first["id"])
                if "已收到" in m["text"]]  # answers get no replies

    clock.advance(timedelta(minutes=20, seconds=1))
    tick(bot)
    closed = await room.until(room.bot_said(first["id"], "【答案揭晓】第 1/3 题"))
    assert "正确答案：B. 高温高湿、通风不良" in closed["text"]
    assert "木霉在 25～30℃" in closed["text"] and "本题 5 人作答，3 人答对" in closed["text"]
    second = await room.until(room.bot_said(closed["id"], "（第 2/3 题）"))
    assert "菌丝生长" in second["text"]
    tick(bot)
    await room.say(people[1], "C")  # right, to the second question
    asked = await room.say(people[5], "#排行")  # answered once it has been handled
    ranking = await room.until(room.bot_said(asked, "【知识竞赛排行 · 本群】"))
    assert f"1. {names[people[1]]}  答对 2 题 / 答 2 题" in ranking["text"]
    clock.advance(timedelta(minutes=31))
    tick(bot)
    await room.until(room.bot_said(asked, "【答案揭晓】第 2/3 题"))
    third = await room.until(room.bot_said(second["id"], "（第 3/3 题）"))
    tick(bot)
    clock.advance(timedelta(minutes=31))
    tick(bot)
    last = await room.until(room.bot_said(third["id"], "【答案揭晓】第 3/3 题"))
    assert "本题无人作答" in last["text"] and "本轮知识竞赛结束" in last["text"]

    with session_factory(engine)() as session:
        counted = list(session.scalars(select(QuizAnswer).order_by(QuizAnswer.ts)))
        answers = list(session.scalars(select(Event).where(
            Event.kind.in_(["quiz_right", "quiz_wrong"]))))
    assert len(counted) == len(answers) == 6  # five to the first question, one to the second
    assert [a.choice for a in counted if a.member == people[0]] == ["B"]

    out = tmp_path / "quiz.xlsx"
    assert report(bot, db_url, out, "--format", "xlsx") == 0
    group = sheet_rows(out, "群")["jiutai-junior"]
    assert (group["竞赛题数"], group["答题人次"], group["答对人次"]) == (3, 6, 4)
    assert group["答题正确率(%)"] == 66.7
    county = sheet_rows(out, "县（市、区）")["jiutai"]
    assert (county["答题人次"], county["答对人次"]) == (6, 4)
    capsys.readouterr()
    assert main(["report", "explain", "group:jiutai-junior.quiz_correct", "--home",
                 str(bot.home.paths.root), "--db", db_url, "--from", DAY.isoformat(), "--to",
                 DAY.isoformat()]) == 0
    traced = capsys.readouterr().out
    assert "4 个事件" in traced
    assert all(str(a.event_id) in traced for a in counted if a.correct)
