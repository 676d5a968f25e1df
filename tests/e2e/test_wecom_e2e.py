"""Two real processes: ``agribot wecom-fake`` and ``agribot run`` with an account of transport
``wecom``, the bot's unmodified ``aibot.WSClient`` talking to the fake over wss://, driven
through the fake's simulator API. Nothing sleeps: waits block on process output or on the
simulator's event stream.
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import signal
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot import messages as msg
from bot.transport import wecom_protocol as wp
from tests.gateway.test_e2e import Proc, Sim, free_port
from tests.wecom_home import BOT_ID_ENV, SECRET_ENV, make_wecom

pytestmark = pytest.mark.e2e

BOT_ID, SECRET = "aibot-e2e-0001", "e2e-secret-9f3a"
BOT = "wxid_bot_jilin-kexie"
BOT_NAME = "吉林科协农技助手"
JIUTAI = "room-jiutai-junior@chatroom"
JIUTAI_ADMIN = "wxid_jt_fengbo"  # 冯波
TECH = "wxid_t_jiutai-junior_1"
EXPERT = "wxid_exp_yinhongliang"  # 尹洪亮, 九台区 食用菌
CONNECTED = msg.WECOM_READY.format(account="jilin-kexie")
PHOTO_LINK = re.compile(r"\((http://127\.0\.0\.1:\d+/photo/[0-9a-f-]+)\)")
PUSH_TIMEOUT = 150.0  # a schedule fires on the minute: up to two minutes away


@pytest.fixture
def home(demo_copy: Path) -> Path:
    """The demo home on WeCom: one message a second (so replies queue), outbox retries in a
    fraction of a second, and a push of sc-004 to 九台区 two minutes from now."""
    make_wecom(demo_copy)
    bot_yaml = demo_copy / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    for account in config["accounts"]:
        account["rate"] = {"per_minute": 60, "burst": 1, "jitter_seconds": 0}
    config["outbox"] = {"max_attempts": 30, "base_backoff_seconds": 0.2}
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    at = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(minutes=2)
    (demo_copy / "schedules" / "jilin" / "changchun" / "jiutai.yaml").write_text(
        "region: jiutai\nschedules:\n  - id: e2e-card\n    targets: [jiutai-junior]\n"
        f"    when: {{once: {{at: \"{at:%Y-%m-%d %H:%M}\"}}}}\n    what: sc-004\n", "utf-8")
    return demo_copy


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in reversed(started):
        proc.stop(signal.SIGKILL)


def env(secret: str = SECRET, *, port: int = 0, ca: str = "") -> dict[str, str]:
    values = {**os.environ, "AGRIBOT_HOME": "", BOT_ID_ENV: BOT_ID, SECRET_ENV: secret}
    if port:
        values[wp.WS_URL_ENV] = f"wss://127.0.0.1:{port}"
        values[wp.CA_FILE_ENV] = ca
    return values


def start_fake(procs: list[Proc], home: Path, port: int, sim_port: int, journal: Path
               ) -> tuple[Proc, str]:
    fake = Proc(["wecom-fake", "--home", str(home), "--port", str(port), "--sim-port",
                 str(sim_port), "--journal", str(journal)], env())
    procs.append(fake)
    fake.until(fake.said(wp.CA_FILE_ENV, stream="out"), "the fake's export lines")
    found = re.search(rf"{wp.CA_FILE_ENV}=(\S+)", "".join(fake.out))
    assert found is not None
    return fake, found.group(1)


def serve_links(home: Path) -> None:
    """The bot's link server on a free port, its public base there: what serves photo links
    (one bot process only: a second would find the port taken)."""
    bot_yaml = home / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    port = free_port()
    config["links"] = {"public_base": f"http://127.0.0.1:{port}", "host": "127.0.0.1",
                       "port": port}
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


def start_bot(procs: list[Proc], home: Path, db: Path, port: int, ca: str,
              secret: str = SECRET) -> Proc:
    bot = Proc(["run", "--home", str(home), "--db", f"sqlite:///{db}"],
               env(secret, port=port, ca=ca))
    procs.append(bot)
    return bot


class Chats(Sim):
    def say(self, sender: str, text: str, *, at_bot: bool = True, room: str = JIUTAI) -> int:
        body: dict[str, Any] = {"from": sender, "text": f"@{BOT_NAME} {text}" if at_bot else text}
        if at_bot:
            body["mentions"] = [BOT]
        return int(self.call("POST", f"/api/rooms/{room}/messages", body)["id"])

    def wait(self, found: Callable[[], bool], what: str, timeout: float) -> None:
        """:meth:`Sim.until` with a longer deadline (a push on the next minute)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        deadline = time.monotonic() + timeout
        try:
            conn.request("GET", "/api/events")
            stream = conn.getresponse()
            while not found():
                if time.monotonic() > deadline or not stream.readline():
                    raise AssertionError(f"no {what}")
        finally:
            conn.close()

    def private(self, contact: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"/api/contacts/{contact}/messages"))

    def bind(self, admin: str = JIUTAI_ADMIN, group: str = "jiutai-junior") -> None:
        asked = self.say(admin, f"#绑定 {group}")
        self.until(lambda: bool(self.replies(JIUTAI, "已绑定", asked)), "the binding's answer")


