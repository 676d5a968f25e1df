"""Loading a whole home: the demo passes; each mistake in a copy is named at its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import ConfigError, load_home
from bot.domain import Level, Tier


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in ``path`` with ``new``; return the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old):], encoding="utf-8")
    return text.count("\n", 0, index) + 1


def problems(home: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_home(home)
    return [str(p) for p in caught.value.problems]


def test_demo_home_loads_and_is_complete(demo_copy: Path) -> None:
    """The demo home is the province of Jilin with all three tiers, all industries and a catalog."""
    home = load_home(demo_copy)
    levels = {r.level for r in home.regions.values()}
    assert levels == {Level.PROVINCE, Level.CITY, Level.COUNTY}
    assert home.regions[home.province_id].name == "吉林省"
    assert sum(r.level is Level.CITY for r in home.regions.values()) == 9
    assert "taonan" in home.regions and home.regions["taonan"].name == "洮南市"
    assert {g.tier for g in home.groups.values()} == set(Tier)
    assert len(home.industries) == 11
    covered = {i for e in home.experts.values() for i in e.industries}
    assert covered == set(home.industries)
    assert len(home.items) >= 40
    assert {i.industry for i in home.items.values()} == set(home.industries)
    assert {t for i in home.items.values() for t in i.tiers} == set(Tier)
    assert home.episodes and all(len(e) >= 3 for e in home.episodes.values())
    assert all(i.url_is_example for i in home.items.values() if i.url)


def test_region_helpers(demo_copy: Path) -> None:
    """Ancestors climb to the province; a subtree holds a city's counties."""
    home = load_home(demo_copy)
    assert [r.id for r in home.ancestors("taonan")] == ["taonan", "baicheng", "jilin"]
    assert {r.id for r in home.subtree("baicheng")} >= {"baicheng", "taonan"}
    assert home.within("nongan", "changchun") and not home.within("nongan", "baicheng")


def test_wrong_type(demo_copy: Path) -> None:
    """A tier that is not one of the three is named at the value."""
    groups = demo_copy / "config" / "groups.yaml"
    line = edit(groups, "tier: junior", "tier: beginner")
    found = problems(demo_copy)
    assert len(found) == 1 and found[0].startswith(f"{groups}:{line}:")
    assert "senior" in found[0]


def test_unknown_key(demo_copy: Path) -> None:
    """A misspelt key is an error at the key, never silently ignored."""
    groups = demo_copy / "config" / "groups.yaml"
    line = edit(groups, "room_topic:", "room_tpoic:")
    found = problems(demo_copy)
    assert any(p.startswith(f"{groups}:{line}:") and "room_tpoic" in p for p in found)


def test_duplicate_id_across_content_files(demo_copy: Path) -> None:
    """An item id used in two files is reported at the second, naming the first."""
    first = sorted((demo_copy / "content_library").glob("*.yaml"))[0]
    extra = demo_copy / "content_library" / "zz_extra.yaml"
    item_id = next(iter(load_home(demo_copy).items))
    extra.write_text(
        f"items:\n  - id: {item_id}\n    title: 重复\n    industry: health\n    tiers: [junior]\n"
        "    source: 测试\n    url: https://example.org/x\n    url_is_example: true\n",
        encoding="utf-8")
    found = problems(demo_copy)
    assert len(found) == 1 and found[0].startswith(f"{extra}:2:")
    assert item_id in found[0] and first.name in found[0]


def test_dangling_references(demo_copy: Path) -> None:
    """A group's region and an expert's industry must exist."""
    groups = demo_copy / "config" / "groups.yaml"
    line = edit(groups, "region: taonan", "region: atlantis")
    line2 = edit(groups, "industries: [", "industries: [quantum_farming, ")
    found = problems(demo_copy)
    assert any(p.startswith(f"{groups}:{line}:") and "atlantis" in p for p in found)
    assert any(p.startswith(f"{groups}:{line2}:") and "quantum_farming" in p for p in found)


def test_tier_must_match_region_level(demo_copy: Path) -> None:
    """A junior group cannot belong to the province."""
    groups = demo_copy / "config" / "groups.yaml"
    line = edit(groups, "tier: senior", "tier: junior")
    found = problems(demo_copy)
    assert any(p.startswith(f"{groups}:{line}:") and "junior" in p for p in found)


