"""A sender killed mid-batch (SIGKILL, a real subprocess) and restarted: every queued message is
sent, none twice except the one in flight, and the log names it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import Engine

from bot.clock import ManualClock

from .support import REPO, T0, push, queue, rows

COUNT, HANG_AFTER = 20, 5


def child(url: str, lease_seconds: float, hang_after: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.delivery.crash_child", url, str(lease_seconds),
         str(hang_after)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.e2e
def test_killed_sender_loses_nothing_and_names_the_one_in_flight(engine: Engine) -> None:
    """Kill -9 after the 5th message left but before it was recorded; a restart sends the rest
    and re-sends only that one, logged as possibly sent twice."""
    url = engine.url.render_as_string(hide_password=False)
    queue(engine, ManualClock(T0), *(push(f"k{i:02d}") for i in range(COUNT)))
    first = child(url, 600, HANG_AFTER)
    assert first.stdout is not None
    before = [first.stdout.readline().strip() for _ in range(HANG_AFTER)]
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    assert before == [f"课程 k{i:02d}" for i in range(HANG_AFTER)]
    assert [r.status for r in rows(engine)][HANG_AFTER - 1] == "sending"

    second = child(url, 0, 0)  # lease 0: the first process is known dead
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    seen = Counter(before + [line.strip() for line in out.splitlines()])
    assert set(seen) == {f"课程 k{i:02d}" for i in range(COUNT)}
    assert [text for text, n in seen.items() if n > 1] == [f"课程 k{HANG_AFTER - 1:02d}"]
    assert f"possibly sent twice: k{HANG_AFTER - 1:02d}" in err
    assert err.count("possibly sent twice") == 1
    assert {r.status for r in rows(engine)} == {"sent"}