def test_help_question_answer_and_a_card_over_the_long_connection(
        home: Path, tmp_path: Path, procs: list[Proc]) -> None:
    """#绑定 binds the chat; "@bot #帮助" is answered there (a message without @ is not seen);
    "@bot question" reaches the right expert privately (delivered twice under one msgid, it is
    asked once), a photo the asker then sends privately reaches the expert as a link that
    serves it (the bot sends no files on WeCom), and the expert's #答 comes back to the group
    @-ing the asker; the scheduled push arrives as a card."""
    port, sim_port = free_port(), free_port()
    serve_links(home)
    _fake, ca = start_fake(procs, home, port, sim_port, tmp_path / "world.jsonl")
    bot = start_bot(procs, home, tmp_path / "bot.db", port, ca)
    bot.until(bot.said(CONNECTED), "the bot connected to the fake")
    sim = Chats(sim_port)
    sim.bind()

    unseen = sim.say(TECH, "#帮助", at_bot=False)
    asked = sim.say(TECH, "#帮助")
    sim.until(lambda: bool(sim.replies(JIUTAI, msg.HELP_HEADER, asked)), "help in 九台区")
    (help_reply,) = sim.replies(JIUTAI, msg.HELP_HEADER, unseen)
    assert msg.CAP_MENTION_ONLY in help_reply["text"]

    asked = sim.say(TECH, "香菇出现绿霉怎么办")
    sim.until(lambda: bool(sim.replies(JIUTAI, "Q-0001", asked)), "the question's number")
    sim.until(lambda: any("Q-0001" in (m.get("text") or "") for m in sim.private(EXPERT)),
              "the question relayed to 尹洪亮 privately")
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4 + b"\xff\xd9"
    sim.call("POST", f"/api/contacts/{TECH}/messages",
             {"media": {"name": "绿霉.jpg", "base64": base64.b64encode(photo).decode()}})

    def photo_link() -> str | None:
        found = (PHOTO_LINK.search(m.get("text") or "") for m in sim.private(EXPERT))
        return next((f.group(1) for f in found if f), None)

    sim.until(lambda: photo_link() is not None, "the photo's link to 尹洪亮")
    with urllib.request.urlopen(str(photo_link()), timeout=10) as response:
        assert response.read() == photo
    sim.call("POST", f"/api/wecom/messages/{asked}/redeliver")  # the same msgid again
    bot.until(bot.said("duplicate msgid"), "the repeated msgid noticed")
    again = sim.say(TECH, "#帮助")  # handled in order: after it, the repeat would have shown
    sim.until(lambda: bool(sim.replies(JIUTAI, msg.HELP_HEADER, again)), "help after the repeat")
    assert len(sim.replies(JIUTAI, "Q-0001", asked)) == 1
    assert not sim.replies(JIUTAI, "Q-0002")
    sim.call("POST", f"/api/contacts/{EXPERT}/messages",
             {"text": "#答 Q-0001 清除污染菌棒，加强通风"})
    sim.until(lambda: bool(sim.replies(JIUTAI, "清除污染菌棒", asked)), "the answer in the group")
    (answer,) = sim.replies(JIUTAI, "清除污染菌棒", asked)
    assert TECH in answer["mentions"]

    def card() -> bool:
        return any(m["from"] == BOT and m.get("type") == "url" for m in sim.messages(JIUTAI))

    sim.wait(card, "the scheduled push as a card", PUSH_TIMEOUT)
    cards = [m for m in sim.messages(JIUTAI) if m["from"] == BOT and m.get("type") == "url"]
    assert cards and "煤气中毒" in cards[0]["title"]
    assert bot.stop() == 0
    errors = "".join(bot.err)
    assert "Traceback" not in errors and SECRET not in errors and BOT_ID not in errors


