"""Two real processes: ``agribot gateway`` and ``agribot run --transport wechaty``, the bot's
unmodified ``PuppetService`` talking gRPC to the gateway, driven through the gateway's simulator
HTTP API. Nothing sleeps: waits block on process output or on the simulator's event stream.

What arrived is read back from the gateway's world, which ``--journal`` keeps across a SIGKILL
of the gateway (a real WeChat keeps its chats when the gateway in front of it dies), so the
test counts every message the bot delivered before and after the restart.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages as msg
from tests.conftest import REPO, unpaced

TOKEN = "e2e-token-5678"
NONGAN = "room-nongan-junior@chatroom"
BOT = "wxid_bot_jilin-kexie"
START_TIMEOUT = 30.0  # a process importing wechaty on a busy machine
EVENT_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proc:
    """A child process whose output is drained by threads; ``until`` blocks on new lines."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bot", *args], cwd=REPO, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: list[str] = []
        self.err: list[str] = []
        self._changed = threading.Condition()
        self._drains = [threading.Thread(target=self._drain, args=(pipe, lines), daemon=True)
                        for pipe, lines in ((self.popen.stdout, self.out),
                                            (self.popen.stderr, self.err))]
        for drain in self._drains:
            drain.start()

    def _drain(self, pipe: Any, lines: list[str]) -> None:
        for line in pipe:
            with self._changed:
                lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def until(self, found: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not found():
                left = deadline - time.monotonic()
                if left <= 0 or (self.popen.poll() is not None and not found()):
                    raise AssertionError(f"no {what}; stderr:\n{''.join(self.err)[-3000:]}")
                self._changed.wait(left)

    def said(self, text: str, *, stream: str = "err", count: int = 1) -> Callable[[], bool]:
        lines = self.err if stream == "err" else self.out
        return lambda: sum(text in line for line in lines) >= count

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        code = self.popen.wait(timeout=30)
        for drain in self._drains:  # the pipes end with the process; read them to the end
            drain.join(timeout=30)
        for pipe in (self.popen.stdout, self.popen.stderr):
            if pipe is not None:
                pipe.close()
        return code


class Sim:
    """The gateway's simulator API over HTTP, with waits driven by its event stream."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(self, method: str, path: str, body: Any = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=EVENT_TIMEOUT)
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None,
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            assert response.status < 300, (response.status, data.decode())
            return json.loads(data) if data else None
        finally:
            conn.close()

    def messages(self, room: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"/api/rooms/{room}/messages"))

    def until(self, found: Callable[[], bool], what: str) -> None:
        """Check ``found`` now and after every world event, for at most EVENT_TIMEOUT."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=EVENT_TIMEOUT)
        deadline = time.monotonic() + EVENT_TIMEOUT
        try:
            conn.request("GET", "/api/events")
            stream = conn.getresponse()
            while not found():
                if time.monotonic() > deadline or not stream.readline():
                    raise AssertionError(f"no {what}")
        finally:
            conn.close()

    def replies(self, room: str, contains: str, after: int = 0) -> list[dict[str, Any]]:
        return [m for m in self.messages(room) if m["from"] == BOT and m["id"] > after
                and m.get("type") != "system" and contains in (m.get("text") or "")]


@pytest.fixture
def paced_home(demo_copy: Path) -> Path:
    """The demo home, one message a second (so replies queue in the outbox) and outbox retries
    in fractions of a second instead of half a minute (so the test waits seconds, not minutes)."""
    home = unpaced(demo_copy)
    bot_yaml = home / "config" / "bot.yaml"
    text = re.sub(r"rate: \{[^}]*\}", "rate: {per_minute: 60, burst: 1, jitter_seconds: 0}",
                  bot_yaml.read_text("utf-8"))
    text = re.sub(r"outbox: \{[^}]*\}", "outbox: {max_attempts: 30, base_backoff_seconds: 0.2}",
                  text)
    bot_yaml.write_text(text, "utf-8")
    return home


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in reversed(started):
        proc.stop(signal.SIGKILL)


def env(token: str, endpoint: str = "") -> dict[str, str]:
    values = {**os.environ, "PYTHONPATH": str(REPO), "WECHATY_PUPPET_SERVICE_TOKEN": token,
              "AGRIBOT_HOME": ""}
    if endpoint:
        values["WECHATY_PUPPET_SERVICE_ENDPOINT"] = endpoint
    return values


def start_gateway(procs: list[Proc], home: Path, port: int, sim_port: int,
                  journal: Path) -> Proc:
    gateway = Proc(["gateway", "--home", str(home), "--port", str(port), "--sim-port",
                    str(sim_port), "--journal", str(journal)], env(TOKEN))
    procs.append(gateway)
    gateway.until(gateway.said("模拟器", stream="out"), "gateway ready line")
    return gateway


def start_bot(procs: list[Proc], home: Path, port: int, db: Path, token: str) -> Proc:
    bot = Proc(["run", "--home", str(home), "--transport", "wechaty", "--db",
                f"sqlite:///{db}"], env(token, f"127.0.0.1:{port}"))
    procs.append(bot)
    return bot


@pytest.mark.e2e
def test_over_grpc_welcome_help_and_a_gateway_killed_with_a_full_outbox(
        paced_home: Path, tmp_path: Path, procs: list[Proc]) -> None:
    """A newcomer is welcomed and gets #帮助 over gRPC; then, with five help replies queued, the
    gateway is SIGKILLed and restarted: the bot reconnects and every reply arrives, once (at
    most the one in flight twice, and the bot logged its retry)."""
    port, sim_port, journal = free_port(), free_port(), tmp_path / "world.jsonl"
    gateway = start_gateway(procs, paced_home, port, sim_port, journal)
    bot = start_bot(procs, paced_home, port, tmp_path / "bot.db", TOKEN)
    bot.until(bot.said("account jilin-kexie: ready as"), "bot ready over gRPC")
    sim = Sim(sim_port)

    sim.call("POST", f"/api/rooms/{NONGAN}/members", {"id": "wxid_newcomer", "name": "赵新农"})
    sim.until(lambda: bool(sim.replies(NONGAN, "赵新农")), "welcome")
    (welcome,) = sim.replies(NONGAN, "赵新农")
    assert "wxid_newcomer" in welcome["mentions"] and "欢迎" in welcome["text"]
    asked = sim.call("POST", f"/api/rooms/{NONGAN}/messages",
                     {"from": "wxid_newcomer", "text": "#帮助"})["id"]
    sim.until(lambda: bool(sim.replies(NONGAN, msg.HELP_HEADER, asked)), "help in 农安")

    rooms = [r["id"] for r in sim.call("GET", "/api/rooms") if r["id"] != NONGAN][:5]
    questions = {}
    for room in rooms:
        group = room.removeprefix("room-").removesuffix("@chatroom")
        questions[room] = sim.call("POST", f"/api/rooms/{room}/messages",
                                   {"from": f"wxid_t_{group}_1", "text": "#帮助"})["id"]

    def answered(room: str) -> int:
        return len(sim.replies(room, msg.HELP_HEADER, questions[room]))

    sim.until(lambda: any(answered(r) for r in rooms), "the first queued reply")
    gateway.stop(signal.SIGKILL)
    entries = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    before_kill = [e["room"] for e in entries if e.get("from") == BOT
                   and msg.HELP_HEADER in e.get("text", "") and e["room"] in rooms]
    assert len(set(before_kill)) < len(rooms), "nothing was left queued when the gateway died"

    gateway = start_gateway(procs, paced_home, port, sim_port, journal)
    bot.until(bot.said("ready as", count=2), "bot ready again after the restart")
    sim.until(lambda: all(answered(r) for r in rooms), "every queued reply after the restart")
    bot.until(bot.said("reconnecting in"), "a reconnect line")
    counts = {room: answered(room) for room in rooms}
    twice = [room for room, n in counts.items() if n > 1]
    assert set(counts.values()) <= {1, 2} and len(twice) <= 1, counts
    if twice:  # the send in flight when the gateway died: sent, unacknowledged, sent again
        assert any("retry (" in line for line in bot.err)
    assert len(sim.replies(NONGAN, "赵新农")) == 1
    assert len(sim.replies(NONGAN, msg.HELP_HEADER, asked)) == 1

    assert bot.stop() == 0
    assert gateway.stop() == 0
    errors = "".join(bot.err)
    assert "Traceback" not in errors and TOKEN not in errors
    assert "Traceback" not in "".join(gateway.err)


@pytest.mark.e2e
def test_wrong_token_one_clear_line_and_a_bounded_retry(
        paced_home: Path, tmp_path: Path, procs: list[Proc]) -> None:
    """A bot with the wrong token says so in one error line and retries on a growing backoff;
    no traceback, no flood, and the token never printed."""
    port = free_port()
    gateway = start_gateway(procs, paced_home, port, free_port(), tmp_path / "world.jsonl")
    bot = start_bot(procs, paced_home, port, tmp_path / "bot.db", "wrong-token-0000")
    bot.until(bot.said("(attempt 3)"), "a third reconnect")
    assert bot.stop() == 0
    gateway.stop()
    lines = bot.err
    errors = [line for line in lines if " ERROR " in line]
    assert len(errors) == 1 and "UNAUTHENTICATED" in errors[0], errors
    assert "WECHATY_PUPPET_SERVICE_TOKEN" in errors[0]
    delays = [float(d) for d in re.findall(r"reconnecting in ([\d.]+)s", "".join(lines))]
    assert delays[:3] == [1.0, 2.0, 4.0]
    assert "Traceback" not in "".join(lines) and "wrong-token-0000" not in "".join(lines)
    assert any("refused" in line for line in gateway.err)
