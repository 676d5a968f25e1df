"""Full-width punctuation is blamed only where it stands for YAML structure."""

from __future__ import annotations

import pytest

from bot.config import fullwidth


@pytest.mark.parametrize(("line", "column", "char"), [
    ("    tier： junior", 9, "："),
    ("  - id： jiutai", 7, "："),
    ("weekdays: [一，四]", 13, "，"),
    ("weekdays: [一、四]", 13, "、"),
    ("when: {weekly: {weekdays: [四]， time: '20:00'}}", 30, "，"),
    ("targets: 【jiutai-junior】", 10, "【"),
    ("tiers: [junior］", 15, "］"),
    ("name: “绿霉病: 防治”", 7, "“"),
    ("\u3000\u3000tier: junior", 1, "\u3000"),
    ("  － jiutai-junior", 3, "－"),
])
def test_structural_characters_are_found(line: str, column: int, char: str) -> None:
    culprit = fullwidth.in_line(line, 7)
    assert culprit is not None and culprit.column == column and culprit.line == 7
    assert char in culprit.message or "全角空格" in culprit.message


@pytest.mark.parametrize("line", [
    "description: 注意：发菌期要通风，温度不超过 25 度",
    "title: 【重要】水稻育秧",
    "name: “稻瘟病”的防治",
    "message: '今晚：{title}，欢迎参加'",
    "# 注释里：随便写，【】“”",
    "keywords: [香菇, 木耳]  # 中文逗号写在注释里，没关系",
])
def test_chinese_text_is_left_alone(line: str) -> None:
    """In values, quoted text and comments the same characters are only text."""
    assert fullwidth.in_line(line, 1) is None


def test_missing_space_after_a_colon() -> None:
    culprit = fullwidth.in_line("    tier:junior", 3)
    assert culprit is not None and (culprit.line, culprit.column) == (3, 9)
    assert "空格" in culprit.message
    assert fullwidth.in_line("    url: https://example.com/a", 3) is None


def test_nearest_line_first() -> None:
    """The line the parser stopped at, then the lines above it, never below."""
    lines = ["a: 1", "b： 2", "c: 3", "d： 4"]
    found = fullwidth.near(lines, 3)
    assert found is not None and found.line == 2
    assert fullwidth.near(lines, 1) is None
