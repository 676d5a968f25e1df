"""Tracked links without the app: a firing mints one code per group, the sender addresses it
with the base it is given at send time, a file's fallback card is tracked too, and an unknown
or malformed code records nothing."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from sqlalchemy import Engine, select

from bot.clock import ManualClock
from bot.core.messages import FileOut, LinkOut
from bot.db.engine import session_factory
from bot.db.runner import DatabaseRunner
from bot.db.schema import Event, TrackedLink
from bot.links import codes, web
from bot.schedules.firing import fire
from bot.schedules.loader import load_schedules
from tests.delivery.support import (
    T0,
    RecordingTransport,
    demo_home,
    drive,
    make_sender,
    push,
    queue,
)
from tests.schedules.conftest import home_of, local, outbox, payload
from tests.schedules.test_firing import series_file


def test_a_firing_mints_one_code_per_group(home_dir: Path, engine: Engine) -> None:
    """Each group's card carries its own code, which maps back to group, course and push."""
    series_file(home_dir)
    home = home_of(home_dir)
    at = local(2026, 12, 1, 19, 30)
    with session_factory(engine).begin() as session:
        fire(session, home, load_schedules(home).schedules["huanggua"], at, at)
    cards = [(r.key, r.target_id, payload(r)) for r in outbox(engine)]
    with session_factory(engine)() as session:
        links = {link.code: link for link in session.scalars(select(TrackedLink))}
    assert len(links) == 3
    for key, group, card in cards:
        assert isinstance(card, LinkOut) and card.track in links
        link = links[card.track]
        assert (link.group_id, link.content_id, link.push_key, link.url) == (
            group, "gv-007", key, card.url)
        assert codes.CODE.fullmatch(card.track)


async def test_the_sender_points_tracked_links_at_the_base_it_is_given(engine: Engine) -> None:
    """With a base: <base>/l/<code>, for a card and for a file's fallback card; without one
    (or untracked): the real address."""
    clock = ManualClock(T0)
    home = demo_home(per_minute=600, burst=10)
    card = LinkOut("课", "https://example.org/v/1", "说明", track="A" * 16)
    bases: list[str | None] = ["https://kx.example.cn/bot/", None]
    transport = RecordingTransport(clock)
    sender = make_sender(engine, home, clock, transport, link_base=lambda: bases[0])
    queue(engine, clock, push("p1", payload=card),
          push("p2", payload=FileOut("/nonexistent.mp4", "v.mp4", card)))
    await drive(sender, clock, lambda: len(transport.delivered) == 2)
    sent = [d.payload for d in transport.delivered]
    assert isinstance(sent[0], LinkOut) and sent[0].url == "https://kx.example.cn/bot/l/" + "A" * 16
    assert isinstance(sent[1], FileOut) and sent[1].fallback is not None
    assert sent[1].fallback.url.endswith("/l/" + "A" * 16)
    bases.pop(0)
    queue(engine, clock, push("p3", payload=card), push("p4", payload=LinkOut("x", "https://e.x")))
    await drive(sender, clock, lambda: len(transport.delivered) == 4)
    assert [d.payload.url for d in transport.delivered[2:]] == [  # type: ignore[union-attr]
        "https://example.org/v/1", "https://e.x"]


def test_unknown_and_malformed_codes_record_nothing(engine: Engine) -> None:
    with session_factory(engine).begin() as session:
        code = codes.mint(session, group_id="g", content_id="c", push_key="k",
                          url="https://example.org", now=T0)
    with session_factory(engine).begin() as session:
        assert codes.open_link(session, "x" * 16, T0) is None
        assert codes.open_link(session, "../../etc/passwd", T0) is None
        assert codes.open_link(session, code, T0) == "https://example.org"
    with session_factory(engine)() as session:
        [opened] = session.scalars(select(Event).where(Event.kind == "link_open"))
    assert (opened.group_id, opened.ref, opened.actor) == ("g", "c", None)


async def test_the_bots_own_link_server_serves_the_same_routes(engine: Engine,
                                                              tmp_path: Path) -> None:
    """Without the simulator (a real WeChat transport) the bot's small server answers /l/."""
    clock = ManualClock(T0)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        code = codes.mint(session, group_id="jiutai-junior", content_id="ef-001", push_key="k",
                          url="https://example.org/v", now=T0)
    db = DatabaseRunner(sessions)
    routes = web.routes(db, clock, tmp_path)
    async with web.LinkServer(routes, host="127.0.0.1", port=0) as server, \
            aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{server.port}"
        async with http.get(f"{base}/l/{code}", allow_redirects=False) as resp:
            assert resp.status == 302 and resp.headers["Location"] == "https://example.org/v"
        async with http.get(f"{base}/l/nope") as resp:
            assert resp.status == 404 and "链接无效" in await resp.text()
        async with http.get(f"{base}/api/rooms") as resp:
            assert resp.status == 404  # only the links: nothing of the simulator
    await db.aclose()
    with sessions() as session:
        assert len(list(session.scalars(select(Event).where(Event.kind == "link_open")))) == 1
