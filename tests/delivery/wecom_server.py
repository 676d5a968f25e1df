"""A local fake of WeCom's group-robot webhook (企业微信 群机器人), for tests and demos.

A real HTTP server on 127.0.0.1 (port 0, in a thread) that speaks the documented formats of
``群机器人配置说明``:

- ``POST /cgi-bin/webhook/send?key=K`` with a JSON body of ``msgtype`` text, markdown, news,
  image or file and the fields each requires; the answer is always ``{"errcode", "errmsg"}``.
- ``POST /cgi-bin/webhook/upload_media?key=K&type=file`` with a multipart body whose part is named
  ``media`` (with a filename); the answer carries ``type``, ``media_id`` and ``created_at``.

It enforces what the real service enforces and a client has to get right: byte limits on UTF-8
content (text 2048, markdown 4096), the image md5 of the bytes before base64 and the 2 MB image
limit, 1–8 news articles, file sizes between 5 bytes and 20 MB, media ids that belong to the robot
that uploaded them and expire after three days, unknown keys (93000), and 20 messages per minute
per robot on an injectable clock (45009). Every accepted message is recorded in ``messages``.

Usage::

    with WeComServer(keys=["k1"], clock=ManualClock(...)) as server:
        robot = WeComWebhook("k1", base_url=server.base_url)
        ...
        assert server.messages[0].msgtype == "text"
"""

from __future__ import annotations

import base64
import binascii
import email.parser
import email.policy
import hashlib
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.clock import Clock, SystemClock

PREFIX = "/cgi-bin/webhook"
PER_MINUTE = 20
WINDOW = timedelta(minutes=1)
TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096
TITLE_LIMIT = 128
DESCRIPTION_LIMIT = 512
MAX_ARTICLES = 8
IMAGE_LIMIT = 2 * 1024 * 1024
FILE_MIN = 5
FILE_LIMIT = 20 * 1024 * 1024
MEDIA_LIFETIME = timedelta(days=3)
MAX_BODY = 32 * 1024 * 1024  # base64 of a 20 MB file never comes through send; this is headroom

# The errcodes the real service answers with (see its global error-code table).
OK = 0
INVALID_MEDIA_TYPE = 40004
INVALID_FILE_TYPE = 40005
INVALID_FILE_SIZE = 40006
INVALID_MEDIA_ID = 40007
INVALID_MESSAGE_TYPE = 40008
INVALID_IMAGE_SIZE = 40009
INVALID_PARAMETER = 40058
EMPTY_MEDIA = 44001
EMPTY_CONTENT = 44004
RATE_LIMITED = 45009
INVALID_WEBHOOK = 93000
MD5_MISMATCH = 301019

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPG: the only formats allowed


