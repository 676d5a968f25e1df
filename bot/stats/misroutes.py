"""The misroute rate per industry: of the questions the classifier gave an industry in a period,
the share an expert (or admin) passed on with ``#转``.

A question counts under the industry it was first routed to (the ``from_industry`` of its first
``question_forwarded`` event, else the industry it has), so a correction is charged to the
industry that was wrong; questions for general experts count under 综合. It is read from the
questions and their forward events, since the daily rollup keeps no industry.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import messages as msg
from bot.chat.parse import format_question_id
from bot.config import Home
from bot.core import events
from bot.db.schema import Event, Question
from bot.stats.days import LocalDay

GENERAL_KEY = "general"
METRICS = {"routed": "分到本产业", "forwarded": "被专家转走", "misroute_rate": "分错率(%)"}


@dataclass(frozen=True)
class IndustryRow:
    id: str  # an industry id, or GENERAL_KEY
    name: str
    routed: int
    forwarded: int

    @property
    def key(self) -> str:
        return f"industry:{self.id}"

    @property
    def misroute_rate(self) -> float | None:
        return round(100 * self.forwarded / self.routed, 1) if self.routed else None


def misroutes(session: Session, home: Home, first: date, last: date,
              groups: Iterable[str]) -> list[IndustryRow]:
    """One row per industry of the home (in its order), then 综合, for questions asked in
    ``groups`` on the local days ``first..last``."""
    start, end = LocalDay(home.bot.timezone).bounds(first, last)
    asked = {format_question_id(number): industry for number, industry in session.execute(
        select(Question.id, Question.industry).where(
            Question.created_at >= start, Question.created_at < end,
            Question.group_id.in_(list(groups))))}
    first_from: dict[str, str | None] = {}
    forwards = (select(Event.ref, Event.detail)
                .where(Event.kind == events.QUESTION_FORWARDED, Event.ref.in_(list(asked)))
                .order_by(Event.id))
    for ref, detail in session.execute(forwards) if asked else ():
        if ref not in first_from:
            first_from[ref] = _from_industry(detail, asked[ref])
    routed: Counter[str] = Counter()
    forwarded: Counter[str] = Counter()
    for ref, industry in asked.items():
        original = first_from.get(ref, industry)
        routed[original or GENERAL_KEY] += 1
        forwarded[original or GENERAL_KEY] += ref in first_from
    rows = [IndustryRow(i.id, i.name, routed[i.id], forwarded[i.id])
            for i in home.industries.values()]
    rows.append(IndustryRow(GENERAL_KEY, msg.QA_GENERAL, routed[GENERAL_KEY],
                            forwarded[GENERAL_KEY]))
    return rows


def _from_industry(detail: str | None, otherwise: str | None) -> str | None:
    try:
        found = json.loads(detail or "{}")
    except ValueError:
        return otherwise
    if not isinstance(found, dict) or "from_industry" not in found:
        return otherwise
    value = found["from_industry"]
    return value if isinstance(value, str) else None