def test_fake_restarted_with_a_full_outbox_and_a_second_process_with_the_same_bot_id(
        home: Path, tmp_path: Path, procs: list[Proc]) -> None:
    """Five help replies are queued (one a second) when the fake dies: after its restart the
    bot reconnects and every reply arrives, at most the one in flight twice. Then a second bot
    process connects with the same bot id: the first says so in one line and stays away; the
    second serves the group."""
    port, sim_port, journal = free_port(), free_port(), tmp_path / "world.jsonl"
    fake, ca = start_fake(procs, home, port, sim_port, journal)
    bot = start_bot(procs, home, tmp_path / "bot.db", port, ca)
    bot.until(bot.said(CONNECTED), "the bot connected to the fake")
    sim = Chats(sim_port)
    sim.bind()
    techs = [f"wxid_t_jiutai-junior_{n}" for n in range(2, 7)]
    first = sim.say(techs[0], "#帮助")
    for tech in techs[1:]:
        sim.say(tech, "#帮助")

    def answered() -> int:
        return len(sim.replies(JIUTAI, msg.HELP_HEADER, first - 1))

    sim.until(lambda: answered() >= 1, "the first queued reply")
    before = answered()  # one a second: the rest are still queued
    fake.stop(signal.SIGKILL)
    assert before < len(techs), "nothing was left queued when the fake died"
    fake, ca = start_fake(procs, home, port, sim_port, journal)
    bot.until(bot.said(CONNECTED, count=2), "the bot connected again after the restart")
    sim.until(lambda: answered() >= len(techs), "every queued reply after the restart")
    assert answered() in (len(techs), len(techs) + 1)
    assert any("reconnecting to WeCom" in line for line in bot.err)

    second = start_bot(procs, home, tmp_path / "bot2.db", port, ca)
    replaced = msg.WECOM_REPLACED.format(account="jilin-kexie")
    bot.until(bot.said(replaced), "the first bot saying it was replaced")
    second.until(second.said(CONNECTED), "the second bot connected")
    sim.bind()  # answered by the second bot (its own database): the first did not come back
    assert sum(replaced in line for line in bot.err) == 1
    assert not any(replaced in line for line in second.err)
    assert sum(CONNECTED in line for line in bot.err) == 2
    assert second.stop() == 0 and bot.stop() == 0
    for proc in (bot, second):
        assert "Traceback" not in "".join(proc.err) and SECRET not in "".join(proc.err)


def test_wrong_secret_one_clear_line_and_a_bounded_retry(
        home: Path, tmp_path: Path, procs: list[Proc]) -> None:
    """A bot with the wrong secret says so in one error line naming the variables, retries on
    a growing backoff, and never prints the secret or a traceback."""
    port = free_port()
    _fake, ca = start_fake(procs, home, port, free_port(), tmp_path / "world.jsonl")
    bot = start_bot(procs, home, tmp_path / "bot.db", port, ca, secret="wrong-secret-0000")
    bot.until(bot.said("(attempt 3)"), "a third reconnect")
    assert bot.stop() == 0
    errors = [line for line in bot.err if " ERROR " in line]
    assert len(errors) == 1 and "拒绝了 Bot ID" in errors[0] and SECRET_ENV in errors[0]
    delays = [float(d) for d in re.findall(r"reconnecting to WeCom in ([\d.]+)s",
                                            "".join(bot.err))]
    assert delays[:3] == [1.0, 2.0, 4.0]
    text = "".join(bot.err + bot.out)
    assert "Traceback" not in text and "wrong-secret-0000" not in text
