"""Quizzes in chat: a member answers by sending the letter (``B``, ``ｂ``, ``选B``, ``答案：B``) or
by quoting the question with the letter; ``#排行`` shows the group's and its region's ranking.

Answers get no reply: fifty members answering must not become fifty bot messages. The first
answer of each member to a question counts; a second one is an ordinary chat line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot import messages as msg
from bot.chat.parse import clean
from bot.chat.router import CommandSpec, Fallback
from bot.chat.turn import Turn
from bot.config import Home
from bot.core.messages import MessageKind
from bot.db.schema import QuizRound
from bot.quiz import rounds
from bot.quiz.bank import LETTERS, QuizQuestion

# "B", "选B", "我选 B", "答案是B", "答：B", "B。", "B项" (after NFKC and upper case)
_CHOICE = re.compile(
    r"^(?:我?选择?|答案?(?:是|为)?|选项)?\s*[:：]?\s*([A-D])\s*(?:项|选项)?[。.!！~～]*$")
RANK_SHOWN = 10


def parse_choice(text: str) -> str | None:
    """The option letter a chat line answers with, or ``None`` when it is not an answer."""
    line = unicodedata.normalize("NFKC", clean(text)).upper()
    if len(line) > 12:
        return None
    match = _CHOICE.match(line)
    return match.group(1) if match and match.group(1) in LETTERS else None


@dataclass(frozen=True)
class _Target:
    rnd: QuizRound
    question: QuizQuestion


def _which(turn: Turn, home: Home) -> _Target | None:
    """The round a message answers: the quoted question, else the newest open one."""
    assert turn.group is not None
    found: list[_Target] = []
    for rnd in rounds.open_rounds(turn.session, turn.group.id, turn.now):
        bank = home.quizzes.get(rnd.bank_id)
        question = bank.question(rnd.question_id) if bank is not None else None
        if question is not None:
            found.append(_Target(rnd, question))
    quote = turn.inbound.quote
    if quote is not None:
        quoted = clean(quote.text)
        return next((t for t in found if clean(t.question.question) in quoted), None)
    return found[0] if found else None


def answer_fallback(turn: Turn) -> bool:
    """Take a letter sent while a question is open in the group; never replies."""
    if turn.group is None or turn.inbound.kind is not MessageKind.TEXT:
        return False
    choice = parse_choice(turn.inbound.text)
    if choice is None:
        return False
    target = _which(turn, turn.home)
    if target is None or choice not in target.question.options:
        return False
    rounds.answer(turn.session, target.rnd, target.question, member=turn.sender,
                  name=turn.inbound.sender_name or turn.sender, choice=choice, now=turn.now)
    return True  # the first answer counts; a second is recorded only as chat


def rank(turn: Turn, _args: str) -> None:
    group = turn.group
    if group is None:
        turn.reply(msg.QUIZ_RANK_IN_GROUP)
        return
    home = turn.home
    region = home.regions[group.region]
    below = {r.id for r in home.subtree(region.id)}
    lines = [msg.QUIZ_RANK_GROUP, *_lines(rounds.leaderboard(turn.session, [group.id]))]
    lines += ["", msg.QUIZ_RANK_REGION.format(region=region.name)]
    lines += _lines(rounds.leaderboard(
        turn.session, [g.id for g in home.groups.values() if g.region in below]))
    turn.reply("\n".join(lines))


def _lines(standings: list[rounds.Standing]) -> list[str]:
    if not standings:
        return [msg.QUIZ_RANK_EMPTY]
    return [msg.QUIZ_RANK_LINE.format(place=i, name=s.name, correct=s.correct,
                                      answered=s.answered)
            for i, s in enumerate(standings[:RANK_SHOWN], start=1)]


def commands() -> list[CommandSpec]:
    return [CommandSpec("排行", rank, msg.QUIZ_RANK_USAGE)]


def fallbacks() -> list[Fallback]:
    return [answer_fallback]
