"""Answering and closing: ``#答``, quote-replies to the bot's relay, ``#解决``, and curating the
FAQ with ``#收录`` / ``#删除收录``.

Every permission is decided on the sender's contact id: an expert is a contact id listed in
``groups.yaml``, the asker is the id that asked, an admin is an admin's id. A nickname is never
looked at, so a member who renames himself after an expert can do nothing an expert can.
"""

from __future__ import annotations

import re

from sqlalchemy import delete

from bot import messages as msg
from bot.chat.parse import clean, parse_question_id
from bot.chat.turn import Turn
from bot.clock import naive_utc
from bot.core import events
from bot.core.messages import MessageKind, Target, TextOut
from bot.db.schema import Answer, FaqEntry, Question
from bot.qa import faq, store
from bot.qa.context import QaContext

_QUOTED_ID = re.compile(r"[Qq]-(\d{1,9})")


def _split_id(args: str) -> tuple[str, int | None, str]:
    """``"Q-0042 text"`` → ``("Q-0042", 42, "text")``; a missing or bad id gives ``None``."""
    word, _, rest = clean(args).partition(" ")
    return word, parse_question_id(word) if word else None, rest.strip()


def _origin_account(turn: Turn, question: Question) -> str:
    group = turn.home.groups.get(question.group_id)
    return group.account if group else question.account


def answer_command(ctx: QaContext, turn: Turn, args: str) -> None:
    """``#答 <Q-id> <text>``, by an expert, wherever the expert is."""
    if turn.expert() is None:
        turn.reply(msg.QA_NOT_EXPERT.format(identity=turn.identity), mentions=_at(turn))
        return
    found = _question_named(turn, args, msg.QA_ANSWER_HINT, lock=True)
    if found is None:
        return
    question, text = found
    if not text:
        turn.reply(msg.QA_EMPTY_ANSWER.format(qid=store.qid(question)), mentions=_at(turn))
        return
    _post_answer(turn, question, text, via="private" if turn.in_private else "group")


def quote_fallback(ctx: QaContext, turn: Turn) -> bool:
    """An expert quote-replying the bot's message about ``Q-0042`` answers that question."""
    quote = turn.inbound.quote
    if quote is None or turn.inbound.kind is not MessageKind.TEXT or turn.expert() is None:
        return False
    found = _QUOTED_ID.search(quote.text or "")
    text = clean(turn.inbound.text)[:store.MAX_STORED_TEXT]
    if found is None or not text:
        return False
    question = store.get(turn.session, int(found.group(1)), lock=True)
    if question is None:
        return False
    _post_answer(turn, question, text, via="quote")
    return True


def _post_answer(turn: Turn, question: Question, text: str, *, via: str) -> None:
    text = text[:store.MAX_STORED_TEXT]
    now = naive_utc(turn.now)
    seconds = max(0, int((now - question.created_at).total_seconds()))
    first = question.first_answer_at is None
    turn.session.add(Answer(question_id=question.id, expert_id=turn.sender, text=text, via=via,
                            created_at=now, response_seconds=seconds))
    if first:
        question.first_answer_at = now
        question.first_response_seconds = seconds
    if question.status == "open":
        question.status = "answered"
    question.deadline_at = None  # answered: nothing to escalate
    ref = store.qid(question)
    post = msg.QA_ANSWER_POST.format(qid=ref, asker=question.asker_name,
                                     question=_short(question.text),
                                     expert=store.expert_label(turn.home, turn.sender), text=text)
    turn.send(Target.group(question.group_id), TextOut(post, (question.asker_id,)),
              purpose="answer", ref=ref, account=_origin_account(turn, question))
    turn.record(events.ANSWER, ref=ref, group_id=question.group_id,
                detail={"text": text, "first": first, "response_seconds": seconds, "via": via})
    if turn.group is None or turn.group.id != question.group_id:
        turn.reply(msg.QA_ANSWER_SENT.format(
            qid=ref, group=store.group_name(turn.home, question.group_id)), ref=ref)


