"""``agribot run`` as a person starts it: a real process, the simulator on a free port, a
conversation through the HTTP API, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from tests.conftest import REPO, unpaced

pytestmark = pytest.mark.e2e
ROOM = "room-nongan-junior@chatroom"
TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll ``check`` until it returns something truthy; fail after TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            if result := check():
                return result
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)  # polling a separate process; nothing to await
    raise AssertionError(f"timed out waiting for {what}")


Running = tuple[subprocess.Popen[str], str, str]  # the process, its simulator URL, its database


@pytest.fixture
def bot_process(demo_copy: Path, tmp_path: Path) -> Iterator[Running]:
    db = f"sqlite:///{tmp_path / 'agribot.db'}"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--home", str(unpaced(demo_copy)), "--db", db,
         "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield process, f"http://127.0.0.1:{port}", db
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_run_answers_through_the_simulator_and_stops_cleanly(
        bot_process: Running, demo_copy: Path) -> None:
    """A technician's #帮助 in a county group gets the bot's answer; SIGTERM ends the process
    with exit code 0 and an intact event log."""
    process, base, db = bot_process
    eventually(lambda: call(f"{base}/api/health").get("status") == "ok", "health")
    rooms = call(f"{base}/api/rooms")
    room = next(r for r in rooms if r["id"] == ROOM)
    technician = next(m["id"] for m in room["members"] if m["role"] == "member")
    sent = call(f"{base}/api/rooms/{ROOM}/messages", {"from": technician, "text": "#帮助"})

    def answer() -> Any:
        messages = call(f"{base}/api/rooms/{ROOM}/messages?since={sent['id']}")
        return next((m for m in messages if m["from"].startswith("wxid_bot_")), None)

    reply = eventually(answer, "the bot's answer")
    assert "#问" in reply["text"] and "使用说明" in reply["text"]

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert "正在停止" in out and "Traceback" not in err
    assert main(["audit", "verify", "--home", str(demo_copy), "--db", db]) == 0
