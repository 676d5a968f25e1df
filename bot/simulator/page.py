"""The simulator page, with its first steps in the words of the home it shows.

``static/index.html`` holds markers where the welcome card names a group and a question; a
second province's simulator must not tell its users to pick 长春市's group and ask about 香菇.
"""

from __future__ import annotations

import html
from pathlib import Path

from bot.chat.examples import examples_for
from bot.config import Home
from bot.domain import Tier

INDEX = Path(__file__).with_name("static") / "index.html"
GROUP_MARK = "__EXAMPLE_GROUP__"
QUESTION_MARK = "__EXAMPLE_QUESTION__"


def index_html(home: Home) -> str:
    """The page, its markers filled from ``home``: its first junior group (where technicians
    ask), shown as the page's list shows it, and a question from that group's examples."""
    groups = list(home.groups.values())
    group = next((g for g in groups if g.tier is Tier.JUNIOR), groups[0] if groups else None)
    where, question = "", examples_for(home, group).question
    if group is not None:
        # The list is grouped by tier, then by the regions below the province.
        above = [r.name for r in home.ancestors(group.region)
                 if r.id != home.province_id and r.id != group.region]
        where = " › ".join([group.tier.label, *reversed(above), group.name])
    page = INDEX.read_text("utf-8")
    return page.replace(GROUP_MARK, html.escape(where)).replace(
        QUESTION_MARK, html.escape(question))
