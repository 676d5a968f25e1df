"""Loading schedule files: the region rules, tier rules and ids across files, as path:line:col."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import ConfigError, load_home
from bot.schedules.loader import load_schedule_file, load_schedules
from tests.conftest import REPO
from tests.schedules.conftest import home_of, write

JIUTAI = "jilin/changchun/jiutai.yaml"


def problems(home_dir: Path, **kw: bool) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_schedules(home_of(home_dir), **kw)
    return [str(p) for p in caught.value.problems]


def test_demo_schedules_and_example_load() -> None:
    """The demo home's files, and the commented example showing every form, are valid."""
    home = load_home(REPO)
    book = load_schedules(home, examples=True)
    assert {"changchun-huanggua", "jiutai-xianggu-lvmei", "taonan-cattle",
            "example-weekly-series", "example-once", "example-cron"} <= set(book.schedules)
    assert "example-once" not in load_schedules(home).schedules  # examples never run


def test_county_file_cannot_target_a_neighbour(home_dir: Path) -> None:
    """A county targeting another county's group is refused, naming the group, at its line."""
    path = write(home_dir, JIUTAI, (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: jiutai-weekly\n"
        "    targets: [jiutai-junior, taonan-junior]\n"
        "    when: {daily: {time: \"19:30\"}}\n"
        "    what: cs-002\n"))
    [problem] = problems(home_dir)
    assert problem.startswith(f"{path}:4:30: ")
    assert "taonan-junior" in problem and "洮南市（taonan）" in problem
    assert "九台区（jiutai）" in problem


def test_province_reaches_everyone_and_selectors_stay_inside(home_dir: Path) -> None:
    """The province may target every junior group; a city selector may not name another city."""
    write(home_dir, "jilin.yaml", (
        "region: jilin\n"
        "schedules:\n"
        "  - {id: all-junior, targets: {tier: junior}, when: \"0 8 * * *\", what: sc-004}\n"))
    book = load_schedules(home_of(home_dir))
    assert len(book.schedules["all-junior"].groups) == 14
    path = write(home_dir, "jilin/changchun.yaml", (
        "region: changchun\n"
        "schedules:\n"
        "  - id: cc\n"
        "    targets: {tier: junior, region: baicheng}\n"
        "    when: \"0 8 * * *\"\n"
        "    what: sc-004\n"))
    [problem] = problems(home_dir)
    assert problem.startswith(f"{path}:4:37: ") and "baicheng" in problem


def test_file_must_sit_where_its_region_sits(home_dir: Path) -> None:
    """A file whose folder does not mirror the region tree says where it belongs."""
    path = write(home_dir, "jiutai.yaml", "region: jiutai\nschedules: []\n")
    [problem] = problems(home_dir)
    assert problem.startswith(f"{path}:1:9: ")
    assert "schedules/jilin/changchun/jiutai.yaml" in problem


def test_content_must_suit_the_groups_tier(home_dir: Path) -> None:
    """A senior-only course pushed to a junior group is an error at load."""
    path = write(home_dir, JIUTAI, (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: j\n"
        "    targets: [jiutai-junior]\n"
        "    when: \"0 8 * * *\"\n"
        "    what: {item: cs-005}\n"))
    [problem] = problems(home_dir)
    assert problem.startswith(f"{path}:6:18: ") and "cs-005" in problem and "初级" in problem


def test_unknown_references_and_unquoted_time(home_dir: Path) -> None:
    """Unknown group, series and an unquoted time each point at their own line."""
    path = write(home_dir, JIUTAI, (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: j\n"
        "    targets: [jiutai-junor]\n"
        "    when: {weekly: {weekdays: [二], time: 19:30}}\n"
        "    what: {series: no-such}\n"))
    found = problems(home_dir)
    assert len(found) == 1 and found[0].startswith(f"{path}:5:42: ") and "引号" in found[0]
    write(home_dir, JIUTAI, (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: j\n"
        "    targets: [jiutai-junor]\n"
        "    when: {weekly: {weekdays: [二], time: \"19:30\"}}\n"
        "    what: {series: no-such}\n"))
    found = problems(home_dir)
    assert [p.split(": ", 1)[0] for p in found] == [f"{path}:4:15", f"{path}:6:20"]
    assert "jiutai-junor" in found[0] and "no-such" in found[1]


def test_ids_are_unique_across_files(home_dir: Path) -> None:
    """The same schedule id in two files is reported at the second, naming the first."""
    write(home_dir, "jilin/changchun.yaml", (
        "region: changchun\nschedules:\n"
        "  - {id: weekly, targets: [changchun-intermediate], when: \"0 8 * * 1\", what: cs-002}\n"))
    second = write(home_dir, JIUTAI, (
        "region: jiutai\nschedules:\n"
        "  - {id: weekly, targets: [jiutai-junior], when: \"0 8 * * 1\", what: cs-002}\n"))
    [problem] = problems(home_dir)
    assert problem.startswith(f"{second}:3:") and "changchun.yaml:3" in problem


def test_a_misspelt_key_is_pointed_at(home_dir: Path) -> None:
    """A misspelt key (``taget``) is reported once, at the key itself, with the key it should
    be; not again as the required ``targets`` being missing."""
    path = write(home_dir, JIUTAI, (
        "region: jiutai\nschedules:\n"
        "  - id: j\n"
        "    taget: [jiutai-junior]\n"
        "    when: \"0 8 * * 1\"\n"
        "    what: cs-002\n"))
    assert problems(home_dir) == [
        f"{path}:4:5: 未知的键 “taget”，是否拼写错误？是不是要写 “targets”？ (unknown key)"]


def test_one_file_alone(home_dir: Path) -> None:
    """A single file loads with its targets resolved in configuration order."""
    path = write(home_dir, "jilin/changchun.yaml", (
        "region: changchun\nschedules:\n"
        "  - {id: c, targets: {tier: junior}, when: \"0 8 * * 1\", what: cs-002}\n"))
    loaded = load_schedule_file(home_of(home_dir), path)
    assert loaded.schedules[0].groups == ("nongan-junior", "yushu-junior", "dehui-junior",
                                          "jiutai-junior", "shuangyang-junior",
                                          "gongzhuling-junior")


def test_check_reports_schedule_errors(home_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``agribot check`` validates schedules: exit 1 with the path:line:col line."""
    shutil.copy(REPO / "schedules" / "jilin.example.yaml", home_dir / "schedules")
    assert main(["check", "--home", str(home_dir)]) == 0
    path = write(home_dir, JIUTAI, "region: jiutai\nschedules:\n  - id: x\n")
    assert main(["check", "--home", str(home_dir)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3:5: 缺少必填项 “targets”" in err
