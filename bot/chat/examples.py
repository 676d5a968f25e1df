"""Examples in chat texts, taken from the home itself.

A help line that says 「#点播 cs-002」 to a province whose catalog has no ``cs-002`` teaches a
technician something that fails. Every example a reply shows (a course id, a word that finds
courses, a question, a training topic, a group id) is therefore drawn from the home the bot
runs: its catalog, its industries and its groups, and suits the group being answered.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from bot import messages as msg
from bot.config import Home
from bot.config.models import ContentItem, Group


@dataclass(frozen=True)
class Examples:
    course: str  # a course id that #点播 takes in this group
    word: str  # a word #课程 finds that course by (its industry's name)
    question: str  # a question in the words of one of the home's industries
    topic: str  # a training topic (that course's title)
    group: str  # a group id

    def fields(self) -> dict[str, str]:
        return asdict(self)


def examples_for(home: Home, group: Group | None = None) -> Examples:
    """Examples suited to ``group`` (any group of the home when ``None``)."""
    item = _course(home, group)
    industry = home.industries.get(item.industry) if item is not None else None
    if industry is None and home.industries:
        industry = next(iter(home.industries.values()))
    keyword = (industry.keywords[0] if industry and industry.keywords
               else industry.name if industry else msg.EXAMPLE_FALLBACK_KEYWORD)
    chosen = group or next(iter(home.groups.values()), None)
    return Examples(
        course=item.id if item is not None else msg.EXAMPLE_FALLBACK_COURSE,
        word=industry.name if industry is not None else msg.EXAMPLE_FALLBACK_KEYWORD,
        question=msg.EXAMPLE_QUESTION.format(keyword=keyword),
        topic=item.title if item is not None else msg.EXAMPLE_FALLBACK_TOPIC,
        group=chosen.id if chosen is not None else msg.EXAMPLE_FALLBACK_GROUP,
    )


def _course(home: Home, group: Group | None) -> ContentItem | None:
    """The first course of the catalog the group may request (the catalog's order is the
    admins' order, so the example is stable across restarts)."""
    return next((i for i in home.items.values() if group is None or group.tier in i.tiers),
                None)


def fill(template: str, examples: Examples | Mapping[str, str]) -> str:
    """``template`` with ``{course}``, ``{word}`` … filled in; any other ``{…}`` (or a stray
    brace) is left as written, so a usage line never fails to show."""
    values = examples.fields() if isinstance(examples, Examples) else dict(examples)
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        return template
    if any(n not in values for n in names):
        return template
    return template.format_map(values)
