"""Unanswered questions climb county → city → province on an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config.settings import WorkingHours
from bot.qa.escalation import deadline
from tests.qa.conftest import CITY_FUNGI, JIUTAI_FUNGI, PROVINCE_FUNGI, TECH, Chat, detail

ZONE = ZoneInfo("Asia/Shanghai")


def test_escalates_to_city_then_province_and_answer_reaches_county(chat: Chat) -> None:
    """4 h unanswered → 长春市's expert, 8 h more → the province's; the province expert's answer
    still reaches the 九台区 group, and each step is an event and a reminder."""
    qid = chat.ask("香菇菌棒出了绿霉怎么办")
    chat.new()
    chat.clock.advance(timedelta(hours=3, minutes=59))
    assert chat.tick() == 0
    chat.clock.advance(timedelta(minutes=1))
    assert chat.tick() == 1
    rows = chat.new()
    assert "转来的问题" in chat.to("contact", CITY_FUNGI, rows)[0].text
    reminder = chat.to("contact", JIUTAI_FUNGI, rows)[0]
    assert "提醒" in reminder.text and "长春市" in reminder.text
    [notice] = chat.to("group", "jiutai-junior", rows)  # the asker hears it went up
    assert notice.mentions == (TECH,) and qid in notice.text
    assert "长春市" in notice.text and "白立军" in notice.text and "4 小时" in notice.text
    assert chat.questions()[0].region_id == "changchun"
    assert chat.tick() == 0  # nothing more is due

    chat.clock.advance(timedelta(hours=8))
    assert chat.tick() == 1
    rows = chat.new()
    assert qid in chat.to("contact", PROVINCE_FUNGI, rows)[0].text
    assert {r.target[1] for r in rows} == {PROVINCE_FUNGI, JIUTAI_FUNGI, CITY_FUNGI,
                                           "jiutai-junior"}
    [notice] = chat.to("group", "jiutai-junior", rows)
    assert notice.mentions == (TECH,) and "吉林省" in notice.text and "长春市" in notice.text
    steps = [(detail(e)["from_tier"], detail(e)["to_tier"], detail(e)["experts"])
             for e in chat.events("escalation")]
    assert steps == [("junior", "intermediate", [CITY_FUNGI]),
                     ("intermediate", "senior", [PROVINCE_FUNGI])]

    chat.say(PROVINCE_FUNGI, f"#答 {qid} 菌棒绿霉要及早挖除", group=None)
    [post] = [r for r in chat.new() if r.purpose == "answer"]
    assert post.target == ("group", "jiutai-junior") and post.mentions == (TECH,)
    chat.clock.advance(timedelta(days=3))
    assert chat.tick() == 0  # answered questions never escalate


def test_asker_is_told_when_the_county_has_no_expert_for_it(chat: Chat) -> None:
    """A 九台区 poultry question: the county has no poultry expert, so it goes up at once, and
    the asker's acknowledgement says where and why."""
    qid = chat.ask("蛋鸡产蛋率突然下降怎么办")
    [question] = chat.questions()
    assert question.region_id != "jiutai"
    above = chat.home.regions[question.region_id].name
    [ack] = [r for r in chat.new() if r.target == ("group", "jiutai-junior")]
    assert ack.mentions[0] == TECH and qid in ack.text
    assert "九台区暂时没有" in ack.text and f"直接转给{above}" in ack.text

    chat.ask("香菇菌棒出了绿霉怎么办")  # the county's own expert takes this one: no such words
    [ack] = [r for r in chat.new() if r.target == ("group", "jiutai-junior")]
    assert "直接转给" not in ack.text and "尹洪亮" in ack.text


def test_top_level_only_reminds_once(chat: Chat) -> None:
    """A province question past its deadline reminds its experts once and then waits."""
    chat.ask("香菇菌棒出了绿霉怎么办", group="jilin-senior")
    assert chat.questions()[0].region_id == "jilin"
    chat.new()
    chat.clock.advance(timedelta(hours=24))
    assert chat.tick() == 0
    [reminder] = chat.new()
    assert "请尽快回复" in reminder.text
    chat.clock.advance(timedelta(days=5))
    chat.tick()
    assert chat.new() == []


def test_answered_question_does_not_escalate(chat: Chat) -> None:
    """An answer before the deadline stops the clock."""
    qid = chat.ask("香菇菌棒出了绿霉怎么办")
    chat.say(JIUTAI_FUNGI, f"#答 {qid} 挖掉", group=None)
    chat.clock.advance(timedelta(hours=30))
    assert chat.tick() == 0 and chat.events("escalation") == []


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE)  # type: ignore[misc]


HOURS = WorkingHours(start=time(8), end=time(18), days=["mon", "tue", "wed", "thu", "fri"])


def test_deadline_counts_every_hour_without_working_hours() -> None:
    """Without working hours a deadline is plain elapsed time."""
    start = local(2026, 6, 5, 17, 0)
    assert deadline(start, 4, None, ZONE) == start.astimezone(UTC) + timedelta(hours=4)


def test_deadline_counts_only_working_hours() -> None:
    """Friday 17:00 + 4 working hours is Monday 11:00; a question at night starts at 08:00."""
    assert deadline(local(2026, 6, 5, 17, 0), 4, HOURS, ZONE) == local(2026, 6, 8, 11, 0)
    assert deadline(local(2026, 6, 2, 22, 30), 4, HOURS, ZONE) == local(2026, 6, 3, 12, 0)
    assert deadline(local(2026, 6, 2, 9, 0), 24, HOURS, ZONE) == local(2026, 6, 4, 13, 0)
    assert deadline(local(2026, 6, 6, 12, 0), 0.5, HOURS, ZONE) == local(2026, 6, 8, 8, 30)
