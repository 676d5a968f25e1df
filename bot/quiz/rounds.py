"""A quiz's life in one group, as rows and events.

A schedule's firing starts a quiz: the next questions of the bank the group has not had (for
its tier, in the bank's order, like a series cursor), one :class:`QuizRound` each. Only the
first question is queued then; each round opens when its message has actually been sent (a push
to three thousand groups is paced over hours, and every group gets the whole window), closes
``window_seconds`` later with the answer, the explanation and how many answered right, and
the next question goes out after it. The periodic :func:`tick` does the opening and closing on
the injected clock, like the escalation of unanswered questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot import eventlog
from bot import messages as msg
from bot.clock import naive_utc
from bot.config import Home
from bot.config.models import Group
from bot.core import events as ev
from bot.core.messages import Target, TextOut
from bot.db.schema import OutboxRow, QuizAnswer, QuizRound
from bot.delivery.fairness import COMMAND
from bot.delivery.outbox import DEAD, SENDING, SENT, Outgoing, enqueue
from bot.quiz.bank import QuizBank, QuizQuestion

PURPOSE = "quiz"


def round_ref(number: int) -> str:
    return f"QZ-{number:04d}"


def next_questions(session: Session, bank: QuizBank, group: Group,
                   count: int) -> list[QuizQuestion]:
    """The first ``count`` questions for the group's tier it has not been asked yet."""
    had = set(session.scalars(select(QuizRound.question_id).where(
        QuizRound.group_id == group.id, QuizRound.bank_id == bank.id)))
    return [q for q in bank.for_tier(group.tier) if q.id not in had][:count]


def start(session: Session, home: Home, *, bank_id: str, count: int, window: timedelta,
          group: Group, key: str, schedule_id: str | None, now: datetime) -> Outgoing | None:
    """Create the rounds of one quiz for ``group`` and return its first question's message
    (keyed ``key``, the firing's push key); ``None`` when the group has had every question."""
    bank = home.quizzes.get(bank_id)
    if bank is None:
        return None
    questions = next_questions(session, bank, group, count)
    if not questions:
        return None
    rounds = [QuizRound(
        account=group.account, group_id=group.id, bank_id=bank.id, question_id=q.id,
        schedule_id=schedule_id, quiz_key=key, seq=seq, of=len(questions),
        ask_key=key if seq == 1 else f"quiz:{key}:{seq}",
        window_seconds=int(window.total_seconds()), created_at=naive_utc(now), asked=seq == 1)
        for seq, q in enumerate(questions, start=1)]
    session.add_all(rounds)
    session.flush()  # ids name the rounds in their messages and events
    return _ask(bank, rounds[0], questions[0])


def _ask(bank: QuizBank, rnd: QuizRound, question: QuizQuestion) -> Outgoing:
    text = msg.QUIZ_ASK.format(title=bank.title, seq=rnd.seq, of=rnd.of, question=question.text(),
                               minutes=max(1, round(rnd.window_seconds / 60)))
    return Outgoing(rnd.ask_key, rnd.account, Target.group(rnd.group_id), TextOut(text),
                    PURPOSE, round_ref(rnd.id))


def _detail(rnd: QuizRound, **more: object) -> dict[str, object]:
    return {"bank": rnd.bank_id, "question": rnd.question_id, "seq": rnd.seq, "of": rnd.of,
            **more}


def open_if_sent(session: Session, rnd: QuizRound, now: datetime) -> bool:
    """Whether ``rnd`` is open: its message has been sent (opening it now if it just was). A
    question whose message could not be sent ends its quiz quietly."""
    return _state(session, rnd, now) == SENT


def _state(session: Session, rnd: QuizRound, now: datetime) -> str | None:
    """``SENT`` for an open round (opened now if its message just went out); ``SENDING`` while
    its message is on its way (members may already read it); else ``None``."""
    if rnd.opened_at is not None:
        return SENT
    if not rnd.asked or rnd.closed_at is not None:
        return None
    row = session.scalars(select(OutboxRow).where(OutboxRow.key == rnd.ask_key)).first()
    if row is None:
        return None
    if row.status == DEAD:
        for later in _rest(session, rnd):
            later.closed_at = naive_utc(now)
        return None
    if row.status == SENDING:
        return SENDING
    if row.status != SENT:
        return None
    rnd.opened_at = row.sent_at or naive_utc(now)
    rnd.closes_at = rnd.opened_at + timedelta(seconds=rnd.window_seconds)
    eventlog.append(session, [eventlog.NewEvent(
        kind=ev.QUIZ_ASKED, ts=now, account=rnd.account, group_id=rnd.group_id,
        ref=round_ref(rnd.id), detail=_detail(rnd, key=rnd.ask_key))])
    return SENT


def _rest(session: Session, rnd: QuizRound) -> list[QuizRound]:
    """``rnd`` and the rounds after it in its quiz."""
    return list(session.scalars(select(QuizRound).where(
        QuizRound.quiz_key == rnd.quiz_key, QuizRound.seq >= rnd.seq).order_by(QuizRound.seq)))


