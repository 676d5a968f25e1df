"""``agribot check`` warns, at path:line:col, about what loads fine but will go wrong later,
and still passes: a second province's home on disk, edited the way admins edit it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.second_province import write_second_province


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if text in line)


def _check(home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["check", "--home", str(home)])
    out = capsys.readouterr()
    return code, [line for line in out.out.splitlines() if "警告：" in line], out.out + out.err


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AGRIBOT_DB_URL", raising=False)
    return write_second_province(tmp_path / "sichuan")


def test_a_clean_home_warns_only_about_its_short_series(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The 蒲江县 tea series has two episodes pushed weekly: it runs out within 30 days, and
    that is the only thing check has to say besides OK."""
    code, warnings, out = _check(home, capsys)
    assert code == 0 and "OK" in out
    schedule = home / "schedules/sichuan/chengdu/pujiang.yaml"
    [warning] = warnings
    assert warning.startswith(f"{schedule}:{_line_of(schedule, 'what:')}:")
    assert "pujiang-chayuan" in warning and "chayuan" in warning and "30 天内" in warning
    assert "1 个警告" in out and not (home / "data").exists()


def test_each_silent_mistake_is_a_warning_at_its_place(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    industries = home / "config/industries.yaml"
    schedule = home / "schedules/sichuan/chengdu/pujiang.yaml"
    bot_yaml = home / "config/bot.yaml"
    # a keyword under two industries; a generic word of the first industry in a citrus course
    _edit(industries, "茶饼病, 茶小绿叶蝉]", "茶饼病, 茶小绿叶蝉, 红蜘蛛, 施肥]")
    _edit(home / "content_library/catalog.yaml", "title: 丑柑高接换种",
          "title: 丑柑高接换种\n    description: 换种后春季施肥，促发新梢。")
    # an industry nobody answers
    _edit(industries, "  - id: pigs", "  - id: bees\n    name: 蜜蜂\n    sector: 养殖业\n"
          "    keywords: [蜜蜂, 蜂群, 中蜂]\n  - id: pigs")
    # a template naming a field a course lacks, and full-width braces
    with schedule.open("a", encoding="utf-8") as f:
        f.write('  - id: pujiang-spring\n    targets: [pujiang-junior]\n'
                '    when: {monthly: {day: 1, time: "19:00"}}\n    what: {item: tea-101}\n'
                '    message: "今晚学习：{title}，主讲 {speaker}。时长 ｛duration｝"\n'
                # no pig course suits a junior group: this pick has nothing to push at all
                '  - id: pujiang-pigs\n    targets: [pujiang-junior]\n'
                '    when: {daily: {time: "07:00"}}\n    what: {pick: {industry: pigs}}\n')
    # a welcome with a Chinese placeholder
    with bot_yaml.open("a", encoding="utf-8") as f:
        f.write('welcome: "欢迎 {名字} 加入「{group}」！"\n')

    code, warnings, out = _check(home, capsys)
    assert code == 0 and "OK" in out, out

    def at(path: Path, text: str, *words: str) -> str:
        line = _line_of(path, text)
        found = [w for w in warnings if w.startswith(f"{path}:{line}:")
                 and all(word in w for word in words)]
        assert found, (path, line, words, warnings)
        return found[0]

    twice = at(industries, "黄龙病, 红蜘蛛", "红蜘蛛", "茶叶", "柑橘")
    assert "两个" in twice or "同时" in twice
    generic = at(industries, "红蜘蛛, 施肥", "施肥", "gj-201")
    assert "“柑橘施肥” 会分到“茶叶”" in generic
    assert "综合专家" in at(industries, "id: bees", "蜜蜂")
    speaker = at(schedule, "主讲 {speaker}", "{speaker}", "tea-101")
    assert "“今晚学习：春茶采摘与炒制，主讲 。" in speaker
    assert "{duration}" in at(schedule, "主讲 {speaker}", "｛duration｝")
    assert "欢迎词里可用 {name} {group}" in at(bot_yaml, "welcome:", "{名字}")
    assert "已经没有可推的课程" in at(schedule, "industry: pigs", "pujiang-pigs", "生猪")
    assert f"{len(warnings)} 个警告" in out and len(warnings) == 8, warnings


def test_warnings_come_with_errors_too_and_errors_still_fail(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A schedule error fails check; the other files' warnings are still shown."""
    _edit(home / "config/industries.yaml", "  - id: pigs",
          "  - id: bees\n    name: 蜜蜂\n    sector: 养殖业\n  - id: pigs")
    _edit(home / "schedules/sichuan/chengdu/pujiang.yaml", 'time: "20:00"', "time: 20:00")
    code, warnings, out = _check(home, capsys)
    assert code == 1 and "OK" not in out and "引号" in out
    assert [w for w in warnings if "蜜蜂" in w]


def test_check_needs_no_database_server(home: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """check reads files; a configured database that does not answer changes nothing."""
    monkeypatch.setenv("AGRIBOT_DB_URL", "postgresql+psycopg2://nobody@127.0.0.1:9/none")
    code, warnings, out = _check(home, capsys)
    assert code == 0 and "OK" in out and len(warnings) == 1
