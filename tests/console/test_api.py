"""The console's API over real HTTP, with the whole bot behind it: signing in from chat, what a
session may see (its region and below, checked on the server), CSRF, and a dead letter sent
again from the console."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot import messages as msg
from bot.app import AgriBot, RunSettings
from bot.clock import ManualClock
from bot.config import Home
from bot.core import events
from bot.core.messages import Target, TextOut
from bot.db.schema import ConsoleLink, Event, OutboxRow
from bot.delivery import outbox
from bot.delivery.outbox import Outgoing, enqueue
from bot.transport.local_world import LocalWorld, room_id_for
from tests.console.conftest import FENGBO, Running
from tests.harness import Watch

JIUTAI = room_id_for("jiutai-junior")
TECH = "wxid_t_jiutai-junior_1"


async def test_an_admin_signs_in_and_sees_the_week_of_the_county(running: Running) -> None:
    """#后台 in private chat gives a link; opening it sets an HttpOnly, SameSite=Strict cookie
    for the console path; the summary is 九台区's, with this week's and this month's figures."""
    browser = running.browser()
    link = await running.ask_link()
    assert link.startswith(f"{running.base}/console/login/")
    async with browser.http.get(link, allow_redirects=False) as resp:
        assert resp.status == 200
        cookie = resp.cookies["agribot_console"]
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert cookie["path"] == "/console/" and int(cookie["max-age"]) == 10 * 3600
        assert "/console/" in await resp.text()
    status, me = await browser.get("/console/api/me")
    assert status == 200
    assert (me["admin"], me["name"], me["region"]) == (FENGBO, "冯波", "jiutai")
    status, summary = await browser.get("/console/api/summary?region=jiutai")
    assert status == 200, summary
    assert summary["region_name"] == "九台区"
    week = summary["periods"]["week"]
    assert (week["first"], week["last"]) == ("2026-11-30", "2026-12-03")
    assert {"active_members", "questions", "answered", "overdue", "median_response",
            "pushes_sent", "link_opens", "sessions"} <= set(week["figures"])
    assert len(summary["daily"]) == 3  # December 1st to 3rd
    status, same = await browser.get("/console/api/summary")
    assert status == 200 and same["region"] == "jiutai"


async def test_another_county_is_forbidden(running: Running) -> None:
    """The 九台区 admin asking for 洮南市's (or 长春市's, above him) groups, questions, summary
    or report gets 403 with a Chinese reason; his own region answers."""
    browser = await running.signed_in()
    for path in ("summary", "groups", "questions", "schedule", "activities", "outbox",
                 "report"):
        for region in ("taonan", "changchun", "jilin"):
            status, body = await browser.get(f"/console/api/{path}?region={region}")
            assert status == 403, (path, region, body)
            assert "不在您管理的范围内" in body["error"]
        status, body = await browser.get(f"/console/api/{path}?region=jiutai")
        assert status == 200, (path, body)
    status, body = await browser.get("/console/report/xlsx?region=taonan")
    assert status == 403
    status, body = await browser.get("/console/api/groups?region=nowhere")
    assert status == 404 and "nowhere" in body["error"]
    status, groups = await browser.get("/console/api/groups")
    assert [g["id"] for g in groups] == ["jiutai-junior"]
    assert groups[0]["bound"] and groups[0]["members"] >= 0


async def test_a_link_opens_one_session_only(running: Running) -> None:
    """A link used once shows a clear page the second time and opens nothing."""
    link = await running.ask_link()
    first = running.browser()
    status, _ = await first.get(link)
    assert status == 200 and first.session_cookie
    second = running.browser()
    status, page = await second.get(link)
    assert status == 410 and msg.CONSOLE_LINK_USED_TITLE in page
    assert second.session_cookie is None
    status, body = await second.get("/console/api/me")
    assert status == 401 and "#后台" in body["error"]
    status, page = await second.get("/console/login/not-a-real-token")
    assert status == 404 and msg.CONSOLE_LINK_UNKNOWN_TITLE in page


async def test_an_expired_link_and_session(running: Running) -> None:
    """A link opened after ten minutes opens nothing; a session ends after a working day."""
    link = await running.ask_link()
    running.clock.advance(timedelta(minutes=10, seconds=1))
    late = running.browser()
    status, page = await late.get(link)
    assert status == 410 and msg.CONSOLE_LINK_EXPIRED_TITLE in page
    assert late.session_cookie is None

    browser = await running.signed_in()
    running.clock.advance(timedelta(hours=9, minutes=59))
    status, _ = await browser.get("/console/api/me")
    assert status == 200
    running.clock.advance(timedelta(minutes=2))
    status, _ = await browser.get("/console/api/me")
    assert status == 401
    status, page = await browser.get("/console/")
    assert status == 401 and "#后台" in page


