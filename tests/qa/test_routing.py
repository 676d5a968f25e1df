"""Choosing experts: industry first, then the nearest region, then the lightest load."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_home
from bot.qa.routing import choose
from tests.qa.conftest import CITY_FUNGI, JIUTAI_FUNGI, JIUTAI_GENERAL, PROVINCE_FUNGI, Chat


def test_nearest_industry_expert_first(demo_copy: Path) -> None:
    """九台区 食用菌 → the county's own expert; 九台区 中药材 (none in 九台 or 长春) → province."""
    home = load_home(demo_copy)
    route = choose(home, "jiutai", "edible_fungi", {})
    assert route is not None and [e.id for e in route.experts] == [JIUTAI_FUNGI]
    route = choose(home, "jiutai", "medicinal_herbs", {})
    assert route is not None and route.region_id == "jilin" and not route.general
    route = choose(home, "changchun", "edible_fungi", {})
    assert route is not None and [e.id for e in route.experts] == [CITY_FUNGI]


def test_unclassified_goes_to_nearest_general_expert(demo_copy: Path) -> None:
    """No industry → the county's general expert; a county with none → the city's."""
    home = load_home(demo_copy)
    route = choose(home, "jiutai", None, {})
    assert route is not None and route.general and [e.id for e in route.experts] == [
        JIUTAI_GENERAL]
    route = choose(home, "shuangyang", None, {})
    assert route is not None and route.region_id == "changchun"


def test_load_is_spread_among_equals(demo_copy: Path) -> None:
    """Of two province 食用菌-capable experts the one with fewer open questions is chosen."""
    home = load_home(demo_copy)
    route = choose(home, "jilin", "edible_fungi", {PROVINCE_FUNGI: 3})
    assert route is not None and route.experts[0].id == "wxid_exp_zhangguoqing"
    route = choose(home, "jilin", "edible_fungi", {"wxid_exp_zhangguoqing": 5, PROVINCE_FUNGI: 1})
    assert route is not None and route.experts[0].id == PROVINCE_FUNGI
    route = choose(home, "jilin", "edible_fungi", {}, count=5)
    assert route is not None and len(route.experts) == 2


def test_open_questions_count_as_load(chat: Chat) -> None:
    """Province questions alternate between the two 食用菌 experts while both are unanswered."""
    for text in ("香菇绿霉怎么办", "木耳流耳怎么办", "平菇发黄怎么办"):
        chat.ask(text, group="jilin-senior")
    with_experts = [r.target[1] for r in chat.outbox() if r.purpose == "relay"]
    assert with_experts == [PROVINCE_FUNGI, "wxid_exp_zhangguoqing", PROVINCE_FUNGI]
