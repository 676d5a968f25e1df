"""What the kill-and-restart test and the restart benchmark share: a generated home of many
groups served by ``agribot gateway`` (journal on), bots as ``agribot run --transport wechaty``
processes, a push queued the way a schedule's firing queues it, and what arrived, read back from
the gateway's journal (a file it flushes at every message, so nothing is missed)."""

from __future__ import annotations

import http.client
import json
import signal
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bot.config import load_home
from bot.core.messages import Target, TextOut
from bot.db.engine import make_engine, session_factory, upgrade
from bot.delivery.fairness import BULK
from bot.delivery.outbox import Outgoing, enqueue
from tests.benchmarks.homegen import generate_home
from tests.gateway.test_e2e import TOKEN, Proc, env, free_port

ACCOUNT = "jilin-kexie"
BOT = f"wxid_bot_{ACCOUNT}"
PUSH = "今晚学习：秋冬棚室管理"


def big_home(root: Path, groups: int, *, per_minute: int) -> Path:
    """A home of ``groups`` groups on one account, sending ``per_minute`` messages a minute
    without bursts or jitter (so the pace is exactly known), five technicians a group."""
    home = generate_home(root, groups=groups, items=60)
    bot_yaml = home / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    config["accounts"][0]["rate"] = {"per_minute": per_minute, "burst": 1, "jitter_seconds": 0}
    config["outbox"] = {"max_attempts": 30, "base_backoff_seconds": 0.5}
    config["local"]["technicians_per_group"] = 5
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    (home / "schedules").mkdir(exist_ok=True)
    return home


class Gateway:
    """``agribot gateway`` with its simulator (for the event stream) and journal."""

    def __init__(self, home: Path, journal: Path) -> None:
        self.port, self.sim_port, self.journal = free_port(), free_port(), journal
        self.proc = Proc(["gateway", "--home", str(home), "--port", str(self.port),
                          "--sim-port", str(self.sim_port), "--journal", str(journal)],
                         env(TOKEN))
        self.proc.until(self.proc.said("模拟器", stream="out"), "gateway ready line",
                        timeout=300)

    def arrivals(self, text: str = PUSH) -> dict[str, list[datetime]]:
        """Room → when each bot message containing ``text`` arrived there."""
        seen: dict[str, list[datetime]] = defaultdict(list)
        for line in self.journal.read_text("utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # the line being written now
            if entry.get("from") == BOT and entry.get("room") and text in entry.get("text", ""):
                seen[entry["room"]].append(datetime.fromisoformat(entry["ts"]))
        return seen

    def until(self, found: Callable[[], bool], what: str, timeout: float) -> None:
        """Check ``found`` now and after every event of the world (each message the bot
        sends is one), for at most ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        conn = http.client.HTTPConnection("127.0.0.1", self.sim_port, timeout=timeout)
        try:
            conn.request("GET", "/api/events")
            stream = conn.getresponse()
            while not found():
                if time.monotonic() > deadline or not stream.readline():
                    raise AssertionError(f"no {what} within {timeout:.0f} s")
        finally:
            conn.close()

    def stop(self) -> None:
        self.proc.stop(signal.SIGKILL)


def start_bot(home: Path, gateway: Gateway, db: Path) -> Proc:
    return Proc(["run", "--home", str(home), "--transport", "wechaty", "--db", f"sqlite:///{db}"],
                env(TOKEN, f"127.0.0.1:{gateway.port}"))


def queue_push(home_dir: Path, db: Path, text: str = PUSH) -> int:
    """One push row for every group, as a schedule firing writes them."""
    home = load_home(home_dir)
    engine = make_engine(f"sqlite:///{db}")
    try:
        upgrade(engine)
        with session_factory(engine).begin() as session:
            return enqueue(session, [
                Outgoing(f"push:{group}", ACCOUNT, Target.group(group), TextOut(text), "push",
                         "x-00001", BULK)
                for group in home.groups], now=datetime.now(UTC))
    finally:
        engine.dispose()