async def test_a_technician_is_refused(running: Running) -> None:
    """A non-admin's #后台 is refused in plain words and issues no link, nor is it listed in
    their #帮助; in a group an admin is sent to private chat."""
    answer = await running.ask_link(TECH)
    assert answer == msg.ADMIN_ONLY_PRIVATE.format(command="后台")
    browser = running.browser()
    status, _ = await browser.post(f"/api/rooms/{JIUTAI}/messages",
                                   {"from": FENGBO, "text": "#后台"})
    assert status == 201
    await running.watch.until(lambda: any(
        msg.CONSOLE_PRIVATE_ONLY in m.text for m in running.world.messages(JIUTAI)))
    count = await running.bot.db.read(
        lambda s: s.scalar(select(func.count(ConsoleLink.token_hash))))
    assert count == 0
    for sender, listed in ((TECH, False), (FENGBO, True)):
        status, _ = await browser.post(f"/api/contacts/{sender}/messages", {"text": "#帮助"})
        assert status == 201
        help_text = await running.watch.until(lambda who=sender: next(
            (m.text for m in running.world.private_messages(who)
             if msg.HELP_HEADER in m.text), None))
        assert ("#后台" in help_text) is listed


def _dead_letter(session: Session, group: str, text: str, now: object) -> int:
    enqueue(session, [Outgoing(f"test:dead:{group}", "jilin-kexie", Target.group(group),
                               TextOut(text), "push")], now=now)  # type: ignore[arg-type]
    row = session.scalars(select(OutboxRow).where(OutboxRow.key == f"test:dead:{group}")).one()
    outbox.dead(row, now=now, error="网络断开")  # type: ignore[arg-type]
    row.attempts = 6
    return row.id


async def test_posts_need_the_csrf_token_and_the_own_origin(running: Running) -> None:
    """A retry without the session's token, or from another site, is refused and changes
    nothing."""
    row = await running.bot.db.run(_dead_letter, "jiutai-junior", "补发测试", running.clock.now())
    browser = await running.signed_in()
    status, body = await browser.post(f"/console/api/outbox/{row}/retry",
                                      headers={"Origin": running.base})
    assert status == 403 and body["error"] == msg.CONSOLE_CSRF
    token = await browser.csrf()
    status, body = await browser.post(f"/console/api/outbox/{row}/retry", headers={
        "X-CSRF-Token": token, "Origin": "https://evil.example"})
    assert status == 403 and body["error"] == msg.CONSOLE_ORIGIN
    status, body = await browser.post(f"/console/api/outbox/{row}/retry", headers={
        "X-CSRF-Token": "0" * 64, "Origin": running.base})
    assert status == 403
    other = await running.signed_in()
    status, _ = await browser.post(f"/console/api/outbox/{row}/retry", headers={
        "X-CSRF-Token": await other.csrf(), "Origin": running.base})
    assert status == 403  # another session's token
    status = await running.bot.db.read(lambda s: s.get(OutboxRow, row).status)
    assert status == outbox.DEAD


async def test_a_dead_letter_retried_is_sent_and_recorded(running: Running) -> None:
    """The 发送 page's retry: the dead letter goes to the group, and the retry is an event
    naming the admin; another county's dead letter cannot be retried from here."""
    row = await running.bot.db.run(_dead_letter, "jiutai-junior", "今晚七点线上培训，请准时参加",
                                   running.clock.now())
    theirs = await running.bot.db.run(_dead_letter, "taonan-junior", "洮南的消息",
                                      running.clock.now())
    browser = await running.signed_in()
    status, listing = await browser.get("/console/api/outbox")
    assert status == 200
    assert [d["id"] for d in listing["dead"]] == [row]
    assert listing["dead"][0]["error"] == "网络断开"
    status, body = await browser.post_safely(f"/console/api/outbox/{theirs}/retry")
    assert status == 404
    status, body = await browser.post_safely(f"/console/api/outbox/{row}/retry")
    assert status == 200, body
    assert body["status"] == outbox.PENDING
    await running.watch.until(lambda: any(
        "今晚七点线上培训" in m.text for m in running.world.messages(JIUTAI)))
    sent = await running.bot.db.read(lambda s: s.get(OutboxRow, row).status)
    assert sent == outbox.SENT
    retried = await running.bot.db.read(lambda s: s.execute(
        select(Event.actor, Event.group_id, Event.ref).where(
            Event.kind == events.DEAD_LETTER_RETRIED)).tuples().all())
    assert retried == [
        (FENGBO, "jiutai-junior", "test:dead:jiutai-junior")]
    status, body = await browser.post_safely(f"/console/api/outbox/{row}/retry")
    assert status == 409  # sent now: nothing to retry


