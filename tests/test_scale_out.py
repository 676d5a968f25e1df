"""Scale-out: two accounts, each run by its own bot with its own database connection, sharing one
database. A county question escalates to the province, whose expert answers in the senior group
(served by the other account); the answer still reaches the county group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import Engine

from bot.app import AgriBot, RunSettings
from bot.clock import ManualClock
from bot.config import load_home
from bot.db.engine import make_engine
from bot.transport.local_world import LocalWorld, bot_contact_id, room_id_for
from tests.conftest import unpaced
from tests.harness import Watch

COUNTY, PROVINCE = "jilin-kexie", "jilin-province"


def two_accounts(home: Path) -> Path:
    """The province's own groups (senior and intermediate) move to a second account."""
    bot_yaml, groups_yaml = home / "config" / "bot.yaml", home / "config" / "groups.yaml"
    bot = yaml.safe_load(bot_yaml.read_text("utf-8"))
    bot["accounts"].append({**bot["accounts"][0], "id": PROVINCE, "name": "吉林省科协助手"})
    bot_yaml.write_text(yaml.safe_dump(bot, allow_unicode=True), "utf-8")
    groups = yaml.safe_load(groups_yaml.read_text("utf-8"))
    for group in groups["groups"]:
        if group["tier"] != "junior":
            group["account"] = PROVINCE
    groups_yaml.write_text(yaml.safe_dump(groups, allow_unicode=True), "utf-8")
    return home


async def test_province_answer_crosses_accounts_to_the_county(demo_copy: Path,
                                                              engine: Engine) -> None:
    """Escalated past county and city deadlines, a question answered by a province expert in
    the senior group is posted in the county group by the county's account."""
    home = load_home(unpaced(two_accounts(demo_copy)))
    clock = ManualClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))  # Wednesday 09:00 in Jilin
    world = LocalWorld.from_home(home, clock)
    county_room, senior_room = room_id_for("jiutai-junior"), room_id_for("jilin-senior")
    second = make_engine(engine.url.render_as_string(hide_password=False))  # another "process"
    def only(account: str) -> RunSettings:
        return RunSettings(accounts=(account,), simulator_port=None, schedule_wake=False)

    try:
        async with AgriBot(home, engine, only(COUNTY), world=world, clock=clock) as county, \
                AgriBot(home, second, only(PROVINCE), world=world, clock=clock) as province:
            await county.wait_ready(30)
            await province.wait_ready(30)
            watch = Watch(world)
            asker = next(c.id for c in world.members(county_room) if c.id.startswith("wxid_t_"))
            world.speak(county_room, asker, "#问 香菇菌棒出现大片绿霉，已经扩散了怎么办？")
            await watch.until(watch.bot_said(county_room, "Q-0001"))

            assert county.qa is not None
            for hours in (5, 9):  # past the county deadline, then the city's
                clock.advance(timedelta(hours=hours))
                with county.sessions.begin() as session:
                    assert county.qa.escalate_due(session, clock.now(), account=COUNTY) == 1
            province_expert = next(e.id for e in home.experts.values()
                                   if e.tier.value == "senior" and "edible_fungi" in e.industries)

            def relayed() -> object:
                return next((m for m in world.private_messages(province_expert)
                             if "Q-0001" in m.text), None)

            county.wake_senders()
            await watch.until(relayed)

            world.speak(senior_room, province_expert, "#答 Q-0001 清除污染菌棒，石灰消毒。")
            county.wake_senders()
            answer = await watch.until(watch.bot_said(county_room, "石灰消毒"))
        assert answer.from_id == bot_contact_id(COUNTY) and asker in answer.mentions
        assert province.senders and county.senders  # each process sent only for its account
    finally:
        second.dispose()
