"""WeCom group-robot delivery against the local fake service (tests/delivery/wecom_server.py)."""

from __future__ import annotations

import base64
import hashlib
import logging
import socket
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from bot.clock import ManualClock
from bot.config.models import Group
from bot.core.messages import FileOut, ImageOut, LinkOut, TextOut
from bot.core.ports import DeliveryError
from bot.delivery.wecom import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    WeComKeyMissing,
    WeComWebhook,
    split_utf8,
    webhook_for_group,
)
from bot.domain import Tier
from tests.delivery.wecom_server import WeComServer

KEY = "693a91f6-7e2b-4bc4-97a0-0ec2aafa5aaa"
START = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def server(clock: ManualClock) -> Iterator[WeComServer]:
    with WeComServer(keys=[KEY], clock=clock) as fake:
        yield fake


@pytest.fixture
def robot(server: WeComServer) -> Iterator[WeComWebhook]:
    with WeComWebhook(KEY, base_url=server.base_url, timeout=5, label="jilin-senior") as hook:
        yield hook


def _png(path: Path, extra: int = 0) -> Path:
    """A real 1x1 PNG, padded with ``extra`` bytes in an ancillary chunk to reach a size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x30\x90\x30")
    body = chunk(b"IHDR", header) + (chunk(b"tEXt", b"x" * extra) if extra else b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def _group(env: str | None) -> Group:
    return Group(id="jilin-senior", name="吉林省高级农技师工作群", tier=Tier.SENIOR,
                 region="jilin", account="jilin-kexie", wecom_webhook_key_env=env)


# --- message types -------------------------------------------------------------------------------


async def test_text_arrives_with_mentions(server: WeComServer, robot: WeComWebhook) -> None:
    """A TextOut becomes one text message whose mentioned_list holds the mentions."""
    payload = TextOut("今天推送：大棚黄瓜霜霉病防治", ("zhangsan", "@all"))
    sent = await robot.send("jilin-senior", payload, to_room=True)
    [message] = server.messages
    assert message.key == KEY and message.msgtype == "text"
    assert message.content == "今天推送：大棚黄瓜霜霉病防治"
    assert message.body["mentioned_list"] == ["zhangsan", "@all"]
    assert sent.detail == {"msgtype": "text", "parts": 1, "resumed_at": 0}


async def test_long_text_is_split_on_lines(server: WeComServer, robot: WeComWebhook) -> None:
    """Text over 2048 bytes arrives as several ≤2048-byte messages cut between lines."""
    lines = [f"第{i}条：玉米螟防治要点，注意用药间隔和安全期。" for i in range(120)]
    text = "\n".join(lines)
    assert len(text.encode()) > 3 * 2048
    payload = TextOut(text, ("lisi",))
    sent = await robot.send("g", payload, to_room=True)
    parts = server.received(msgtype="text")
    assert len(parts) == sent.detail["parts"] == robot.cost(payload) >= 4
    assert all(len(p.content.encode("utf-8")) <= 2048 for p in parts)
    assert "\n".join(p.content for p in parts) == text  # nothing lost, every cut at a newline
    assert [p.body["mentioned_list"] for p in parts] == [["lisi"]] + [[]] * (len(parts) - 1)


def test_split_cuts_an_overlong_line_between_characters() -> None:
    """A single line over the limit is cut on UTF-8 character boundaries, losing nothing."""
    line = "稻瘟病" * 1000  # 9000 bytes, no newline
    parts = split_utf8(line, 2048)
    assert "".join(parts) == line
    assert all(len(p.encode("utf-8")) <= 2048 for p in parts)
    assert split_utf8(" \n\n", 2048) == []


async def test_markdown_flag_and_method(server: WeComServer) -> None:
    """markdown=True sends TextOut as markdown with <@id> mentions; send_markdown always does."""
    with WeComWebhook(KEY, base_url=server.base_url, markdown=True) as hook:
        await hook.send("g", TextOut("**本周课程**\n> 食用菌栽培", ("wangwu",)), to_room=True)
    with WeComWebhook(KEY, base_url=server.base_url) as plain:
        await plain.send_markdown("# 周报\n" + "- 签到 120 人\n" * 400)
    first, *report = server.messages
    assert first.msgtype == "markdown"
    assert first.content == "<@wangwu>\n**本周课程**\n> 食用菌栽培"
    assert len(report) == 2 and all(m.msgtype == "markdown" for m in report)
    assert all(2048 < len(m.content.encode()) <= 4096 for m in report[:1])


async def test_link_becomes_news(server: WeComServer, robot: WeComWebhook) -> None:
    """A LinkOut becomes a news message with one article; an overlong title is cut whole-char."""
    title = "肉牛养殖" * 20  # 240 bytes
    await robot.send("g", LinkOut(title=title, url="https://example.org/v/12",
                                  description="吉林农业大学 张教授主讲", thumbnail_url="https://example.org/t.png"),
                     to_room=True)
    [message] = server.messages
    [article] = message.body["articles"]
    assert message.msgtype == "news"
    assert article["url"] == "https://example.org/v/12"
    assert article["description"] == "吉林农业大学 张教授主讲"
    assert article["picurl"] == "https://example.org/t.png"
    assert title.startswith(article["title"]) and len(article["title"].encode()) == 126


async def test_image_arrives_with_verified_md5(server: WeComServer, robot: WeComWebhook,
                                               tmp_path: Path) -> None:
    """An ImageOut arrives as base64 whose md5 the service checked against the bytes."""
    image = _png(tmp_path / "chart.png", extra=300)
    await robot.send("g", ImageOut(str(image)), to_room=True)
    [message] = server.messages
    assert message.msgtype == "image"
    assert message.body["data"] == image.read_bytes()
    assert message.body["md5"] == hashlib.md5(image.read_bytes()).hexdigest()


def test_service_rejects_a_wrong_md5(server: WeComServer, tmp_path: Path) -> None:
    """The fake answers 301019 when the md5 is not that of the decoded image."""
    data = _png(tmp_path / "a.png").read_bytes()
    answer = requests.post(f"{server.base_url}/send", params={"key": KEY}, timeout=5, json={
        "msgtype": "image",
        "image": {"base64": base64.b64encode(data).decode(), "md5": "0" * 32}}).json()
    assert answer["errcode"] == 301019
    assert server.messages == []


async def test_image_over_2mb_is_too_large(server: WeComServer, robot: WeComWebhook,
                                           tmp_path: Path) -> None:
    """An image over 2 MB is refused as too_large before anything is sent."""
    image = _png(tmp_path / "big.png", extra=2 * 1024 * 1024)
    with pytest.raises(DeliveryError) as caught:
        await robot.send("g", ImageOut(str(image)), to_room=True)
    assert caught.value.too_large and not caught.value.retryable
    assert server.request_count == 0


async def test_file_is_uploaded_then_sent(server: WeComServer, robot: WeComWebhook,
                                          tmp_path: Path) -> None:
    """A FileOut is uploaded (multipart, its name kept) and then sent by its media id."""
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4 " + "日光温室建造技术规范".encode() * 50)
    sent = await robot.send("g", FileOut(str(path), "日光温室建造技术规范.pdf"), to_room=True)
    [upload] = server.uploads.values()
    [message] = server.messages
    assert upload.filename == "日光温室建造技术规范.pdf" and upload.type == "file"
    assert upload.data == path.read_bytes()
    assert message.msgtype == "file" and message.body["media_id"] == upload.media_id
    assert sent.detail["media_id"] == upload.media_id


async def test_file_over_20mb_is_too_large(server: WeComServer, robot: WeComWebhook,
                                           tmp_path: Path) -> None:
    """A file over 20 MB is too_large (so the sender falls back to its link) and is not sent."""
    path = tmp_path / "video.mp4"
    with path.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(DeliveryError) as caught:
        await robot.send("g", FileOut(str(path), "video.mp4"), to_room=True)
    assert caught.value.too_large
    assert server.request_count == 0


# --- errors --------------------------------------------------------------------------------------


async def test_21st_message_in_a_minute_is_rate_limited(server: WeComServer, robot: WeComWebhook,
                                                        clock: ManualClock) -> None:
    """The service takes 20 messages a minute; the 21st is 45009, i.e. rate_limited."""
    for i in range(20):
        await robot.send("g", TextOut(f"第{i}条"), to_room=True)
        clock.advance(1)
    with pytest.raises(DeliveryError) as caught:
        await robot.send("g", TextOut("第21条"), to_room=True)
    assert caught.value.rate_limited and caught.value.retryable
    assert "45009" in str(caught.value)
    clock.advance(40)  # the first message is now a minute old
    await robot.send("g", TextOut("第21条"), to_room=True)
    assert len(server.messages) == 21


async def test_split_text_resumes_after_rate_limit(clock: ManualClock) -> None:
    """A split text cut short by 45009 resumes at the unsent part: no part arrives twice."""
    with WeComServer(keys=[KEY], clock=clock, per_minute=2) as fake, \
            WeComWebhook(KEY, base_url=fake.base_url) as hook:
        text = "\n".join(["鸡新城疫免疫程序说明" * 60] * 3)  # three parts of ~1800 bytes
        with pytest.raises(DeliveryError) as caught:
            await hook.send("g", TextOut(text), to_room=True)
        assert caught.value.rate_limited and len(fake.messages) == 2
        clock.advance(60)
        sent = await hook.send("g", TextOut(text), to_room=True)
        assert sent.detail["resumed_at"] == 2
        assert "\n".join(m.content for m in fake.messages) == text


async def test_unknown_key_is_permanent(server: WeComServer) -> None:
    """A key the service does not know (93000) is a permanent error."""
    with WeComWebhook("dead-beef-key", base_url=server.base_url) as hook, \
            pytest.raises(DeliveryError) as caught:
        await hook.send("g", TextOut("测试"), to_room=True)
    assert not caught.value.retryable and not caught.value.rate_limited
    assert "93000" in str(caught.value)


async def test_revoked_key_is_permanent(server: WeComServer, robot: WeComWebhook) -> None:
    """A robot removed from its group answers 93000 from then on."""
    await robot.send("g", TextOut("第一条"), to_room=True)
    server.revoke_key(KEY)
    with pytest.raises(DeliveryError) as caught:
        await robot.send("g", TextOut("第二条"), to_room=True)
    assert not caught.value.retryable


@pytest.mark.parametrize(("fault", "retryable"), [
    ({"errcode": -1, "errmsg": "system busy"}, True),
    ({"status": 502}, True),
    ({"errcode": 40008, "errmsg": "invalid message type"}, False),
])
async def test_errcodes_and_http_errors(server: WeComServer, robot: WeComWebhook,
                                        fault: dict[str, object], retryable: bool) -> None:
    """System busy and HTTP errors are retryable; an invalid message is not."""
    server.fail_next(**fault)  # type: ignore[arg-type]
    with pytest.raises(DeliveryError) as caught:
        await robot.send("g", TextOut("测试"), to_room=True)
    assert caught.value.retryable is retryable and not caught.value.rate_limited


async def test_timeout_is_retryable(server: WeComServer) -> None:
    """A service that does not answer in time gives a retryable error."""
    server.stall_next()
    with WeComWebhook(KEY, base_url=server.base_url, timeout=0.2) as hook, \
            pytest.raises(DeliveryError) as caught:
        await hook.send("g", TextOut("测试"), to_room=True)
    server.release()
    assert caught.value.retryable and "timed out" in str(caught.value)


async def test_private_chat_is_refused(robot: WeComWebhook) -> None:
    """A robot cannot message a person: to_room=False is a permanent error."""
    with pytest.raises(DeliveryError) as caught:
        await robot.send("wxid_abc", TextOut("你好"), to_room=False)
    assert not caught.value.retryable


# --- the key stays secret ------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_key_never_in_errors_or_logs(server: WeComServer, caplog: pytest.LogCaptureFixture,
                                           tmp_path: Path) -> None:
    """Neither exception messages nor any log record (urllib3's URLs included) hold the key."""
    caplog.set_level(logging.DEBUG)
    errors: list[DeliveryError] = []
    base_urls = [f"http://127.0.0.1:{_closed_port()}/cgi-bin/webhook", server.base_url]
    server.fail_next(-1, f"echo of a bad gateway that quotes the url key={KEY}")
    for base_url in base_urls:
        with WeComWebhook(KEY, base_url=base_url, timeout=5) as hook:
            try:
                await hook.send("g", TextOut("测试"), to_room=True)
            except DeliveryError as exc:
                errors.append(exc)
    with WeComWebhook(KEY, base_url=server.base_url) as hook:
        await hook.send("g", TextOut("ok"), to_room=True)
    assert len(errors) == 2
    assert "ConnectionError" in str(errors[0])  # requests' own message names the URL...
    for error in errors:
        assert KEY not in str(error) and error.__cause__ is None
        assert error.__context__ is None or error.__suppress_context__
    assert any("urllib3" in r.name for r in caplog.records)  # ...and urllib3 logged URLs
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "***" in logged and KEY not in logged
    with WeComWebhook(KEY) as idle:
        assert KEY not in repr(idle)


# --- configuration -------------------------------------------------------------------------------


def test_webhook_for_group_reads_the_named_variable(server: WeComServer) -> None:
    """The key comes from the variable the group names; the base URL from AGRIBOT_WECOM_BASE_URL."""
    environ = {"AGRIBOT_WECOM_KEY_JILIN": KEY, BASE_URL_ENV: server.base_url}
    hook = webhook_for_group(_group("AGRIBOT_WECOM_KEY_JILIN"), environ)
    assert hook is not None and hook.base_url == server.base_url and hook.label == "jilin-senior"
    pasted = {"K": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"}
    from_url = webhook_for_group(_group("K"), pasted)
    assert from_url is not None and from_url.base_url == DEFAULT_BASE_URL
    assert webhook_for_group(_group(None), environ) is None


async def test_webhook_for_group_sends_with_the_key(server: WeComServer) -> None:
    """A robot built from the environment posts with its key."""
    environ = {"K": f"  {KEY}\n", BASE_URL_ENV: server.base_url}
    hook = webhook_for_group(_group("K"), environ)
    assert hook is not None
    await hook.send("jilin-senior", TextOut("通知"), to_room=True)
    assert [m.key for m in server.messages] == [KEY]


@pytest.mark.parametrize("environ", [{}, {"AGRIBOT_WECOM_KEY_JILIN": "   "}])
def test_missing_variable_is_a_clear_error(environ: dict[str, str]) -> None:
    """An unset or blank key variable raises an error naming the group and the variable."""
    with pytest.raises(WeComKeyMissing) as caught:
        webhook_for_group(_group("AGRIBOT_WECOM_KEY_JILIN"), environ)
    assert "AGRIBOT_WECOM_KEY_JILIN" in str(caught.value) and "jilin-senior" in str(caught.value)


def test_pacing_settings() -> None:
    """The suggested bucket lets at most 20 messages into any minute (burst + refill)."""
    rate = WeComWebhook.rate()
    assert WeComWebhook.PER_MINUTE == 20
    assert rate.burst + rate.per_minute == 20 and rate.burst == 1


# --- the fake's own rules ------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "errcode"), [
    ({"msgtype": "text", "text": {"content": "字" * 683}}, 40058),  # 2049 bytes
    ({"msgtype": "markdown", "markdown": {"content": "a" * 4097}}, 40058),
    ({"msgtype": "text", "text": {"content": ""}}, 44004),
    ({"msgtype": "voice", "voice": {}}, 40008),
    ({"text": {"content": "x"}}, 40008),
    ({"msgtype": "news", "news": {"articles": []}}, 40058),
    ({"msgtype": "news", "news": {"articles": [{"title": "t"}]}}, 40058),
    ({"msgtype": "file", "file": {"media_id": "nope"}}, 40007),
])
def test_service_rejects_invalid_messages(server: WeComServer, body: dict[str, object],
                                          errcode: int) -> None:
    """The fake answers documented errcodes for invalid messages and records none of them."""
    answer = requests.post(f"{server.base_url}/send", params={"key": KEY}, json=body,
                           timeout=5).json()
    assert answer["errcode"] == errcode
    assert server.messages == []


def test_service_media_ids_belong_to_their_robot(server: WeComServer, clock: ManualClock) -> None:
    """A media id works only for the robot that uploaded it, and only for three days."""
    server.add_key("other")
    upload = requests.post(f"{server.base_url}/upload_media", params={"key": KEY, "type": "file"},
                           files={"media": ("a.txt", b"hello world")}, timeout=5).json()
    assert upload["errcode"] == 0 and upload["type"] == "file"
    body = {"msgtype": "file", "file": {"media_id": upload["media_id"]}}
    other = requests.post(f"{server.base_url}/send", params={"key": "other"}, json=body,
                          timeout=5).json()
    assert other["errcode"] == 40007
    clock.advance(3 * 86400 + 1)
    late = requests.post(f"{server.base_url}/send", params={"key": KEY}, json=body,
                         timeout=5).json()
    assert late["errcode"] == 40007
    tiny = requests.post(f"{server.base_url}/upload_media", params={"key": KEY, "type": "file"},
                         files={"media": ("b.txt", b"abc")}, timeout=5).json()
    assert tiny["errcode"] == 40006
