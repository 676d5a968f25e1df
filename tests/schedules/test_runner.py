"""The runner on an injected clock: weeks of pushes, restarts, catch-up, and hot reload."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, text

from bot.clock import ManualClock
from bot.core import events as kinds
from bot.core.messages import TextOut
from bot.db.engine import session_factory
from bot.schedules.runner import ScheduleRunner, job_table, run_scheduled
from tests.schedules.conftest import (
    ACCOUNT,
    MONDAY_NOON,
    events,
    home_of,
    local,
    outbox,
    payload,
    write,
)

COUNTY = "jilin/changchun/jiutai.yaml"


def runner_for(home_dir: Path, engine: Engine, clock: ManualClock, **kw: float) -> ScheduleRunner:
    return ScheduleRunner(home_of(home_dir), engine, session_factory(engine), clock, ACCOUNT,
                          wake=False, **kw)


def weekly(home_dir: Path, targets: str, *, time: str = "19:30", extra: str = "") -> Path:
    return write(home_dir, "jilin/changchun.yaml", (
        "region: changchun\n"
        "schedules:\n"
        "  - id: huanggua\n"
        f"    targets: [{targets}]\n"
        f"    when: {{weekly: {{weekdays: [二], time: \"{time}\"}}}}\n"
        "    what: {series: sheshi-huanggua}\n" + extra))


def sent(engine: Engine) -> list[tuple[str, str | None, str]]:
    """(group, content, local day) of each push, in order."""
    return [(r.target_id, r.ref, f"{r.created_at:%m-%d %H:%M}") for r in outbox(engine)
            if r.purpose == "push"]


async def test_weekly_series_to_three_counties_and_a_late_joiner(home_dir: Path,
                                                                 engine: Engine) -> None:
    """Episodes 1, 2, 3 reach each county on three Tuesdays; a group added in week 3 gets 1."""
    path = weekly(home_dir, "nongan-junior, dehui-junior, jiutai-junior")
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock) as runner:
        for day in (1, 8):
            clock.set(local(2026, 12, day, 19, 29))
            assert runner.run_due() == 0
            clock.set(local(2026, 12, day, 19, 30))
            assert runner.run_due() == 3
            assert runner.run_due() == 0
        path.write_text(path.read_text().replace("jiutai-junior]", "jiutai-junior, yushu-junior]"))
        assert runner.reload()
        clock.set(local(2026, 12, 15, 19, 30))
        assert runner.run_due() == 4
    by_group: dict[str, list[tuple[str | None, str]]] = {}
    for group, content, day in sent(engine):
        by_group.setdefault(group, []).append((content, day))
    for group in ("nongan-junior", "dehui-junior", "jiutai-junior"):  # created_at is UTC
        assert by_group[group] == [("gv-007", "12-01 11:30"), ("gv-008", "12-08 11:30"),
                                   ("gv-009", "12-15 11:30")]
    assert by_group["yushu-junior"] == [("gv-007", "12-15 11:30")]


async def test_quiet_hours_delay_the_push(home_dir: Path, engine: Engine) -> None:
    """A firing at 22:30 inside 22:00-07:00 goes out at 07:00, not before."""
    weekly(home_dir, "jiutai-junior", time="22:30", extra="    quiet_hours: \"22:00-07:00\"\n")
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock) as runner:
        clock.set(local(2026, 12, 1, 22, 30))
        assert runner.run_due() == 0
        clock.set(local(2026, 12, 2, 6, 59))
        assert runner.run_due() == 0
        clock.set(local(2026, 12, 2, 7, 0))
        assert runner.run_due() == 1
    [row] = outbox(engine)
    assert row.key == "push:huanggua:2026-12-01T23:00:00Z:jiutai-junior"


async def test_restart_catches_up_within_grace_once(home_dir: Path, engine: Engine) -> None:
    """A firing missed while down is sent at restart if within grace — once, however many
    restarts follow — and the job table never holds more than one job per schedule."""
    weekly(home_dir, "nongan-junior, dehui-junior", extra="    on_missed: {grace: \"3h\"}\n")
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock):
        pass
    clock.set(local(2026, 12, 1, 21, 0))  # down at 19:30, back 1 h 30 later
    for _ in range(3):
        async with runner_for(home_dir, engine, clock) as runner:
            assert runner.next_run_time("huanggua") is not None
    assert [(g, c) for g, c, _ in sent(engine)] == [("nongan-junior", "gv-007"),
                                                     ("dehui-junior", "gv-007")]
    with engine.connect() as conn:
        count = conn.execute(text(f'SELECT COUNT(*) FROM "{job_table(ACCOUNT)}"')).scalar()
    assert count == 1


async def test_restart_outside_grace_skips_and_logs(home_dir: Path, engine: Engine) -> None:
    """A firing missed by more than the grace is not sent; it is logged as missed."""
    weekly(home_dir, "nongan-junior", extra="    on_missed: {grace: \"3h\"}\n")
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock):
        pass
    clock.set(local(2026, 12, 2, 8, 0))
    async with runner_for(home_dir, engine, clock):
        pass
    assert outbox(engine) == []
    [skipped] = events(engine, kinds.PUSH_SKIPPED)
    assert skipped.group_id == "nongan-junior" and skipped.ref == "gv-007"
    assert json.loads(skipped.detail)["reason"] == "missed"
    clock.set(local(2026, 12, 8, 19, 30))
    async with runner_for(home_dir, engine, clock):
        pass  # the next week's firing is due at start: sent, and the series was not advanced
    assert [(g, c) for g, c, _ in sent(engine)] == [("nongan-junior", "gv-007")]


async def test_a_retimed_schedule_does_not_fire_for_its_new_past_times(home_dir: Path,
                                                                     engine: Engine) -> None:
    """Moving 19:30 to 08:00 while down starts the new time from now, with no burst."""
    weekly(home_dir, "nongan-junior")
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock):
        pass
    weekly(home_dir, "nongan-junior", time="08:00")
    clock.set(local(2026, 12, 1, 9, 0))  # 08:00 Tuesday passed an hour ago under the new time
    async with runner_for(home_dir, engine, clock) as runner:
        assert outbox(engine) == []
        clock.set(local(2026, 12, 8, 8, 0))
        assert runner.run_due() == 1


async def test_the_stored_job_calls_back_into_the_runner(home_dir: Path, engine: Engine) -> None:
    """The job function APScheduler stores by reference fires through the running runner."""
    weekly(home_dir, "nongan-junior")
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock):
        clock.set(local(2026, 12, 1, 19, 30))
        run_scheduled(ACCOUNT, "huanggua")
        run_scheduled(ACCOUNT, "no-such-schedule")
    run_scheduled(ACCOUNT, "huanggua")  # no runner: a warning, nothing queued
    assert [(g, c) for g, c, _ in sent(engine)] == [("nongan-junior", "gv-007")]


async def test_hot_reload_with_the_real_watcher(home_dir: Path, engine: Engine) -> None:
    """Editing a file under a running runner moves the push to the new time; a broken edit
    keeps the last good version and tells the county's admin privately where the error is."""
    path = write(home_dir, COUNTY, (
        "region: jiutai\n"
        "schedules:\n"
        "  - id: lvmei\n"
        "    targets: [jiutai-junior]\n"
        "    when: {weekly: {weekdays: [四], time: \"20:00\"}}\n"
        "    what: {series: xianggu-lvmei}\n"))
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock, poll_seconds=0.02) as runner:
        def timing_hour() -> int | None:
            schedule = runner.book.get("lvmei")
            nxt = schedule.timing.next_firing(clock.now()) if schedule else None
            return nxt.at.hour if nxt else None

        assert timing_hour() == 12  # 20:00 Shanghai
        path.write_text(path.read_text().replace("\"20:00\"", "\"08:15\"") + "# 改到早上\n")
        assert await runner.wait_until(lambda: timing_hour() == 0, timeout=10)
        job_time = runner.next_run_time("lvmei")
        assert job_time is not None and (job_time.hour, job_time.minute) == (0, 15)

        good = path.read_text()
        path.write_text(good.replace("[四]", "[周八]"))
        assert await runner.wait_until(lambda: bool(runner.rejections), timeout=10)
        assert timing_hour() == 0 and runner.book.get("lvmei") is not None
        clock.set(local(2026, 12, 3, 8, 15))
        assert runner.run_due() == 1
    [push, alert] = sorted(outbox(engine), key=lambda r: r.purpose != "push")
    assert push.key == "push:lvmei:2026-12-03T00:15:00Z:jiutai-junior"
    assert (alert.target_kind, alert.target_id) == ("contact", "wxid_jt_fengbo")
    message = payload(alert)
    assert isinstance(message, TextOut)
    assert "schedules/jilin/changchun/jiutai.yaml:5:32:" in message.text
    assert "周八" in message.text and "上一次正确的版本" in message.text
    [rejected] = events(engine, kinds.CONFIG_REJECTED)
    assert json.loads(rejected.detail)["path"] == "schedules/jilin/changchun/jiutai.yaml"


async def test_deleting_a_file_removes_its_schedules(home_dir: Path, engine: Engine) -> None:
    """A deleted file's schedules stop, and their jobs leave the job table."""
    path = weekly(home_dir, "nongan-junior")
    clock = ManualClock(MONDAY_NOON)
    async with runner_for(home_dir, engine, clock) as runner:
        assert runner.next_run_time("huanggua") is not None
        path.unlink()
        assert runner.reload()
        assert runner.book.get("huanggua") is None and runner.next_run_time("huanggua") is None
        clock.set(local(2026, 12, 1, 19, 30))
        assert runner.run_due() == 0
