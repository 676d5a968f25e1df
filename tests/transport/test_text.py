"""WeChat text conventions: mentions and quoted replies."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.messages import Quote
from bot.transport.text import format_mentions, parse_mentions, parse_quote


def test_format_mentions_uses_u2005_after_each_name() -> None:
    """Outbound mentions look exactly like the ones WeChat clients send."""
    assert format_mentions(["张三", "李四"], "你好") == "@张三\u2005@李四\u2005你好"
    assert format_mentions([], "你好") == "你好"


def test_leading_mentions_are_stripped_with_either_separator() -> None:
    """`@bot\u2005#帮助` and `@bot #帮助` both leave the command at the start of the body."""
    for sep in ("\u2005", " "):
        parsed = parse_mentions(f"@农技助手{sep}#帮助")
        assert parsed.names == ("农技助手",)
        assert parsed.body == "#帮助"


def test_known_names_with_spaces_are_read_whole() -> None:
    """A member called `Li Ming` is one mention when the room's names are known."""
    parsed = parse_mentions("@Li Ming 请看", ["Li Ming", "Li"])
    assert parsed.names == ("Li Ming",)
    assert parsed.body == "请看"


def test_u2005_delimits_an_unknown_name_with_spaces() -> None:
    """Without known names, U+2005 still marks where a spaced name ends."""
    assert parse_mentions("@Li Ming\u2005你好").names == ("Li Ming",)


def test_mentions_inside_text_are_found_but_kept() -> None:
    """A mention in the middle of a sentence is reported and stays in the body."""
    parsed = parse_mentions("请 @王专家\u2005看一下")
    assert parsed.names == ("王专家",)
    assert parsed.body == "请 @王专家\u2005看一下"


def test_email_addresses_are_not_mentions() -> None:
    """An @ glued to the word before it is not a mention."""
    assert parse_mentions("发到 abc@qq.com 了").names == ()


def test_mention_at_end_of_text() -> None:
    """A trailing mention with no separator is still a mention."""
    parsed = parse_mentions("@农技助手")
    assert parsed.names == ("农技助手",)
    assert parsed.body == ""


def test_quoted_reply_in_wechat_form() -> None:
    """The full-width form with 15 dashes splits into quote and reply."""
    text = "「张三：香菇发霉怎么办」\n- - - - - - - - - - - - - - -\n用石灰水消毒"
    reply = parse_quote(text)
    assert reply.quote == Quote("张三", "香菇发霉怎么办")
    assert reply.text == "用石灰水消毒"


def test_quoted_reply_with_ascii_colon_and_few_dashes() -> None:
    """ASCII colon and a short dash line are read the same way."""
    reply = parse_quote("「Zhang: 问题」\n---\n答案")
    assert reply.quote == Quote("Zhang", "问题")
    assert reply.text == "答案"


def test_quoted_reply_missing_pieces() -> None:
    """No dash line, no name or no reply still give what is there."""
    assert parse_quote("「张三：问题」\n回答").quote == Quote("张三", "问题")
    assert parse_quote("「张三：问题」\n回答").text == "回答"
    assert parse_quote("「只有引用」\n- - -\n回答").quote == Quote("", "只有引用")
    assert parse_quote("「张三：问题」\n- - - -").text == ""
    assert parse_quote("「没有结尾\n- - - -\n回答").quote == Quote("", "没有结尾")


def test_multiline_quote() -> None:
    """A quote spanning lines keeps its lines."""
    reply = parse_quote("「张三：第一行\n第二行」\n- - - - -\n好的")
    assert reply.quote == Quote("张三", "第一行\n第二行")
    assert reply.text == "好的"


def test_plain_text_is_not_a_quote() -> None:
    """Ordinary text, even with brackets later on, comes back unchanged."""
    for text in ("你好", "他说「好」", "「不闭合的括号", ""):
        reply = parse_quote(text)
        assert reply.quote is None
        assert reply.text == text


_wechatish = st.text(
    alphabet=st.sampled_from(list("@「」：:-\n \u2005\u3000ab张三#")) | st.characters(),
    max_size=200)


@given(_wechatish, st.lists(st.text(max_size=10), max_size=5))
def test_parse_mentions_never_raises(text: str, names: list[str]) -> None:
    """Any text and any member names parse; the body is part of the text, names are not empty."""
    parsed = parse_mentions(text, names)
    assert parsed.body in text
    assert all(parsed.names)


@given(_wechatish)
def test_parse_quote_never_raises(text: str) -> None:
    """Any text parses; text without a quote comes back unchanged."""
    reply = parse_quote(text)
    if reply.quote is None:
        assert reply.text == text