def test_series_episodes_must_be_contiguous(demo_copy: Path) -> None:
    """Removing episode 1 of a series leaves a gap that is reported at the series."""
    for path in (demo_copy / "content_library").glob("*.yaml"):
        if "episode: 1\n" in path.read_text(encoding="utf-8"):
            edit(path, "episode: 1\n", "episode: 9\n")
            break
    found = problems(demo_copy)
    assert any("第 1 集" in p for p in found)


def test_tab_duplicate_key_and_alias_bomb_through_check(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``agribot check`` prints one path:line:col line per problem, across files, and exits 1."""
    bot_yaml = demo_copy / "config" / "bot.yaml"
    text = bot_yaml.read_text(encoding="utf-8")
    bot_yaml.write_text(text + "timezone: Asia/Shanghai\n", encoding="utf-8")  # duplicate key
    dup_line = text.count("\n") + 1
    industries = demo_copy / "config" / "industries.yaml"
    industries.write_text("industries:\n\t- id: x\n", encoding="utf-8")
    bomb = demo_copy / "content_library" / "bomb.yaml"
    bomb.write_text("a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"a{i}: &a{i} [{','.join(['*a' if i == 1 else f'*a{i - 1}'] * 10)}]\n"
        for i in range(1, 9)), encoding="utf-8")

    assert main(["check", "--home", str(demo_copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith(f"{bot_yaml}:{dup_line}:1: ") for line in err)
    assert any(line.startswith(f"{industries}:2:1: ") and "Tab" in line for line in err)
    assert any(line.startswith(f"{bomb}:") and "引用" in line for line in err)


def test_check_passes_on_demo(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``agribot check`` on the demo home exits 0 and says what it found."""
    assert main(["check", "--home", str(demo_copy)]) == 0
    assert "OK" in capsys.readouterr().out


def test_check_covers_every_settings_file(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Q&A and report settings are checked with the rest, all problems in one run."""
    (demo_copy / "config" / "qa.yaml").write_text("deadlines: {cty: 8}\n", encoding="utf-8")
    reports = demo_copy / "config" / "reports.yaml"
    line = edit(reports, "enabled:", "enabeld:")
    assert main(["check", "--home", str(demo_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{demo_copy / 'config' / 'qa.yaml'}:1:" in err and "cty" in err
    assert f"{reports}:{line}:" in err and "enabeld" in err


def test_industry_by_its_chinese_name(demo_copy: Path) -> None:
    """``食用菌`` is read as edible_fungi wherever an industry is named (experts, content,
    a schedule's pick); an unknown name lists the ids to write instead."""
    from bot.schedules.loader import load_schedules

    config, content = demo_copy / "config", demo_copy / "content_library"
    edit(config / "groups.yaml", "industries: [edible_fungi]", "industries: [食用菌]")
    edit(content / "planting.yaml", "industry: edible_fungi", "industry: 食用菌")
    edit(demo_copy / "schedules" / "jilin.yaml", "industry: edible_fungi", "industry: 食用菌")
    home = load_home(demo_copy)
    assert home.experts["wxid_exp_yinhongliang"].industries == ["edible_fungi"]
    assert {i.industry for i in home.items.values()} <= set(home.industries)
    assert {s.industry for s in home.series.values()} <= {*home.industries, None}
    picks = [s.what.pick.industry for s in load_schedules(home) if s.what.pick is not None]
    assert "edible_fungi" in picks and set(picks) <= set(home.industries)

    line = edit(config / "groups.yaml", "industries: [食用菌]", "industries: [水稻]")
    [problem] = problems(demo_copy)
    assert f"groups.yaml:{line}:" in problem
    assert "产业 “水稻” 不存在；可以写的产业编号有：" in problem
    assert "edible_fungi（食用菌）" in problem


def test_a_name_two_industries_share_must_be_an_id(demo_copy: Path) -> None:
    """Where two industries have the same name, the name is ambiguous and says so."""
    industries = demo_copy / "config" / "industries.yaml"
    edit(industries, "name: 禽类", "name: 食用菌")
    line = edit(demo_copy / "config" / "groups.yaml", "industries: [edible_fungi]",
                "industries: [食用菌]")
    [problem] = problems(demo_copy)
    assert f"groups.yaml:{line}:" in problem
    assert "edible_fungi（食用菌）、poultry（食用菌）" in problem
