"""The shape of a question bank (``content_library/quizzes/*.yaml``) and its checks.

A bank is one file: an id, a title, and single-choice questions, each with two to four options
lettered A–D, the letter of the answer, an explanation posted when the question closes, and the
industry and tiers it suits. Admins write these by hand, so every slip (an answer letter with no
option, a tier misspelt, an id used twice) is reported at its ``path:line:col`` in Chinese.
References to industries and ids across files are checked by :func:`check_banks`, which the
home loader calls beside the catalog's checks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from bot import messages as msg
from bot.config.models import ContentId, Model, Slug
from bot.config.yamlio import Location, YamlDocument
from bot.domain import Tier

LETTERS = ("A", "B", "C", "D")
QuizText = Annotated[str, Field(min_length=1, max_length=500)]
OptionText = Annotated[str, Field(min_length=1, max_length=200)]


def letter(value: object) -> object:
    """``b``, ``Ｂ`` and `` B `` are all B: full-width and lower case are how phones type."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip().upper()
    return value


def _tier(value: object) -> object:
    if isinstance(value, str) and value.strip() in {t.value for t in Tier}:
        return value.strip()
    names = {t.label: t.value for t in Tier}
    if isinstance(value, str) and value.strip() in names:  # 初级 / 中级 / 高级
        return names[value.strip()]
    raise ValueError(msg.QUIZ_UNKNOWN_TIER.format(tier=value))


QuizTier = Annotated[Tier, BeforeValidator(_tier)]


class QuizQuestion(Model):
    id: ContentId
    question: QuizText
    options: dict[Annotated[str, BeforeValidator(letter)], OptionText]
    answer: Annotated[str, BeforeValidator(letter)]
    explanation: QuizText
    industry: Slug
    tiers: list[QuizTier] = Field(min_length=1)

    @field_validator("options")
    @classmethod
    def _lettered(cls, value: dict[str, str]) -> dict[str, str]:
        keys = list(value)
        if keys != list(LETTERS[:len(keys)]) or not 2 <= len(keys) <= 4:
            raise ValueError(msg.QUIZ_OPTION_LETTERS.format(found="、".join(keys) or "无"))
        return value

    def text(self, number: int | None = None) -> str:
        """The question as the group reads it: the stem, then one option a line."""
        head = f"{number}. {self.question}" if number is not None else self.question
        return "\n".join([head, *(f"{k}. {v}" for k, v in self.options.items())])


class QuizFile(Model):
    id: Slug
    title: QuizText
    description: str = ""
    questions: list[QuizQuestion] = Field(min_length=1)


@dataclass(frozen=True)
class QuizBank:
    """One validated bank; questions keep the file's order (the order groups get them in)."""

    id: str
    title: str
    questions: tuple[QuizQuestion, ...]

    def question(self, question_id: str) -> QuizQuestion | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def for_tier(self, tier: Tier) -> list[QuizQuestion]:
        return [q for q in self.questions if tier in q.tiers]


Loaded = tuple[YamlDocument, QuizFile]
Unique = Callable[[Any], dict[str, Any]]
Ref = Callable[[YamlDocument, Location, str, Mapping[str, Any], str], Any]
Add = Callable[[YamlDocument, Location, str], None]


def check_banks(files: list[Loaded], industries: Mapping[str, Any], unique: Unique, ref: Ref,
                add: Add) -> dict[str, QuizBank]:
    """Banks by id, with bank ids and question ids unique across the home, every industry
    known and every answer one of its options; ``unique``, ``ref`` and ``add`` report problems
    as the home loader does."""
    banks = unique((doc, ("id",), file) for doc, file in files)
    unique((doc, ("questions", i, "id"), q)
           for doc, file in files for i, q in enumerate(file.questions))
    for doc, file in files:
        for i, question in enumerate(file.questions):
            ref(doc, ("questions", i, "industry"), question.industry, industries, "industry")
            if question.answer not in question.options:  # here, to point at the answer's line
                add(doc, ("questions", i, "answer"), msg.QUIZ_UNKNOWN_ANSWER.format(
                    answer=question.answer, letters="、".join(question.options)))
    return {bank_id: QuizBank(file.id, file.title, tuple(file.questions))
            for bank_id, file in banks.items()}
