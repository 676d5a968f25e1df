"""The whole bot in-process: real Wechaty over the local puppet, real database, real senders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot import eventlog
from bot.app import AgriBot, RunSettings
from bot.clock import SystemClock
from bot.config import load_home
from bot.db.engine import session_factory
from bot.db.schema import Event
from bot.transport.local_world import LocalWorld, Message, room_id_for
from tests.conftest import unpaced
from tests.harness import BOT, Watch

ROOM = room_id_for("nongan-junior")


@pytest.fixture
async def running(demo_copy: Path, engine: Engine) -> AsyncIterator[tuple[AgriBot, Watch]]:
    home = load_home(unpaced(demo_copy))
    world = LocalWorld.from_home(home, SystemClock())
    async with AgriBot(home, engine, RunSettings(simulator_port=None), world=world) as bot:
        await bot.wait_ready(30)
        yield bot, Watch(world)


async def test_join_welcome_help_and_the_log(running: tuple[AgriBot, Watch]) -> None:
    """A member joins and is welcomed, sends #帮助 and gets help; the log holds it all, chained."""
    bot, watch = running
    world = watch.world
    world.join(ROOM, "wxid_newcomer", "赵新农")
    welcome = await watch.until(watch.bot_said(ROOM, "赵新农"))
    assert "wxid_newcomer" in welcome.mentions and "农安县初级农技师工作群" in welcome.text

    world.speak(ROOM, "wxid_newcomer", "#帮助")
    world.speak(ROOM, "wxid_newcomer", "谢谢，学习了")
    await watch.until(watch.bot_said(ROOM, "使用说明"))

    with session_factory(bot.engine)() as session:
        rows = session.scalars(select(Event).where(Event.actor == "wxid_newcomer")
                               .order_by(Event.id)).all()
        assert [(e.kind, e.group_id) for e in rows] == [
            ("join", "nongan-junior"), ("command", "nongan-junior"), ("message", "nongan-junior")]
        checked, broken = eventlog.verify(session)
        assert broken is None and checked > len(rows)  # initial members were joined at binding


async def test_first_binding_records_initial_members(running: tuple[AgriBot, Watch]) -> None:
    """Each room's members at first binding become join events, so membership starts right."""
    bot, watch = running
    members = {c.id for c in watch.world.members(ROOM)} - {BOT}
    with session_factory(bot.engine)() as session:
        present = set(session.scalars(select(Event.actor).where(
            Event.kind == "present", Event.group_id == "nongan-junior")))
        joined = session.scalars(select(Event.actor).where(Event.kind == "join")).all()
    assert present == members and joined == []  # already there: members, not newcomers


async def test_private_help(running: tuple[AgriBot, Watch]) -> None:
    """An expert asking the bot privately is answered privately."""
    _, watch = running
    expert = next(c.id for c in watch.world.members(ROOM) if c.id.startswith("wxid_exp_"))
    watch.world.speak_private(expert, "#帮助")

    def answered() -> Message | None:
        return next((m for m in watch.world.private_messages(expert)
                     if m.from_id == BOT and "使用说明" in m.text), None)

    await watch.until(answered)


async def test_training_session_and_weekly_figures(running: tuple[AgriBot, Watch]) -> None:
    """An admin opens a training, members check in once each, the admin closes it, and #统计
    counts the session and its participants; members found at binding are not newcomers."""
    bot, watch = running
    world = watch.world
    admin = next(a.id for a in bot.home.admins if a.region == "nongan")
    technicians = [c.id for c in world.members(ROOM) if c.id.startswith("wxid_t_")][:3]
    world.speak(ROOM, admin, "#开始培训 玉米螟绿色防控")
    await watch.until(watch.bot_said(ROOM, "玉米螟绿色防控"))
    for member in [*technicians, technicians[0]]:  # the first checks in twice
        world.speak(ROOM, member, "#签到")
    await watch.until(watch.bot_said(ROOM, "已签到"))
    world.speak(ROOM, admin, "#结束培训")
    closed = await watch.until(watch.bot_said(ROOM, "结束"))
    assert "3" in closed.text

    world.speak(ROOM, admin, "#统计")  # right away: the periodic rollup has not run since
    figures = await watch.until(watch.bot_said(ROOM, "签到"))
    assert "培训 1 场，签到 3 人次" in figures.text
    members = len(world.members(ROOM)) - 1  # all but the bot, there since the first binding
    assert f"成员 {members} 人（入 0 / 退 0）" in figures.text


async def test_a_photo_after_the_question_reaches_the_expert(
        running: tuple[AgriBot, Watch], tmp_path: Path) -> None:
    """The photo a technician sends right after asking is forwarded to the expert as a photo."""
    bot, watch = running
    world = watch.world
    room = room_id_for("jiutai-junior")
    expert = next(e.id for e in bot.home.experts.values()
                  if e.region == "jiutai" and "edible_fungi" in e.industries)
    asker = next(c.id for c in world.members(room) if c.id.startswith("wxid_t_"))
    photo = tmp_path / "菌棒.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"fake jpeg body" * 100)
    world.speak(room, asker, "#问 菌棒上长了绿色的霉，看图")
    await watch.until(watch.bot_said(room, "Q-0001"))
    world.post(room, asker, "image", file_name=photo.name, file_path=str(photo),
               file_size=photo.stat().st_size)

    def forwarded() -> Message | None:
        return next((m for m in world.private_messages(expert)
                     if m.from_id == BOT and m.type == "image"), None)

    image = await watch.until(forwarded)
    assert Path(image.file_path).read_bytes() == photo.read_bytes()
    assert any("见下一条" in m.text for m in world.private_messages(expert))