class Rejected(Exception):
    """A request the service answers with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(errmsg)
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True)
class Received:
    """One message the robot accepted and showed in its group."""

    key: str
    msgtype: str
    body: dict[str, Any]  # the msgtype's own object, after the service's truncation
    at: datetime

    @property
    def content(self) -> str:
        return str(self.body.get("content", ""))


@dataclass(frozen=True)
class Upload:
    key: str
    media_id: str
    type: str
    filename: str
    data: bytes
    at: datetime


@dataclass
class _Fault:
    errcode: int | None = None
    errmsg: str = ""
    status: int | None = None
    stall: bool = False


@dataclass
class _State:
    keys: set[str]
    messages: list[Received] = field(default_factory=list)
    uploads: dict[str, Upload] = field(default_factory=dict)
    recent: dict[str, deque[datetime]] = field(default_factory=dict)
    faults: deque[_Fault] = field(default_factory=deque)
    requests: int = 0


class WeComServer:
    """The fake service. Thread-safe; start it with ``with`` (or :meth:`start` / :meth:`stop`)."""

    def __init__(self, keys: Iterable[str] = ("test-robot-key",), *, clock: Clock | None = None,
                 per_minute: int = PER_MINUTE) -> None:
        self.clock: Clock = clock or SystemClock()
        self.per_minute = per_minute
        self._state = _State(keys=set(keys))
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> WeComServer:
        handler = type("Handler", (_Handler,), {"service": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        # A short poll keeps shutdown quick: tests start and stop a server each.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        name="wecom-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # a stalled request must not hold shutdown up
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> WeComServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """What ``WeComWebhook(base_url=...)`` or ``AGRIBOT_WECOM_BASE_URL`` should be set to."""
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    # --- what tests read and steer -------------------------------------------------------------

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._state.messages)

    def received(self, key: str | None = None, msgtype: str | None = None) -> list[Received]:
        return [m for m in self.messages
                if (key is None or m.key == key) and (msgtype is None or m.msgtype == msgtype)]

    @property
    def uploads(self) -> dict[str, Upload]:
        with self._lock:
            return dict(self._state.uploads)

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._state.requests

    def add_key(self, key: str) -> None:
        with self._lock:
            self._state.keys.add(key)

    def revoke_key(self, key: str) -> None:
        """The robot was removed from its group: its key now answers 93000."""
        with self._lock:
            self._state.keys.discard(key)

    def fail_next(self, errcode: int | None = None, errmsg: str = "injected failure", *,
                  status: int | None = None) -> None:
        """Answer the next request with ``errcode`` (HTTP 200) or with HTTP ``status``."""
        with self._lock:
            self._state.faults.append(_Fault(errcode=errcode, errmsg=errmsg, status=status))

    def stall_next(self) -> None:
        """Hold the next request without answering until :meth:`release` (a client timeout)."""
        self._release.clear()
        with self._lock:
            self._state.faults.append(_Fault(stall=True))

    def release(self) -> None:
        self._release.set()

    # --- the service ---------------------------------------------------------------------------

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            self._state.requests += 1
            return self._state.faults.popleft() if self._state.faults else None

    def _check_key(self, query: dict[str, list[str]]) -> str:
        key = (query.get("key") or [""])[0]
        with self._lock:
            if key not in self._state.keys:
                raise Rejected(INVALID_WEBHOOK, "invalid webhook url")
        return key

    def handle_send(self, query: dict[str, list[str]], raw: bytes) -> dict[str, Any]:
        key = self._check_key(query)
        try:
            message = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Rejected(INVALID_PARAMETER, f"invalid json: {exc}") from None
        if not isinstance(message, dict):
            raise Rejected(INVALID_PARAMETER, "body must be a json object")
        msgtype = message.get("msgtype")
        if not isinstance(msgtype, str) or msgtype not in _CHECKS:
            raise Rejected(INVALID_MESSAGE_TYPE, "invalid message type")
        check = _CHECKS[msgtype]
        part = message.get(msgtype)
        if not isinstance(part, dict):
            raise Rejected(INVALID_PARAMETER, f"missing {msgtype} object")
        body = check(self, key, part)
        now = self.clock.now()
        with self._lock:
            recent = self._state.recent.setdefault(key, deque())
            while recent and now - recent[0] >= WINDOW:
                recent.popleft()
            if len(recent) >= self.per_minute:
                raise Rejected(RATE_LIMITED, "api freq out of limit")
            recent.append(now)
            self._state.messages.append(Received(key, msgtype, body, now))
        return {"errcode": OK, "errmsg": "ok"}

    def handle_upload(self, query: dict[str, list[str]], content_type: str,
                      raw: bytes) -> dict[str, Any]:
        key = self._check_key(query)
        kind = (query.get("type") or [""])[0]
        if kind not in ("file", "voice"):
            raise Rejected(INVALID_MEDIA_TYPE, "invalid media type")
        part = _media_part(content_type, raw)
        if part is None:
            raise Rejected(EMPTY_MEDIA, "empty media data")
        filename = part.get_filename() or ""
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes) or not data:
            raise Rejected(EMPTY_MEDIA, "empty media data")
        if not filename:
            raise Rejected(INVALID_PARAMETER, "media part needs a filename")
        if len(data) <= FILE_MIN or len(data) > FILE_LIMIT:
            raise Rejected(INVALID_FILE_SIZE, "invalid file size")
        now = self.clock.now()
        upload = Upload(key, uuid.uuid4().hex + uuid.uuid4().hex[:12], kind, filename, data, now)
        with self._lock:
            self._state.uploads[upload.media_id] = upload
        return {"errcode": OK, "errmsg": "ok", "type": kind, "media_id": upload.media_id,
                "created_at": str(int(now.timestamp()))}


# --- field rules per msgtype ---------------------------------------------------------------------


def _content(part: dict[str, Any], msgtype: str, limit: int) -> str:
    content = part.get("content")
    if not isinstance(content, str) or not content:
        raise Rejected(EMPTY_CONTENT, f"{msgtype} content is empty")
    if len(content.encode("utf-8")) > limit:
        raise Rejected(INVALID_PARAMETER, f"{msgtype}.content exceed max length {limit}")
    return content


def _string_list(part: dict[str, Any], name: str) -> list[str]:
    value = part.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Rejected(INVALID_PARAMETER, f"{name} must be a list of strings")
    return value


def _check_text(_: WeComServer, __: str, part: dict[str, Any]) -> dict[str, Any]:
    return {"content": _content(part, "text", TEXT_LIMIT),
            "mentioned_list": _string_list(part, "mentioned_list"),
            "mentioned_mobile_list": _string_list(part, "mentioned_mobile_list")}


def _check_markdown(_: WeComServer, __: str, part: dict[str, Any]) -> dict[str, Any]:
    return {"content": _content(part, "markdown", MARKDOWN_LIMIT)}


def _truncate(text: str, limit: int) -> str:
    # The service cuts long titles and descriptions itself (documented), on whole characters.
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _check_news(_: WeComServer, __: str, part: dict[str, Any]) -> dict[str, Any]:
    articles = part.get("articles")
    if not isinstance(articles, list) or not 1 <= len(articles) <= MAX_ARTICLES:
        raise Rejected(INVALID_PARAMETER, f"news needs 1 to {MAX_ARTICLES} articles")
    out = []
    for article in articles:
        if not isinstance(article, dict):
            raise Rejected(INVALID_PARAMETER, "article must be an object")
        title, url = article.get("title"), article.get("url")
        if not isinstance(title, str) or not title:
            raise Rejected(INVALID_PARAMETER, "article title is required")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise Rejected(INVALID_PARAMETER, "article url is required")
        description = article.get("description", "")
        picurl = article.get("picurl", "")
        if not isinstance(description, str) or not isinstance(picurl, str):
            raise Rejected(INVALID_PARAMETER, "description and picurl must be strings")
        out.append({"title": _truncate(title, TITLE_LIMIT), "url": url,
                    "description": _truncate(description, DESCRIPTION_LIMIT), "picurl": picurl})
    return {"articles": out}


def _check_image(_: WeComServer, __: str, part: dict[str, Any]) -> dict[str, Any]:
    encoded, md5 = part.get("base64"), part.get("md5")
    if not isinstance(encoded, str) or not encoded or not isinstance(md5, str) or not md5:
        raise Rejected(INVALID_PARAMETER, "image needs base64 and md5")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected(INVALID_PARAMETER, "invalid base64") from None
    if not data or len(data) > IMAGE_LIMIT:
        raise Rejected(INVALID_IMAGE_SIZE, "invalid image size")
    if hashlib.md5(data).hexdigest() != md5.lower():
        raise Rejected(MD5_MISMATCH, "media md5 not match")
    if not data.startswith(_IMAGE_MAGIC):
        raise Rejected(INVALID_FILE_TYPE, "invalid file type: only JPG and PNG")
    return {"data": data, "md5": md5.lower()}


def _check_file(service: WeComServer, key: str, part: dict[str, Any]) -> dict[str, Any]:
    media_id = part.get("media_id")
    if not isinstance(media_id, str) or not media_id:
        raise Rejected(INVALID_MEDIA_ID, "media_id missing")
    upload = service.uploads.get(media_id)
    # A media id is only good for the robot that uploaded it, for three days.
    if (upload is None or upload.key != key
            or service.clock.now() - upload.at > MEDIA_LIFETIME):
        raise Rejected(INVALID_MEDIA_ID, "invalid media_id")
    return {"media_id": media_id, "filename": upload.filename, "data": upload.data}


_CHECKS = {"text": _check_text, "markdown": _check_markdown, "news": _check_news,
           "image": _check_image, "file": _check_file}


def _media_part(content_type: str, raw: bytes) -> EmailMessage | None:
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    if not isinstance(parsed, EmailMessage) or not parsed.is_multipart():
        return None
    for part in parsed.iter_parts():
        if isinstance(part, EmailMessage) and part.get_param(
                "name", header="content-disposition") == "media":
            return part
    return None


# --- HTTP ----------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    service: WeComServer  # set on the per-server subclass
    protocol_version = "HTTP/1.1"  # keep-alive, as requests.Session expects
    disable_nagle_algorithm = True  # headers and body go out separately; no 40 ms ACK waits

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request line holds the key; stay quiet like a good fake should

    def do_GET(self) -> None:
        self._reply(HTTPStatus.METHOD_NOT_ALLOWED, {"errcode": 405, "errmsg": "use POST"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"errcode": 413, "errmsg": "too big"})
            return
        raw = self.rfile.read(length)
        if url.path not in (f"{PREFIX}/send", f"{PREFIX}/upload_media"):
            self._reply(HTTPStatus.NOT_FOUND, {"errcode": 404, "errmsg": "not found"})
            return
        fault = self.service._next_fault()
        if fault is not None:
            if fault.stall:
                self.service._release.wait(timeout=30)
                self.close_connection = True
                return
            if fault.status is not None:
                self._reply(fault.status, {"errcode": fault.status, "errmsg": fault.errmsg})
                return
            self._reply(HTTPStatus.OK, {"errcode": fault.errcode, "errmsg": fault.errmsg})
            return
        try:
            if url.path.endswith("/send"):
                answer = self.service.handle_send(query, raw)
            else:
                answer = self.service.handle_upload(query, self.headers.get("Content-Type", ""),
                                                    raw)
        except Rejected as exc:
            answer = {"errcode": exc.errcode, "errmsg": exc.errmsg}
        self._reply(HTTPStatus.OK, answer)  # WeCom answers errors with HTTP 200 and an errcode

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def wecom_server() -> Iterator[WeComServer]:
    """A started fake with one robot key, ``test-robot-key``, on the wall clock."""
    with WeComServer() as server:
        yield server
