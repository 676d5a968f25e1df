"""The FAQ index: Chinese bigrams, BM25 candidates, a similarity threshold, add and remove."""

from __future__ import annotations

from bot.qa.faq import FaqIndex, grams


def test_grams_ignore_punctuation_and_width() -> None:
    """Bigrams stay within runs of text; full-width letters and case fold together."""
    assert grams("绿霉，怎么办") == {"绿霉": 1, "怎么": 1, "么办": 1}
    assert grams("ＡＢ") == grams("ab") == {"ab": 1}
    assert grams("") == {} and grams("！？") == {}


def test_finds_the_close_question_not_a_distant_one() -> None:
    """A paraphrase matches its entry; an unrelated question matches nothing."""
    index = FaqIndex()
    index.add(12, "香菇菌棒出了绿霉怎么办", "挖掉绿霉撒石灰")
    index.add(13, "大棚黄瓜霜霉病用什么药", "百菌清烟剂")
    index.add(14, "母牛产后瘫痪怎么补钙", "静脉补钙")
    match = index.search("我家香菇菌棒出了绿霉，怎么办啊", min_similarity=0.45)
    assert match is not None and (match.question_id, match.answer) == (12, "挖掉绿霉撒石灰")
    assert index.search("光伏板积雪要不要扫", min_similarity=0.45) is None
    assert index.scan("我家香菇菌棒出了绿霉，怎么办啊", min_similarity=0.45) == match


def test_remove_and_replace() -> None:
    """A removed entry is never suggested; adding the same id again replaces it."""
    index = FaqIndex()
    index.add(1, "木耳烂耳怎么办", "停水")
    index.add(1, "木耳烂耳怎么办", "停水晾袋")
    assert len(index) == 1
    found = index.search("木耳烂耳怎么办", min_similarity=0.5)
    assert found is not None and found.answer == "停水晾袋"
    assert index.remove(1) and not index.remove(1)
    assert index.search("木耳烂耳怎么办", min_similarity=0.1) is None


def test_common_grams_do_not_make_a_match() -> None:
    """With many entries, sharing only 怎么办 is not similarity."""
    index = FaqIndex()
    for i in range(1200):
        index.add(i, f"第{i}号问题怎么办", f"答{i}")
    index.add(5000, "香菇菌棒出了绿霉怎么办", "挖掉")
    match = index.search("香菇菌棒出了绿霉怎么办", min_similarity=0.45)
    assert match is not None and match.question_id == 5000
    assert index.search("平菇发黄怎么办", min_similarity=0.45) is None