def open_rounds(session: Session, group_id: str, now: datetime) -> list[QuizRound]:
    """The group's rounds taking answers now, newest first."""
    found = list(session.scalars(select(QuizRound).where(
        QuizRound.group_id == group_id, QuizRound.asked.is_(True),
        QuizRound.closed_at.is_(None)).order_by(QuizRound.id.desc())))
    at = naive_utc(now)
    return [r for r in found if (state := _state(session, r, now)) == SENDING
            or (state == SENT and r.closes_at is not None and r.closes_at > at)]


def answer(session: Session, rnd: QuizRound, question: QuizQuestion, *, member: str, name: str,
           choice: str, now: datetime) -> bool:
    """Record ``member``'s answer; ``False`` (and nothing recorded) when they had answered."""
    if session.get(QuizAnswer, (rnd.id, member)) is not None:
        return False
    correct = choice == question.answer
    [event] = eventlog.append(session, [eventlog.NewEvent(
        kind=ev.QUIZ_RIGHT if correct else ev.QUIZ_WRONG, ts=now, account=rnd.account,
        group_id=rnd.group_id, actor=member, ref=round_ref(rnd.id),
        detail=_detail(rnd, choice=choice))])
    session.add(QuizAnswer(round_id=rnd.id, member=member, name=name[:255],
                           group_id=rnd.group_id, choice=choice, correct=correct,
                           ts=naive_utc(now), event_id=event.id))
    session.flush()
    return True


# --- the clock -----------------------------------------------------------------------------------


def tick(session: Session, home: Home, now: datetime, *, account: str | None = None) -> int:
    """Open the rounds whose message went out, close those whose window ended (posting the
    answer, then the next question). Returns how many closed."""
    mine = (QuizRound.account == account,) if account is not None else ()
    waiting = session.scalars(select(QuizRound).where(
        QuizRound.asked.is_(True), QuizRound.opened_at.is_(None),
        QuizRound.closed_at.is_(None), *mine).order_by(QuizRound.id))
    for rnd in list(waiting):
        open_if_sent(session, rnd, now)
    due = list(session.scalars(select(QuizRound).where(
        QuizRound.closed_at.is_(None), QuizRound.closes_at <= naive_utc(now), *mine
    ).order_by(QuizRound.id)))
    for rnd in due:
        close(session, home, rnd, now)
    return len(due)


@dataclass(frozen=True)
class Tally:
    answered: int
    correct: int


def tally(session: Session, round_id: int) -> Tally:
    answered, correct = session.execute(select(
        func.count(), func.coalesce(func.sum(case((QuizAnswer.correct.is_(True), 1), else_=0)), 0)
    ).where(QuizAnswer.round_id == round_id)).one()
    return Tally(int(answered), int(correct))


def close(session: Session, home: Home, rnd: QuizRound, now: datetime) -> None:
    rnd.closed_at = naive_utc(now)
    bank = home.quizzes.get(rnd.bank_id)
    question = bank.question(rnd.question_id) if bank is not None else None
    counts = tally(session, rnd.id)
    following = session.scalars(select(QuizRound).where(
        QuizRound.quiz_key == rnd.quiz_key, QuizRound.seq == rnd.seq + 1)).first()
    next_question = bank.question(following.question_id) \
        if following is not None and bank is not None else None
    eventlog.append(session, [eventlog.NewEvent(
        kind=ev.QUIZ_CLOSED, ts=now, account=rnd.account, group_id=rnd.group_id,
        ref=round_ref(rnd.id), detail=_detail(
            rnd, answer=question.answer if question else None, answered=counts.answered,
            correct=counts.correct))])
    outgoing: list[Outgoing] = []
    if question is not None:  # a question since removed from its bank closes quietly
        template = msg.QUIZ_CLOSED if counts.answered else msg.QUIZ_CLOSED_NOBODY
        text = template.format(seq=rnd.seq, of=rnd.of, answer=question.answer,
                               option=question.options[question.answer],
                               explanation=question.explanation, answered=counts.answered,
                               correct=counts.correct)
        if next_question is None:
            text += "\n" + msg.QUIZ_FINISHED
        outgoing.append(Outgoing(f"quiz:{rnd.id}:close", rnd.account,
                                 Target.group(rnd.group_id), TextOut(text), PURPOSE,
                                 round_ref(rnd.id), COMMAND))
    if following is not None and next_question is not None and bank is not None:
        following.asked = True
        outgoing.append(_ask(bank, following, next_question))
    elif following is not None:
        for later in _rest(session, following):
            later.closed_at = naive_utc(now)
    enqueue(session, outgoing, now=now)


# --- rankings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    member: str
    name: str
    correct: int
    answered: int


def leaderboard(session: Session, group_ids: Iterable[str], limit: int = 10) -> list[Standing]:
    """Members by right answers (then fewer answers, i.e. accuracy), across ``group_ids``."""
    ids = sorted(set(group_ids))
    if not ids:
        return []
    right = func.sum(case((QuizAnswer.correct.is_(True), 1), else_=0))
    rows = session.execute(select(QuizAnswer.member, func.max(QuizAnswer.name), right,
                                  func.count()).where(QuizAnswer.group_id.in_(ids))
                           .group_by(QuizAnswer.member)).all()
    standings = [Standing(m, n or m, int(c or 0), int(a)) for m, n, c, a in rows]
    standings.sort(key=lambda s: (-s.correct, s.answered, s.member))
    return standings[:limit]
