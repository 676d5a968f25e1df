"""Command parsing as phones send it: full-width #, zero-width characters, no space, junk."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.chat.parse import Command, clean, format_question_id, parse_command, parse_question_id


def test_plain_and_full_width_hash() -> None:
    """Both # and ＃ start a command; the rest of the line is its argument."""
    assert parse_command("#问 香菇绿霉怎么防治") == Command("问", "香菇绿霉怎么防治")
    assert parse_command("＃课程 木耳") == Command("课程", "木耳")


def test_no_space_after_known_command() -> None:
    """"#问怎么办" is split at the longest known command name."""
    assert parse_command("＃问大棚黄瓜霜霉病") == Command("问", "大棚黄瓜霜霉病")
    assert parse_command("#开始培训肉牛育肥") == Command("开始培训", "肉牛育肥")


def test_invisible_and_odd_spaces_are_ignored() -> None:
    """Zero-width, non-breaking and ideographic spaces do not break a command."""
    assert parse_command("\u200b#\u200d帮助\u3000") == Command("帮助", "")
    assert parse_command("#答\u00a0Q-12\u2005谢谢") == Command("答", "Q-12 谢谢")


def test_ordinary_chat_is_not_a_command() -> None:
    """Text without a leading hash, or a lone hash, is chat."""
    assert parse_command("今天天气不错 #") is None
    assert parse_command("#") is None
    assert parse_command("   ") is None


def test_question_ids() -> None:
    """Q-ids are read leniently and written with four digits."""
    assert parse_question_id("Q-0042") == 42
    assert parse_question_id("q42") == 42
    assert parse_question_id("Q－7") == 7
    assert parse_question_id("42") is None
    assert parse_question_id("Q-") is None
    assert format_question_id(42) == "Q-0042"


@given(st.text(max_size=300))
def test_parser_never_raises(text: str) -> None:
    """Any Unicode at all parses to a command or to None, never an exception."""
    result = parse_command(text)
    assert result is None or isinstance(result.name, str)
    parse_question_id(text)
    assert "\u200b" not in clean(text)


NOISE = st.sampled_from("#＃问答 \u200b\u2005\x00\x1fQ-0123456789香菇")


@given(st.text(alphabet=NOISE, max_size=50))
def test_parser_on_command_like_noise(text: str) -> None:
    """Noise made of command characters never raises and never yields an empty name."""
    result = parse_command(text)
    assert result is None or result.name != ""


def test_huge_message_is_cut() -> None:
    """A 10,000-character message parses quickly and is cut to the limit."""
    result = parse_command("#问 " + "香" * 10_000)
    assert result is not None and len(result.args) < 5000
