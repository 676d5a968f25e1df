"""``agribot wecom-fake``: what it needs to start, and, as a real process, the lines it prints
for the bot, an SDK connecting with them, and a clean stop that never shows the secret."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot import messages as msg
from bot.cli.main import main
from bot.transport import wecom_protocol as wp
from tests.gateway.test_e2e import Proc, free_port

ID_ENV, SECRET_ENV = "AGRIBOT_TEST_WECOM_ID", "AGRIBOT_TEST_WECOM_SECRET"
BOT_ID, SECRET = "aib-cli-test", "cli-secret-4321"
NONGAN = "room-nongan-junior@chatroom"
TIMEOUT = 30.0


def wecom_home(home: Path) -> Path:
    """The demo home with its account on WeCom."""
    bot_yaml = home / "config" / "bot.yaml"
    config = yaml.safe_load(bot_yaml.read_text("utf-8"))
    config["accounts"][0]["transport"] = "wecom"
    config["accounts"][0]["wecom"] = {"bot_id_env": ID_ENV, "secret_env": SECRET_ENV}
    bot_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return home


def test_it_needs_a_wecom_account(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without an account of transport wecom, or with an unknown one, it says so and exits 2."""
    assert main(["wecom-fake", "--home", str(demo_copy)]) == 2
    assert msg.WECOM_FAKE_NO_ACCOUNT in capsys.readouterr().err
    assert main(["wecom-fake", "--home", str(demo_copy), "--account", "jilin-kexie"]) == 2
    assert "jilin-kexie" in capsys.readouterr().err
    assert main(["wecom-fake", "--home", str(demo_copy), "--account", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err


def test_it_names_the_missing_variables(demo_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The bot id and secret come from the account's variables; missing ones are named."""
    monkeypatch.delenv(ID_ENV, raising=False)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    assert main(["wecom-fake", "--home", str(wecom_home(demo_copy))]) == 2
    err = capsys.readouterr().err
    assert ID_ENV in err and SECRET_ENV not in err and SECRET not in err


@pytest.mark.e2e
def test_the_process_serves_an_sdk(demo_copy: Path, tmp_path: Path) -> None:
    """Started as a process, it prints where to connect and what to trust; the SDK subscribes
    with those, a member's @ reaches it and its reply shows in the group; SIGTERM stops it
    cleanly, and the secret appears in none of its output."""
    home = wecom_home(demo_copy)
    env = {**os.environ, ID_ENV: BOT_ID, SECRET_ENV: SECRET}
    proc = Proc(["wecom-fake", "--home", str(home), "--port", "0", "--sim-port", str(free_port()),
                 "--journal", str(tmp_path / "world.jsonl")], env)
    try:
        proc.until(proc.said(wp.CA_FILE_ENV, stream="out"), "the exports", TIMEOUT)
        proc.until(proc.said("http://127.0.0.1:", stream="out"), "the simulator", TIMEOUT)
        out = "".join(proc.out)
        url = re.search(rf"export {wp.WS_URL_ENV}=(\S+)", out)
        ca = re.search(rf"export {wp.CA_FILE_ENV}=(\S+)", out)
        sim = re.search(r"(http://127\.0\.0\.1:\d+/)", out)
        assert url and ca and sim and url.group(1).startswith("wss://127.0.0.1:")
        asyncio.run(_converse(url.group(1), ca.group(1), sim.group(1)))
    finally:
        code = proc.stop()
    assert code == 0
    assert msg.WECOM_FAKE_STOPPING in "".join(proc.out)
    assert SECRET not in "".join(proc.out + proc.err)
    assert BOT_ID not in "".join(proc.err)


async def _converse(url: str, ca: str, sim: str) -> None:
    wp.trust_certificate(ca)
    sdk = wp.WSClient(wp.WSClientOptions(bot_id=BOT_ID, secret=SECRET, ws_url=url,
                                         max_reconnect_attempts=0, logger=_Quiet()))
    loop = asyncio.get_running_loop()
    authenticated: asyncio.Future[None] = loop.create_future()
    texts: asyncio.Future[dict[str, object]] = loop.create_future()
    sdk.on("error", lambda _error: None)
    sdk.on("authenticated", lambda: authenticated.done() or authenticated.set_result(None))
    sdk.on("message.text", lambda frame: texts.done() or texts.set_result(frame))
    await sdk.connect()
    await asyncio.wait_for(authenticated, TIMEOUT)
    async with aiohttp.ClientSession(base_url=sim) as http:
        async with http.get("/api/rooms") as rooms:
            room = next(r for r in await rooms.json() if r["id"] == NONGAN)
        bot = next(m for m in room["members"] if m["role"] == "bot")
        tech = next(m for m in room["members"] if m["role"] == "member")
        async with http.post(f"/api/rooms/{NONGAN}/messages",
                             json={"from": tech["id"], "text": f"@{bot['name']} #帮助"}):
            pass
        frame = await asyncio.wait_for(texts, TIMEOUT)
        assert frame["body"]["chattype"] == "group"  # type: ignore[index]
        await sdk.reply_stream(frame, "s1", "**帮助**", finish=True)
        async with http.get(f"/api/rooms/{NONGAN}/messages") as said:
            assert (await said.json())[-1]["text"] == "**帮助**"
    sdk.disconnect()


class _Quiet:
    def debug(self, message: str, *args: object) -> None: ...
    def info(self, message: str, *args: object) -> None: ...
    def warn(self, message: str, *args: object) -> None: ...
    def error(self, message: str, *args: object) -> None: ...
