"""Malformed input never makes a Q&A handler raise (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.chat.turn import Turn
from bot.core.messages import Inbound, MessageKind, Quote
from bot.db.engine import session_factory
from tests.qa.conftest import ACCOUNT, JIUTAI_ADMIN, JIUTAI_FUNGI, TECH, Chat, room_of

NASTY = ["＃", "#", "\u200b", "\u200d", "\ufeff", "\u2005", "\u3000", "\x00", "\x07", "\x1b",
         "\u202e", "\r\n", "Q-", "q", "Ｑ－", "0042", "99999999999", "-1", "@", "@吉林科协农技助手",
         "香菇", "绿霉", "\ud7ff", "𠀀", "答", "问", "解决", "Q-1 ", "Q-0002 ", "q2",
         "转", "#转 Q-1 中药材", "@尹洪亮"]
texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=5), max_size=30).map("".join),
    st.builds(lambda c, n: c * n, st.sampled_from(["香", "Q-1 ", "\u200b", "＃答"]),
              st.integers(min_value=2000, max_value=10_000)),
)
senders = st.sampled_from([TECH, JIUTAI_FUNGI, JIUTAI_ADMIN, "wxid_nobody", ""])
kinds = st.sampled_from(list(MessageKind))


@pytest.fixture
def seeded(chat: Chat) -> Chat:
    """Q-0001 answered, Q-0002 open with a photo, so fuzzed ids reach real rows."""
    chat.ask("香菇绿霉怎么办")
    chat.say(JIUTAI_FUNGI, "#答 Q-0001 挖掉", group=None)
    chat.ask("木耳流耳")
    chat.say(TECH, "", kind=MessageKind.IMAGE)
    assert [q.status for q in chat.questions()] == ["answered", "open"]
    return chat


SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def run(chat: Chat, sender: str, text: str, *, private: bool, kind: MessageKind,
        quote: str | None, command: str | None) -> None:
    """Call one handler (or every fallback) directly, so an exception is not hidden by the
    router's own catch-all; roll back afterwards to keep examples independent."""
    inbound = Inbound(message_id=f"fz{id(text)}", account=ACCOUNT,
                      room_id=None if private else room_of("jiutai-junior"), sender_id=sender,
                      sender_name=text[:20], text=text, ts=chat.clock.now(), kind=kind,
                      mentions_bot=bool(len(text) % 2),
                      quote=Quote("助手", quote) if quote is not None else None)
    group = None if private else chat.home.groups["jiutai-junior"]
    with session_factory(chat.engine)() as session:
        turn = Turn(inbound, chat.home, session, chat.clock.now(), group)
        if command is None:
            for fallback in chat.qa.fallbacks():
                fallback(turn)
        else:
            spec = next(s for s in chat.qa.commands() if s.name == command)
            spec.handler(turn, text)
        session.rollback()


@SETTINGS
@given(sender=senders, text=texts, private=st.booleans(),
       command=st.sampled_from(["问", "答", "解决", "收录", "删除收录"]))
def test_commands_never_raise(seeded: Chat, sender: str, text: str, private: bool,
                              command: str) -> None:
    """Every command handler takes any argument text from anyone, anywhere."""
    run(seeded, sender, text, private=private, kind=MessageKind.TEXT, quote=None,
        command=command)


@SETTINGS
@given(sender=senders, text=texts, private=st.booleans(), kind=kinds,
       quote=st.none() | texts)
def test_fallbacks_never_raise(seeded: Chat, sender: str, text: str, private: bool,
                               kind: MessageKind, quote: str | None) -> None:
    """The @bot, attachment and quote-reply fallbacks take any message."""
    run(seeded, sender, text, private=private, kind=kind, quote=quote, command=None)


def test_fuzz_reaches_real_questions(seeded: Chat) -> None:
    """Odd spellings of real ids reach real rows and still never raise."""
    chat = seeded
    for text in ("Q-0001 答案", "q1", "Ｑ－０００１", "Q-0001\u200b 答"):
        for command in ("答", "解决", "收录", "删除收录"):
            run(chat, JIUTAI_ADMIN, text, private=True, kind=MessageKind.TEXT, quote=None,
                command=command)
            run(chat, JIUTAI_FUNGI, text, private=True, kind=MessageKind.TEXT, quote=None,
                command=command)
