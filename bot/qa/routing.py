"""Which experts a question goes to.

By industry first, then nearest: the experts of the group's own region, then of the region
above, up to the province (一级抓一级). Among equals the one with the fewest open questions gets
it, so one busy expert is not sent everything; ties go by contact id, so routing is repeatable.
A question no industry expert can take (unclassified, or nobody covers the industry) goes to the
general experts, nearest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import Home
from bot.config.models import Expert
from bot.db.schema import Assignment, Question


@dataclass(frozen=True)
class Route:
    region_id: str  # where the chosen experts are
    experts: tuple[Expert, ...]
    general: bool  # chosen as general experts, not for the industry


def choose(home: Home, start_region: str, industry: str | None, load: Mapping[str, int],
           *, count: int = 1, exclude: Iterable[str] = ()) -> Route | None:
    """The nearest experts from ``start_region`` upwards, or ``None`` when there are none."""
    skip = set(exclude)
    by_region: dict[str, list[Expert]] = {}
    for expert in home.experts.values():
        if expert.id not in skip:
            by_region.setdefault(expert.region, []).append(expert)
    passes: list[tuple[bool, str | None]] = [(False, industry)] if industry else []
    passes.append((True, None))
    for general, wanted in passes:
        for region in home.ancestors(start_region):
            pool = [e for e in by_region.get(region.id, [])
                    if (e.general if general else wanted in e.industries)]
            if pool:
                pool.sort(key=lambda e: (load.get(e.id, 0), e.id))
                return Route(region.id, tuple(pool[:count]), general)
    return None


def open_load(session: Session, expert_ids: Iterable[str] | None = None) -> dict[str, int]:
    """How many unanswered questions each expert has been given."""
    query = (select(Assignment.expert_id, func.count(func.distinct(Assignment.question_id)))
             .join(Question, Question.id == Assignment.question_id)
             .where(Question.status == "open")
             .group_by(Assignment.expert_id))
    if expert_ids is not None:
        query = query.where(Assignment.expert_id.in_(list(expert_ids)))
    return {expert: int(n) for expert, n in session.execute(query)}


def sits_in(expert: Expert, group_region: str) -> bool:
    """Whether the expert is a member of the group's room: the experts of a region sit in its
    groups (that is how the groups are built, and how the demo world fills them)."""
    return expert.region == group_region