def close_command(ctx: QaContext, turn: Turn, args: str) -> None:
    """``#解决 <Q-id>``, by the asker or an admin of the question's group."""
    found = _question_named(turn, args, msg.QA_CLOSE_HINT, lock=True)
    if found is None:
        return
    question, _ = found
    ref = store.qid(question)
    if not (turn.sender == question.asker_id or _admin_of(turn, question)):
        turn.reply(msg.QA_CLOSE_DENIED.format(qid=ref, identity=turn.identity), mentions=_at(turn))
        return
    if question.status == "closed":
        turn.reply(msg.QA_ALREADY_CLOSED.format(qid=ref), mentions=_at(turn))
        return
    question.status = "closed"
    question.closed_at = naive_utc(turn.now)
    question.closed_by = turn.sender
    question.deadline_at = None
    turn.record(events.CLOSED, ref=ref, group_id=question.group_id)
    answer = store.faq_answer(turn.home, turn.session, question.id)
    if answer:  # a solved question with its answers is knowledge for the next asker
        _add_to_faq(ctx, turn, question, answer, via="closed")
    notice = msg.QA_CLOSED.format(qid=ref)
    if turn.group is not None and turn.group.id == question.group_id:
        turn.reply(notice, ref=ref)
    else:
        turn.send(Target.group(question.group_id), TextOut(notice), purpose="reply", ref=ref,
                  account=_origin_account(turn, question))
        turn.reply(notice, ref=ref)


def faq_add_command(ctx: QaContext, turn: Turn, args: str) -> None:
    """``#收录 <Q-id>``, by an expert: the question and its answers become an FAQ entry."""
    if turn.expert() is None:
        turn.reply(msg.QA_FAQ_ADD_DENIED, mentions=_at(turn))
        return
    question = _faq_target(turn, args, "收录")
    if question is None:
        return
    answer = store.faq_answer(turn.home, turn.session, question.id)
    if not answer:
        turn.reply(msg.QA_FAQ_NO_ANSWER.format(qid=store.qid(question)), mentions=_at(turn))
        return
    _add_to_faq(ctx, turn, question, answer, via="command")
    turn.reply(msg.QA_FAQ_ADDED.format(qid=store.qid(question)), mentions=_at(turn))


def faq_remove_command(ctx: QaContext, turn: Turn, args: str) -> None:
    """``#删除收录 <Q-id>``, by an admin of the question's group."""
    if not turn.admin_regions():
        turn.reply(msg.QA_FAQ_REMOVE_DENIED, mentions=_at(turn))
        return
    question = _faq_target(turn, args, "删除收录")
    if question is None:
        return
    ref = store.qid(question)
    if not _admin_of(turn, question):
        turn.reply(msg.QA_FAQ_REMOVE_DENIED, mentions=_at(turn))
        return
    removed = turn.session.execute(delete(FaqEntry).where(FaqEntry.question_id == question.id))
    if not removed.rowcount:  # type: ignore[attr-defined]
        turn.reply(msg.QA_FAQ_NOT_IN.format(qid=ref), mentions=_at(turn))
        return
    turn.record(events.FAQ_REMOVED, ref=ref, group_id=question.group_id)
    number = question.id
    faq.after_commit(turn.session, lambda: ctx.faq.remove(number))
    turn.reply(msg.QA_FAQ_REMOVED.format(qid=ref), mentions=_at(turn))


def _faq_target(turn: Turn, args: str, command: str) -> Question | None:
    found = _question_named(turn, args, msg.QA_FAQ_HINT.format(command=command))
    return found[0] if found else None


def _question_named(turn: Turn, args: str, hint: str, *, lock: bool = False
                    ) -> tuple[Question, str] | None:
    """The question ``args`` starts with, and the text after its id; when there is no id or
    no such question the sender is told (``hint`` shows how to write the command)."""
    word, number, text = _split_id(args)
    if not word:
        turn.reply(hint, mentions=_at(turn))
        return None
    question = store.get(turn.session, number, lock=lock)
    if question is None:
        turn.reply(msg.QA_BAD_ID.format(word=word[:40]), mentions=_at(turn))
        return None
    return question, text


def _add_to_faq(ctx: QaContext, turn: Turn, question: Question, answer: str, *,
                via: str) -> None:
    store.save_faq(turn.session, question, answer, turn.sender, turn.now)
    turn.record(events.FAQ_ADDED, ref=store.qid(question), group_id=question.group_id,
                detail={"via": via})
    number, text = question.id, question.text
    faq.after_commit(turn.session, lambda: ctx.faq.add(number, text, answer))


def _admin_of(turn: Turn, question: Question) -> bool:
    group = turn.home.groups.get(question.group_id)
    return turn.is_admin(group.region) if group else turn.is_admin(turn.home.province_id)


def _at(turn: Turn) -> tuple[str, ...]:
    return () if turn.in_private else (turn.sender,)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
