"""Background tasks: crashes are logged at once, periodic jobs survive failing ticks."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.tasks import TaskGroup, every


async def test_crash_is_logged_with_the_task_name(caplog: pytest.LogCaptureFixture) -> None:
    """A task that raises is reported under its name without anyone awaiting it."""
    async def boom() -> None:
        raise ValueError("nope")

    async with TaskGroup() as tasks:
        task = tasks.spawn(boom(), "sender:jilin")
        await asyncio.wait([task])
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("sender:jilin" in e for e in errors)


async def test_periodic_job_survives_a_failing_tick(caplog: pytest.LogCaptureFixture) -> None:
    """The second tick runs although the first raised; stop ends the loop."""
    stop = asyncio.Event()
    ticks: list[int] = []

    def job() -> None:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise RuntimeError("first tick fails")
        stop.set()

    await asyncio.wait_for(every(0, job, "escalation", stop), timeout=5)
    assert ticks == [0, 1]
    assert "escalation" in caplog.text


async def test_exit_cancels_what_is_left() -> None:
    """Leaving the group cancels tasks still running."""
    async with TaskGroup() as tasks:
        task = tasks.spawn(asyncio.Event().wait(), "forever")
    assert task.cancelled()
