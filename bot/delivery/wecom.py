"""Delivery through a WeCom group robot (企业微信 群机器人 webhook): push-only, one robot per group.

A group in ``groups.yaml`` may name, in ``wecom_webhook_key_env``, the environment variable that
holds its robot's key; :func:`webhook_for_group` turns that into a :class:`WeComWebhook`, which
implements the :class:`~bot.core.ports.Transport` port for that one robot.

How payloads map onto the robot's message types:

- :class:`TextOut` → ``text`` (2048 bytes of UTF-8 per message; longer text is split on line
  boundaries into several messages, ``mentioned_list`` on the first). With ``markdown=True`` the
  robot sends ``markdown`` instead (4096 bytes; mentions become ``<@id>`` in the content), and
  :meth:`WeComWebhook.send_markdown` sends one markdown text directly whatever the flag says.
- :class:`LinkOut` → ``news`` with one article (title, description, url, picurl).
- :class:`ImageOut` → ``image``: the file's base64 and md5, at most 2 MB (else ``too_large``).
- :class:`FileOut` → ``upload_media`` (multipart), then ``file`` with the media id; at most 20 MB.

The key is a credential: anyone holding it can post into the group. It never appears in logs
(urllib3 prints request URLs at DEBUG, so its loggers get a redacting filter), in errors (requests
puts the URL in exception messages, which are scrubbed and not chained), or in ``repr``.

Pacing: a robot takes at most :attr:`WeComWebhook.PER_MINUTE` messages a minute. ``send`` never
sleeps; the sender paces with :meth:`WeComWebhook.rate` and spends :meth:`WeComWebhook.cost`
tokens per payload (a long text costs one per part).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from bot import logsafe
from bot import messages as msg
from bot.config.models import Group, Rate
from bot.core.messages import FileOut, ImageOut, LinkOut, Payload, Sent, TextOut, payload_to_json
from bot.core.ports import DeliveryError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook"
BASE_URL_ENV = "AGRIBOT_WECOM_BASE_URL"

TEXT_LIMIT = 2048  # bytes of UTF-8, as documented
MARKDOWN_LIMIT = 4096
TITLE_LIMIT = 128  # news fields the service would cut itself; we cut on whole characters
DESCRIPTION_LIMIT = 512
IMAGE_LIMIT = 2 * 1024 * 1024  # before base64
FILE_MIN = 5  # the service refuses files of 5 bytes or fewer
FILE_LIMIT = 20 * 1024 * 1024

RATE_LIMITED = 45009
DEAD_KEY = 93000
# Errcodes about the message itself: sending the same message again fails the same way.
_PERMANENT = {
    40004,  # invalid media type
    40005,  # invalid file type (an image that is not JPG/PNG)
    40008,  # invalid message type
    40058,  # invalid parameter (missing field, content over its byte limit)
    44001,  # empty media data
    44004,  # empty content
    301019,  # image md5 does not match its bytes
}
_TOO_LARGE = {40006, 40009}  # invalid file size, invalid image size
# 40007 (invalid media_id) stays retryable: a retry uploads the file again and gets a fresh id.

_RESUME_SLOTS = 256


class WeComKeyMissing(LookupError):
    """A group names a key variable that is not set. The message names the variable only."""


# Loggers that print request URLs, and so the robot key inside them.
_URL_LOGGERS = ("urllib3.connectionpool", "urllib3.poolmanager", "urllib3.util.retry",
                "requests", __name__)


def key_from_value(value: str) -> str:
    """The robot key in an environment value: the bare key, or a pasted webhook URL holding it."""
    value = value.strip()
    if "key=" in value:
        keys = parse_qs(urlsplit(value).query).get("key") or [""]
        return keys[0].strip()
    return value


class WeComWebhook:
    """A :class:`~bot.core.ports.Transport` for one WeCom group robot.

    ``address`` is ignored (a robot posts only into its own group; pass the group id for the
    logs); ``to_room=False`` is refused, since a robot cannot chat privately. Blocking HTTP runs
    in a worker thread through one :class:`requests.Session`.
    """

    PER_MINUTE = 20  # documented limit per robot; the service answers 45009 beyond it

    def __init__(self, key: str, *, base_url: str | None = None,
                 environ: Mapping[str, str] | None = None, timeout: float = 30.0,
                 markdown: bool = False, label: str = "wecom",
                 session: requests.Session | None = None) -> None:
        if not key or key != key.strip():
            raise ValueError("a WeCom robot key must be a non-empty string without spaces")
        self._key = key
        logsafe.hide(key, *_URL_LOGGERS)
        env = os.environ if environ is None else environ
        self.base_url = (base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.markdown = markdown
        self.label = label
        self._session = session or requests.Session()
        self._lock = threading.Lock()  # one request at a time on the session
        # Parts of a split text already delivered, so a retry resumes instead of repeating them.
        self._progress: OrderedDict[str, int] = OrderedDict()

    def __repr__(self) -> str:
        return f"WeComWebhook(label={self.label!r}, base_url={self.base_url!r})"

    # --- pacing, for the sender ----------------------------------------------------------------

    @classmethod
    def rate(cls) -> Rate:
        """Token-bucket settings that keep every minute within :attr:`PER_MINUTE` messages.

        A bucket lets ``burst + per_minute`` sends into any 60-second window, so the refill is
        one below the limit and the burst is one: 19 + 1 = 20, never 21.
        """
        return Rate(per_minute=cls.PER_MINUTE - 1, burst=1, jitter_seconds=0)

    def cost(self, payload: Payload) -> int:
        """How many robot messages ``payload`` becomes (the sender takes this many tokens)."""
        if isinstance(payload, TextOut):
            return max(1, len(self._text_messages(payload.text, payload.mentions,
                                                  markdown=self.markdown)))
        return 1

    # --- Transport -----------------------------------------------------------------------------

    async def send(self, address: str, payload: Payload, *, to_room: bool = True) -> Sent:
        if not to_room:
            raise DeliveryError("a WeCom group robot cannot send private messages",
                                retryable=False)
        return await asyncio.to_thread(self._send_blocking, address, payload)

    async def send_markdown(self, content: str, mentions: tuple[str, ...] = ()) -> Sent:
        """Send ``content`` as markdown (split at 4096 bytes), whatever ``markdown`` says."""
        return await asyncio.to_thread(self._send_text, self.label, content, mentions, True)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> WeComWebhook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one payload ---------------------------------------------------------------------------

    def _send_blocking(self, address: str, payload: Payload) -> Sent:
        if isinstance(payload, TextOut):
            return self._send_text(address, payload.text, payload.mentions, self.markdown)
        if isinstance(payload, LinkOut):
            article = {"title": _cut(payload.title, TITLE_LIMIT), "url": payload.url,
                       "description": _cut(payload.description, DESCRIPTION_LIMIT),
                       "picurl": payload.thumbnail_url or ""}
            self._post_message({"msgtype": "news", "news": {"articles": [article]}})
            return _sent("news")
        if isinstance(payload, ImageOut):
            data = _read(payload.path, IMAGE_LIMIT, "image")
            image = {"base64": base64.b64encode(data).decode("ascii"),
                     "md5": hashlib.md5(data).hexdigest()}
            self._post_message({"msgtype": "image", "image": image})
            return _sent("image")
        if isinstance(payload, FileOut):
            data = _read(payload.path, FILE_LIMIT, "file")
            media_id = self._upload(payload.name, data)
            self._post_message({"msgtype": "file", "file": {"media_id": media_id}})
            return _sent("file", media_id=media_id)
        raise DeliveryError(f"WeCom cannot send {type(payload).__name__}", retryable=False)

    def _send_text(self, address: str, text: str, mentions: tuple[str, ...],
                   markdown: bool) -> Sent:
        bodies = self._text_messages(text, mentions, markdown=markdown)
        if not bodies:
            raise DeliveryError("empty text: nothing to send", retryable=False)
        token = _progress_token(address, text, mentions, markdown)
        done = self._progress.get(token, 0)
        for index in range(done, len(bodies)):
            self._post_message(bodies[index])
            self._remember(token, index + 1)
        self._progress.pop(token, None)
        msgtype = "markdown" if markdown else "text"
        return _sent(msgtype, parts=len(bodies), resumed_at=done)

    @staticmethod
    def _text_messages(text: str, mentions: tuple[str, ...], *,
                       markdown: bool) -> list[dict[str, Any]]:
        if markdown:
            if mentions:  # markdown has no mentioned_list; <@userid> in the content pings
                text = " ".join(f"<@{m}>" for m in mentions) + "\n" + text
            return [{"msgtype": "markdown", "markdown": {"content": part}}
                    for part in split_utf8(text, MARKDOWN_LIMIT)]
        bodies: list[dict[str, Any]] = []
        for part in split_utf8(text, TEXT_LIMIT):
            body: dict[str, Any] = {"content": part}
            if mentions and not bodies:
                body["mentioned_list"] = list(mentions)
            bodies.append({"msgtype": "text", "text": body})
        return bodies

    def _remember(self, token: str, done: int) -> None:
        self._progress[token] = done
        self._progress.move_to_end(token)
        while len(self._progress) > _RESUME_SLOTS:
            self._progress.popitem(last=False)

    # --- HTTP ----------------------------------------------------------------------------------

    def _post_message(self, body: dict[str, Any]) -> None:
        self._call("send", {}, json=body)
        log.info("wecom %s: sent %s", self.label, body["msgtype"])

    def _upload(self, name: str, data: bytes) -> str:
        answer = self._call("upload_media", {"type": "file"},
                            files={"media": (name, data, "application/octet-stream")})
        media_id = answer.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise DeliveryError("WeCom upload_media answered without a media_id")
        return media_id

    def _call(self, endpoint: str, params: dict[str, str], **body: Any) -> dict[str, Any]:
        """One request; every failure becomes a :class:`DeliveryError` whose text has no key."""
        failure: DeliveryError | None = None
        try:
            with self._lock:
                response = self._session.post(f"{self.base_url}/{endpoint}",
                                              params={"key": self._key, **params},
                                              timeout=self.timeout, **body)
        except requests.Timeout:
            failure = DeliveryError(f"WeCom {endpoint}: timed out after {self.timeout:g}s")
        except requests.RequestException as exc:
            failure = DeliveryError(
                f"WeCom {endpoint}: {type(exc).__name__}: {logsafe.scrub(str(exc))}")
        # Raised outside the except block: the requests exception (URL, key and all) must not
        # ride along as __context__ into tracebacks.
        if failure is not None:
            log.warning("wecom %s: %s", self.label, failure)
            raise failure
        if response.status_code != 200:
            raise self._logged(DeliveryError(f"WeCom {endpoint}: HTTP {response.status_code}"))
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise self._logged(DeliveryError(f"WeCom {endpoint}: answer is not a JSON object"))
        errcode = answer.get("errcode")
        if errcode == 0:
            return answer
        raise self._logged(_classify(endpoint, errcode, logsafe.scrub(str(answer.get("errmsg")))))

    def _logged(self, error: DeliveryError) -> DeliveryError:
        log.warning("wecom %s: %s", self.label, error)
        return error


def _classify(endpoint: str, errcode: object, errmsg: str) -> DeliveryError:
    text = f"WeCom {endpoint}: errcode {errcode}: {errmsg}"
    if errcode == RATE_LIMITED:
        return DeliveryError(text, rate_limited=True)
    if errcode == DEAD_KEY:
        return DeliveryError(f"{text} (the robot key is invalid or the robot was removed)",
                             retryable=False)
    if errcode in _TOO_LARGE:
        return DeliveryError(text, retryable=False, too_large=True)
    if errcode in _PERMANENT:
        return DeliveryError(text, retryable=False)
    return DeliveryError(text)  # -1 system busy and anything unknown: try again later


def _read(path: str, limit: int, what: str) -> bytes:
    try:
        size = Path(path).stat().st_size
        if size > limit:
            raise DeliveryError(f"{what} of {size} bytes is over WeCom's {limit}-byte limit",
                                retryable=False, too_large=True)
        if what == "file" and size <= FILE_MIN:
            raise DeliveryError(f"file of {size} bytes: WeCom needs more than {FILE_MIN}",
                                retryable=False)
        return Path(path).read_bytes()
    except OSError as exc:
        raise DeliveryError(f"cannot read {what} {path}: {exc.strerror}", retryable=False) from None


def _cut(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _sent(msgtype: str, **detail: Any) -> Sent:
    # The robot API returns no message id; ours is only for the outbox's records.
    return Sent(message_id=f"wecom-{uuid.uuid4().hex}", detail={"msgtype": msgtype, **detail})


def _progress_token(address: str, text: str, mentions: tuple[str, ...], markdown: bool) -> str:
    raw = payload_to_json(TextOut(text, mentions)) + f"\0{address}\0{markdown}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def split_utf8(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-8 bytes, cut between lines where possible.

    A line longer than ``limit`` is cut between characters. Blank parts are dropped, so empty or
    whitespace-only text gives ``[]``.
    """
    parts: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        if len((current + line).encode("utf-8")) <= limit:
            current += line
            continue
        if current:
            parts.append(current)
        current = ""
        while len(line.encode("utf-8")) > limit:
            head = _cut(line, limit)
            parts.append(head)
            line = line[len(head):]
        current = line
    if current:
        parts.append(current)
    return [part.rstrip("\r\n") for part in parts if part.strip()]


def webhook_for_group(group: Group, environ: Mapping[str, str] | None = None, *,
                      timeout: float = 30.0, markdown: bool = False,
                      session: requests.Session | None = None) -> WeComWebhook | None:
    """The robot of ``group``, or ``None`` when the group configures none.

    Raises :class:`WeComKeyMissing` when the named variable is unset or empty; the message names
    the group and the variable, never a value. The base URL comes from ``AGRIBOT_WECOM_BASE_URL``
    in ``environ`` when set.
    """
    name = group.wecom_webhook_key_env
    if name is None:
        return None
    env = os.environ if environ is None else environ
    key = key_from_value(env.get(name, ""))
    if not key:
        raise WeComKeyMissing(msg.WECOM_KEY_MISSING.format(group=group.id, env=name))
    return WeComWebhook(key, environ=env, timeout=timeout, markdown=markdown, label=group.id,
                        session=session)
