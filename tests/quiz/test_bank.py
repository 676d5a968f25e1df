"""Question banks on disk: the demo's load; each slip is named at its path:line:col in Chinese by
``agribot check``, and schedules that push a quiz are checked against the banks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import load_home
from bot.domain import Tier
from bot.quiz.chat import parse_choice
from tests.config.test_home import edit, problems

FUNGI = Path("content_library") / "quizzes" / "fungi.yaml"


def test_demo_banks_load(demo_copy: Path) -> None:
    """Both demo banks load with their questions in file order, answers among the options."""
    home = load_home(demo_copy)
    bank = home.quizzes["fungi-basics"]
    assert [q.id for q in bank.questions][:3] == ["fg-01", "fg-02", "fg-03"]
    assert all(q.answer in q.options for b in home.quizzes.values() for q in b.questions)
    assert [q.id for q in bank.for_tier(Tier.SENIOR)] == ["fg-03", "fg-05"]
    assert "health-basics" in home.quizzes


def test_each_mistake_is_named_at_its_place(demo_copy: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """An answer letter with no option, an unknown industry and a repeated question id are
    reported together, each at its line."""
    path = demo_copy / FUNGI
    answer_line = edit(path, "    answer: B\n", "    answer: E\n")
    industry_line = edit(path, "industry: edible_fungi\n    tiers: [intermediate, senior]",
                         "industry: mushrooms\n    tiers: [intermediate, senior]")
    dup_line = edit(path, "- id: fg-04", "- id: fg-02")
    assert main(["check", "--home", str(demo_copy)]) == 1
    err = capsys.readouterr().err
    where = f"{demo_copy / FUNGI}"
    assert f"{where}:{answer_line}:13: 答案 “E” 不是本题的选项，可选 A、B、C、D" in err
    assert f"{where}:{industry_line}:" in err and "产业 “mushrooms” 不存在" in err
    assert f"{where}:{dup_line}:" in err and "编号 “fg-02” 重复，已在 fungi.yaml:" in err


def test_shape_mistakes_are_named_at_their_place(demo_copy: Path) -> None:
    """A tier that does not exist and options not lettered from A are errors in Chinese."""
    path = demo_copy / FUNGI
    tier_line = edit(path, "tiers: [junior, intermediate, senior]", "tiers: [junior, expert]")
    edit(path, "      D: 3 天\n", "      F: 3 天\n")
    lines = path.read_text("utf-8").splitlines()
    option_line = lines.index("      A: 半小时") + 1  # the options of that question start here
    found = problems(demo_copy)
    assert any(f"fungi.yaml:{tier_line}:" in p and "级别 “expert” 不存在" in p for p in found)
    assert any(f"fungi.yaml:{option_line}:" in p and "选项要从 A 起连续编号" in p
               and "A、B、C、F" in p for p in found), found


def test_duplicate_bank_id_across_files(demo_copy: Path) -> None:
    """Two files may not use one bank id; lowercase answers and 初级 tiers are accepted."""
    text = (demo_copy / FUNGI).read_text("utf-8").replace("answer: B", "answer: b")
    text = text.replace("tiers: [junior, intermediate]", "tiers: [初级, 中级]")
    (demo_copy / FUNGI).write_text(text, "utf-8")
    copy = text.replace("id: fungi-basics", "id: health-basics").replace("- id: fg-", "- id: x-")
    (demo_copy / "content_library" / "quizzes" / "more.yaml").write_text(copy, "utf-8")
    found = problems(demo_copy)
    assert len(found) == 1 and "more.yaml" in found[0] and "编号 “health-basics” 重复" in found[0]


def test_schedule_quiz_is_checked_against_the_banks(
        demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A schedule naming an unknown bank, or a bank with nothing for a target's tier, is an
    error at its place; questions without quiz too."""
    path = demo_copy / "schedules" / "jilin" / "changchun" / "jiutai.yaml"
    line = edit(path, "what: {series: xianggu-lvmei}", "what: {quiz: fungi-basic, questions: 3}")
    assert main(["check", "--home", str(demo_copy)]) == 1
    err = capsys.readouterr().err
    assert f"jiutai.yaml:{line}:" in err and "题库 “fungi-basic” 不存在" in err
    edit(path, "what: {quiz: fungi-basic, questions: 3}", "what: {series: xianggu-lvmei, "
         "questions: 3}")
    assert main(["check", "--home", str(demo_copy)]) == 1
    assert "questions 和 window 只能和 quiz 一起写" in capsys.readouterr().err
    bank = demo_copy / FUNGI
    text = bank.read_text("utf-8").replace("[junior, intermediate, senior]", "[senior]")
    bank.write_text(text.replace("tiers: [junior, intermediate]", "tiers: [intermediate]")
                    .replace("tiers: [junior]", "tiers: [senior]"), "utf-8")
    edit(path, "what: {series: xianggu-lvmei, questions: 3}",
         "what: {quiz: fungi-basics, window: \"10m\"}")
    assert main(["check", "--home", str(demo_copy)]) == 1
    assert "没有适合初级群 “jiutai-junior” 的题目" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "choice"), [
    ("B", "B"), ("b", "B"), ("Ｂ", "B"), ("ｂ", "B"), ("选B", "B"), ("选 c", "C"), ("我选D", "D"),
    ("答案是A", "A"), ("答：A", "A"), ("B。", "B"), (" B ", "B"), ("\u200bA", "A"), ("C项", "C"),
])
def test_answers_people_type(text: str, choice: str) -> None:
    """The letter however phones type it."""
    assert parse_choice(text) == choice


@pytest.mark.parametrize("text", ["E", "AB", "好的", "B站上有视频", "#问 B", "", "选", "a b"])
def test_ordinary_chat_is_not_an_answer(text: str) -> None:
    assert parse_choice(text) is None