async def test_questions_schedule_and_report_of_the_county(running: Running) -> None:
    """A question asked in 九台区 shows as open with its expert and counts in the week; the
    schedule lists the county's file as checked and its coming pushes; a broken file shows its
    path:line:col; the report verifies and downloads as XLSX."""
    browser = running.browser()
    status, _ = await browser.post(f"/api/rooms/{JIUTAI}/messages",
                                   {"from": TECH, "text": "#问 香菇菌棒出现绿霉怎么办？"})
    assert status == 201
    await running.watch.until(lambda: any(
        "Q-0001" in m.text for m in running.world.messages(JIUTAI)))
    admin = await running.signed_in()
    status, found = await admin.get("/console/api/questions")
    assert status == 200
    [question] = found["open"]
    assert question["id"] == "Q-0001" and question["experts"] and not question["overdue"]
    status, summary = await admin.get("/console/api/summary")
    assert summary["periods"]["week"]["figures"]["questions"] == 1

    status, plan = await admin.get("/console/api/schedule?days=14")
    assert status == 200
    assert [f["path"] for f in plan["files"]] == ["schedules/jilin/changchun/jiutai.yaml"]
    assert plan["files"][0]["ok"]
    pushes = [p for d in plan["days"] for p in d["pushes"]]
    assert pushes and {p["group"] for p in pushes} == {"九台区初级农技师工作群"}
    path = running.bot.home.paths.schedules / "jilin/changchun/jiutai.yaml"
    path.write_text(path.read_text("utf-8").replace('time: "20:00"', "time: 20:00"), "utf-8")
    await running.bot.watcher.reload()
    status, plan = await admin.get("/console/api/schedule")
    [broken] = plan["files"]
    assert not broken["ok"]
    assert broken["problems"][0].startswith("schedules/jilin/changchun/jiutai.yaml:")
    assert "时间要加英文引号" in broken["problems"][0]

    status, report = await admin.get("/console/api/report")
    assert status == 200, report
    assert report["verify"]["ok"], report["verify"]
    assert set(report["downloads"]) == {"xlsx", "csv", "md", "png"}
    status, body = await admin.get(report["downloads"]["md"])
    assert status == 200 and "九台区" in body
    status, _ = await admin.get("/console/report/pdf")
    assert status == 404
    status, body = await admin.get("/console/api/report?from=2026-12-09&to=2026-12-01")
    assert status == 400 and "日期" in body["error"]


async def test_the_console_on_a_port_of_its_own(home: Home, engine: Engine,
                                                clock: ManualClock) -> None:
    """``--console-port``: without a simulator the console has its own server, the sign-in
    link points at it, and the simulator's routes are not there."""
    world = LocalWorld.from_home(home, clock)
    watch = Watch(world)
    settings = RunSettings(simulator_port=None, console_port=0, schedule_wake=False)
    async with AgriBot(home, engine, settings, world=world, clock=clock) as bot:
        await bot.wait_ready(30)
        assert bot.console_server is not None
        base = bot.console_server.url
        world.speak_private(FENGBO, "#后台")
        link = await watch.until(lambda: next(
            (m.text for m in world.private_messages(FENGBO) if "/console/login/" in m.text),
            None))
        assert f"{base}/console/login/" in link
        url = link[link.index(base):].split()[0]
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(url) as resp:
                assert resp.status == 200
            async with http.get(f"{base}/console/api/summary?region=jiutai") as resp:
                assert resp.status == 200
            async with http.get(f"{base}/api/rooms") as resp:
                assert resp.status == 404


async def test_a_city_admin_reaches_the_counties_and_signs_out(running: Running) -> None:
    """长春市's admin sees 九台区 (below) but not 洮南市 (another city); signing out needs the
    token and ends the session."""
    city = next(a.id for a in running.bot.home.admins if a.region == "changchun")
    browser = await running.signed_in(city)
    status, me = await browser.get("/console/api/me")
    assert me["region"] == "changchun" and "jiutai" in [r["id"] for r in me["regions"]]
    status, _ = await browser.get("/console/api/groups?region=jiutai")
    assert status == 200
    status, _ = await browser.get("/console/api/groups?region=taonan")
    assert status == 403
    status, page = await browser.post("/console/logout", headers={"Origin": running.base})
    assert status == 403
    status, page = await browser.post_safely("/console/logout")
    assert status == 200 and msg.CONSOLE_SIGNED_OUT in page
    assert browser.session_cookie in (None, "")
    status, _ = await browser.get("/console/api/me")
    assert status == 401
