"""The whole Q&A conversation through a real Router and database (the issue's "done when")."""

from __future__ import annotations

from bot.core.messages import MessageKind, Quote
from tests.qa.conftest import JIUTAI_ADMIN, JIUTAI_FUNGI, TECH, Chat, detail


def test_county_question_reaches_the_county_expert_and_back(chat: Chat) -> None:
    """香菇 绿霉 from 九台区 goes privately to 九台区's 食用菌 expert; #答 in private reaches the
    group quoting the question and @-ing the asker; the asker closes it."""
    chat.say(TECH, "#问 香菇菌棒出了绿霉怎么办？", name="张志强")
    [question] = chat.questions()
    assert (question.industry, question.region_id, question.status) == (
        "edible_fungi", "jiutai", "open")
    rows = chat.new()
    [relay] = chat.to("contact", JIUTAI_FUNGI, rows)
    assert "Q-0001" in relay.text and "香菇菌棒出了绿霉" in relay.text
    assert "张志强" in relay.text and "九台区初级农技师工作群" in relay.text
    [ack] = chat.to("group", "jiutai-junior", rows)
    assert "Q-0001" in ack.text and "尹洪亮" in ack.text
    assert ack.mentions == (TECH, JIUTAI_FUNGI)  # the county expert sits in the county group

    chat.clock.advance(600)
    chat.say(JIUTAI_FUNGI, "#答 Q-0001 把绿霉部位挖掉，撒生石灰，降温通风。", group=None)
    rows = chat.new()
    [post] = chat.to("group", "jiutai-junior", rows)
    assert "把绿霉部位挖掉" in post.text and "「张志强：香菇菌棒出了绿霉怎么办？」" in post.text
    assert post.mentions == (TECH,) and post.account == "jilin-kexie"
    [confirm] = chat.to("contact", JIUTAI_FUNGI, rows)
    assert "Q-0001" in confirm.text
    [answer] = chat.events("answer")
    assert detail(answer)["first"] is True and detail(answer)["response_seconds"] == 600
    assert chat.questions()[0].first_response_seconds == 600

    chat.say(TECH, "#解决 Q-0001")
    assert chat.questions()[0].status == "closed"
    [closed] = chat.events("closed")
    assert (closed.actor, closed.ref) == (TECH, "Q-0001")
    assert "已解决" in chat.to("group", "jiutai-junior", chat.new())[0].text


def test_several_answers_and_quote_reply(chat: Chat) -> None:
    """A second expert may answer too, by quote-replying the relay; only the first is 'first'."""
    qid = chat.ask("香菇出菇少是什么原因")
    relay = chat.to("contact", JIUTAI_FUNGI)[0]
    chat.say(JIUTAI_FUNGI, f"#答 {qid} 补水催菇", group=None)
    chat.say("wxid_exp_liyunfeng", "温差刺激不够，拉大昼夜温差", group=None,
             quote=Quote("吉林科协农技助手", relay.text))
    firsts = [detail(e)["first"] for e in chat.events("answer")]
    assert firsts == [True, False]
    posts = [r for r in chat.to("group", "jiutai-junior") if r.purpose == "answer"]
    assert len(posts) == 2 and "温差刺激不够" in posts[1].text


def test_at_bot_is_a_question_and_media_attaches(chat: Chat) -> None:
    """@bot + text asks; a photo from the asker within two minutes is attached and relayed."""
    chat.say(TECH, "@吉林科协农技助手 木耳流耳了咋整", mentions_bot=True)
    [question] = chat.questions()
    assert question.text == "木耳流耳了咋整" and question.industry == "edible_fungi"
    chat.new()
    chat.clock.advance(60)
    chat.say(TECH, "", kind=MessageKind.IMAGE)
    assert '"kind": "image"' in chat.questions()[0].attachments
    rows = chat.new()
    assert "图片" in chat.to("contact", JIUTAI_FUNGI, rows)[0].text
    chat.clock.advance(180)  # too late: an ordinary photo
    chat.say(TECH, "", kind=MessageKind.IMAGE)
    assert chat.questions()[0].attachments.count("image") == 1
    assert chat.new() == []


def test_photo_from_someone_else_is_not_attached(chat: Chat) -> None:
    """Only the asker's own media attaches."""
    chat.ask("香菇转色不好")
    chat.say("wxid_t_jiutai_02", "", kind=MessageKind.VIDEO)
    assert chat.questions()[0].attachments == "[]"


def test_empty_question_gets_usage(chat: Chat) -> None:
    """#问 with nothing after it explains how to ask and creates nothing."""
    chat.say(TECH, "#问   ")
    assert chat.questions() == []
    assert "#问" in chat.new()[0].text


def test_asking_in_private_points_to_the_group(chat: Chat) -> None:
    """Questions are asked in groups, where the answer helps everyone."""
    chat.say(TECH, "#问 香菇绿霉", group=None)
    assert chat.questions() == []
    assert chat.new()[0].target == ("contact", TECH)


def test_unclassified_question_goes_to_general_expert(chat: Chat) -> None:
    """A question matching no industry goes to the county's general expert."""
    chat.ask("高级农技师证书什么时候发")
    [question] = chat.questions()
    assert question.industry is None
    assert chat.to("contact", "wxid_exp_suilihua")


def test_admin_closes_and_faq_suggests_next_time(chat: Chat) -> None:
    """A closed question with answers becomes an FAQ entry; a close match later gets the earlier
    answer at once while still going to an expert."""
    qid = chat.ask("香菇菌棒出了绿霉怎么办")
    chat.say(JIUTAI_FUNGI, f"#答 {qid} 挖掉绿霉部位撒石灰", group=None)
    chat.say(JIUTAI_ADMIN, f"#解决 {qid}")
    assert [e.kind for e in chat.events()][-2:] == ["closed", "faq_added"]
    chat.new()
    second = chat.ask("香菇菌棒出了绿霉怎么办呢")
    rows = chat.new()
    suggestion = [r for r in rows if r.purpose == "faq"]
    assert len(suggestion) == 1 and f"类似问题 {qid} 的专家解答" in suggestion[0].text
    assert "挖掉绿霉部位撒石灰" in suggestion[0].text
    assert chat.to("contact", JIUTAI_FUNGI, rows)  # the expert still gets it
    [hit] = chat.events("faq_hit")
    assert hit.ref == second and detail(hit)["matched"] == qid
