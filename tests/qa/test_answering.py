"""Who may answer, close and curate, decided by contact id; wrong ids change nothing."""

from __future__ import annotations

import pytest

from bot.core.messages import Quote
from tests.qa.conftest import (
    JIUTAI_ADMIN,
    JIUTAI_FUNGI,
    NONGAN_ADMIN,
    TECH,
    Chat,
)

IMPOSTOR = "wxid_t_jiutai_07"


def state(chat: Chat) -> list[tuple[str, str | None, int | None]]:
    return [(q.status, q.closed_by, q.first_response_seconds) for q in chat.questions()]


@pytest.mark.parametrize("nickname", ["尹洪亮", "冯波", "张志强"])
def test_nickname_of_an_expert_or_admin_gives_no_power(chat: Chat, nickname: str) -> None:
    """A member named like the expert, the admin or the asker cannot answer, close or curate."""
    qid = chat.ask("香菇绿霉怎么防")
    before = state(chat)
    chat.new()
    for text in (f"#答 {qid} 随便说说", f"#解决 {qid}", f"#收录 {qid}", f"#删除收录 {qid}"):
        chat.say(IMPOSTOR, text, name=nickname)
    relay = chat.to("contact", JIUTAI_FUNGI)[0]
    chat.say(IMPOSTOR, "我来答", name=nickname, quote=Quote("吉林科协农技助手", relay.text))
    assert state(chat) == before
    assert chat.events("answer") == [] and chat.events("closed") == []
    replies = chat.new()
    assert all(r.purpose != "answer" for r in replies)
    assert len(replies) == 4  # one clear refusal per command, nothing for the quote


def test_wrong_ids_get_a_clear_reply(chat: Chat) -> None:
    """Unknown and malformed ids are named back; nothing is answered or closed."""
    chat.ask("香菇绿霉怎么防")
    chat.new()
    chat.say(JIUTAI_FUNGI, "#答 Q-9999 用石灰", group=None)
    chat.say(JIUTAI_FUNGI, "#答 香菇 用石灰", group=None)
    chat.say(JIUTAI_FUNGI, "#答", group=None)
    chat.say(JIUTAI_FUNGI, "#答 Q-0001", group=None)
    chat.say(TECH, "#解决 Q-0002")
    chat.say(TECH, "#解决")
    texts = [r.text for r in chat.new()]
    assert "Q-9999" in texts[0] and "香菇" in texts[1]
    assert "格式" in texts[2] and "Q-0001" in texts[3] and "Q-0002" in texts[4]
    assert "格式" in texts[5]
    assert state(chat) == [("open", None, None)]


def test_other_regions_admin_cannot_close(chat: Chat) -> None:
    """An admin of another county cannot close 九台区's question; 九台区's admin can."""
    qid = chat.ask("香菇绿霉怎么防")
    chat.say(NONGAN_ADMIN, f"#解决 {qid}", group=None)
    assert chat.questions()[0].status == "open"
    chat.say(JIUTAI_ADMIN, f"#解决 {qid}", group=None)
    assert chat.questions()[0].closed_by == JIUTAI_ADMIN
    chat.say(TECH, f"#解决 {qid}")
    assert "已经标记为已解决" in chat.new()[-1].text
    assert len(chat.events("closed")) == 1


def test_answer_from_another_group_goes_to_origin(chat: Chat) -> None:
    """An expert answering in an expert group (here the province group) is posted in the origin
    group through the origin group's account, and told so where he spoke."""
    qid = chat.ask("香菇绿霉怎么防")
    chat.new()
    chat.say("wxid_exp_liyunfeng", f"#答 {qid} 注意通风", group="jilin-senior")
    rows = chat.new()
    [post] = [r for r in rows if r.purpose == "answer"]
    assert post.target == ("group", "jiutai-junior") and post.mentions == (TECH,)
    assert any(r.target == ("group", "jilin-senior") and qid in r.text for r in rows)


def test_faq_add_and_remove(chat: Chat) -> None:
    """#收录 by an expert adds an answered question; #删除收录 by the region's admin removes it,
    and the suggestion stops."""
    qid = chat.ask("木耳烂耳怎么办")
    chat.say(JIUTAI_FUNGI, f"#收录 {qid}", group=None)
    assert "还没有专家解答" in chat.new()[-1].text
    chat.say(JIUTAI_FUNGI, f"#答 {qid} 停水晾袋", group=None)
    chat.say(JIUTAI_FUNGI, f"#收录 {qid}", group=None)
    assert len(chat.qa.context.faq) == 1
    chat.say(JIUTAI_ADMIN, f"#删除收录 {qid}", group=None)
    assert len(chat.qa.context.faq) == 0
    chat.say(JIUTAI_ADMIN, f"#删除收录 {qid}", group=None)
    assert "不在常见问题库" in chat.new()[-1].text
    assert [e.kind for e in chat.events() if e.kind.startswith("faq")] == [
        "faq_added", "faq_removed"]
    chat.ask("木耳烂耳怎么办")
    assert chat.events("faq_hit") == []


def test_faq_index_is_rebuilt_at_start(chat: Chat) -> None:
    """A new service built on the same database knows the FAQ entries made before."""
    from bot.db.engine import session_factory
    from bot.qa import QaService

    qid = chat.ask("木耳烂耳怎么办")
    chat.say(JIUTAI_FUNGI, f"#答 {qid} 停水晾袋", group=None)
    chat.say(TECH, f"#解决 {qid}")
    fresh = QaService.build(chat.home, session_factory(chat.engine))
    match = fresh.context.faq.search("木耳烂耳咋办", min_similarity=0.3)
    assert match is not None and match.question_id == 1 and "停水晾袋" in match.answer
