"""The WeCom 智能机器人 long-connection protocol, and every quirk of its official SDK, in one place.

The only module that imports ``aibot`` (Tencent's ``wecom-aibot-python-sdk``). The bot's
``wecom`` transport drives the SDK's ``WSClient`` unmodified; ``agribot wecom-fake`` speaks the
server side of the same protocol. Both take their names and shapes from here, and
``tests/transport/test_wecom_protocol.py`` pins each assumption against the SDK itself, so an
upgrade that changes one fails a test instead of a conversation.

The protocol (one JSON object per WebSocket text frame, ``{"cmd", "headers": {"req_id"},
"body"}``):

- client → server: ``aibot_subscribe`` (body ``{"bot_id", "secret"}``) once per connection;
  ``ping`` (no body) every ``heartbeat_interval``; ``aibot_respond_msg`` with the ``req_id`` of
  the callback it answers (body ``{"msgtype": "stream", "stream": {"id", "finish",
  "content"}}``, markdown content); ``aibot_send_msg`` with its own ``req_id`` (body
  ``{"chatid", "msgtype": "markdown"|"template_card", ...}``).
- server → client: an ack for each of those, ``{"headers": {"req_id"}, "errcode", "errmsg"}``
  without ``cmd``; ``aibot_msg_callback`` frames (a message to the bot: body ``{"msgid",
  "aibotid", "chatid" (groups only), "chattype": "single"|"group", "from": {"userid"},
  "msgtype", "<msgtype>": {...}, "quote"?}``) and ``aibot_event_callback`` frames (body
  ``{"msgid", "create_time", "aibotid", "from", "msgtype": "event", "event": {"eventtype"}}``).
- one live connection per bot: a new subscription sends the old connection a
  ``disconnected_event`` and closes it.
- media (image, file, voice, video) arrive as ``{"url", "aeskey"}``: the URL serves the bytes
  AES-256-CBC encrypted with that message's own key (:func:`encrypt_media`).

Quirks of SDK 1.0.2, each pinned by a test:

1. ``aibot.__version__`` says 1.0.0; the distribution is 1.0.2 (:data:`SDK_VERSION`, read from
   the installed metadata).
2. Importing ``aibot`` under websockets >= 14 warns that ``WebSocketClientProtocol`` and
   ``websockets.legacy`` are deprecated (the class is only a type hint there; ``connect`` is the
   new implementation): imported here under a filter for those two messages only.
3. It only speaks ``wss://``: it hands its certifi SSL context to ``websockets.connect`` for every
   URL, and websockets refuses one for ``ws://``. A local server must serve TLS, and the client
   must trust its certificate: :func:`trust_certificate` adds a PEM to the SDK's two contexts
   (the socket's and the media download's), named by :data:`CA_FILE_ENV`.
4. It does not know ``disconnected_event``: it emits ``event.disconnected_event``, and when the
   server then closes the socket it reconnects, taking the connection back from the new holder.
   A client that is replaced must call ``WSClient.disconnect()`` in that event's handler.
5. A refused subscription only emits ``error`` (``Authentication failed: <errmsg> (code: N)``);
   the server closes the socket and the SDK reconnects with backoff, up to
   ``max_reconnect_attempts``: the caller bounds the retries.
6. Acks are matched by ``req_id``: a nonzero ``errcode`` makes the awaited call raise
   ``RuntimeError("Reply ack error: errcode=N, ...")``, no ack within 5 s ``TimeoutError``, and
   a socket that closes with replies pending ``RuntimeError`` for each. Replies to one
   ``req_id`` are sent one at a time, each after the previous one's ack.
7. Callback frames whose body has no ``msgtype`` are dropped with a warning (events carry
   ``"msgtype": "event"``). Acks are recognised by ``req_id`` prefix: the server echoes the
   client's ``req_id`` (``aibot_subscribe_…``, ``ping_…``).
8. Its default logger prints to stderr, frames at DEBUG: the bot passes a logger of its own.
9. A close with code 1000 or 1001 ends its receive loop silently (websockets ends ``async for``
   on a normal closure): no ``disconnected`` event and no reconnect, and the heartbeat then
   fails on the closed socket until it stops, again without reconnecting; replies awaiting
   their acks fail only by their 5-s timeout. Only other codes (or
   a broken connection) make it reconnect. So the fake closes with :data:`CLOSE_POLICY` or
   :data:`CLOSE_RESTART`, and a client must not count on the SDK noticing every close.
10. ``WSClient`` is a pyee emitter: an ``error`` emitted with no listener raises inside the
    SDK's own task (a refused subscription, "Max reconnect attempts exceeded"), where nobody
    sees it: a client always listens for ``error``.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

with warnings.catch_warnings():  # quirk 2
    for deprecated in (r"websockets\.client\.WebSocketClientProtocol is deprecated",
                       r"websockets\.legacy is deprecated"):
        warnings.filterwarnings("ignore", message=deprecated, category=DeprecationWarning)
    import aibot
    from aibot import WSClient, WSClientOptions, decrypt_file, generate_req_id
    from aibot import api as _sdk_api
    from aibot import ws as _sdk_ws

__all__ = [
    "WSClient", "WSClientOptions", "decrypt_file", "generate_req_id",
]

SDK_DISTRIBUTION: Final = "wecom-aibot-python-sdk"
SDK_PINNED: Final = "1.0.2"  # pyproject pins it; quirks below were read in this version
SDK_VERSION: Final = metadata.version(SDK_DISTRIBUTION)  # quirk 1: not aibot.__version__
SDK_MODULE_VERSION: Final = str(aibot.__version__)

DEFAULT_WS_URL: Final = "wss://openws.work.weixin.qq.com"
WS_URL_ENV: Final = "AGRIBOT_WECOM_WS_URL"  # another server (the fake) instead of Tencent's
CA_FILE_ENV: Final = "AGRIBOT_WECOM_CA_FILE"  # a PEM the SDK trusts besides certifi's (quirk 3)

# --- commands ------------------------------------------------------------------------------------

SUBSCRIBE: Final = "aibot_subscribe"
PING: Final = "ping"
RESPOND_MSG: Final = "aibot_respond_msg"
RESPOND_WELCOME: Final = "aibot_respond_welcome_msg"
RESPOND_UPDATE: Final = "aibot_respond_update_msg"
SEND_MSG: Final = "aibot_send_msg"
MSG_CALLBACK: Final = "aibot_msg_callback"
EVENT_CALLBACK: Final = "aibot_event_callback"
CLIENT_COMMANDS: Final = frozenset({SUBSCRIBE, PING, RESPOND_MSG, RESPOND_WELCOME,
                                    RESPOND_UPDATE, SEND_MSG})

# --- events (body.event.eventtype) ---------------------------------------------------------------

ENTER_CHAT: Final = "enter_chat"  # a person opens the private chat (first time that day)
TEMPLATE_CARD_EVENT: Final = "template_card_event"
FEEDBACK_EVENT: Final = "feedback_event"
DISCONNECTED_EVENT: Final = "disconnected_event"  # this connection was replaced by a newer one
EVENT_MSGTYPE: Final = "event"

# --- messages ------------------------------------------------------------------------------------

SINGLE: Final = "single"
GROUP: Final = "group"
TEXT: Final = "text"
MIXED: Final = "mixed"  # body.mixed.msg_item: [{"msgtype": "text"|"image", ...}]
IMAGE: Final = "image"
VOICE: Final = "voice"  # body.voice.content: the platform's transcription (private chat only)
FILE: Final = "file"
VIDEO: Final = "video"
MEDIA_TYPES: Final = frozenset({IMAGE, FILE, VIDEO})  # {"url", "aeskey"}
STREAM: Final = "stream"
MARKDOWN: Final = "markdown"
TEMPLATE_CARD: Final = "template_card"
STREAM_CONTENT_LIMIT: Final = 20480  # bytes of UTF-8 in one stream reply

# --- error codes ---------------------------------------------------------------------------------
# The long-connection documentation names no codes of its own; these are WeCom's general codes
# for the same conditions, which the fake returns. A client relies on errcode != 0 and on
# RETRYABLE, never on one number.

OK: Final = 0
BUSY: Final = -1  # 系统繁忙
INVALID_SECRET: Final = 40001  # bot id and secret do not match (the message names neither)
BAD_FRAME: Final = 40058  # not JSON, no cmd or req_id, a body of the wrong shape
NOT_SUBSCRIBED: Final = 40014  # a command before a successful aibot_subscribe
UNKNOWN_REQ_ID: Final = 40059  # a reply to a req_id that is no callback awaiting one
UNKNOWN_CHAT: Final = 86003  # aibot_send_msg to a chat the bot is not in
RATE_LIMITED: Final = 45009  # 接口调用超过限制
RETRYABLE: Final = frozenset({BUSY, RATE_LIMITED})

# --- close codes the fake sends (quirk 9: 1000 and 1001 would leave the SDK silently closed) ----

CLOSE_POLICY: Final = 1008  # after a refused subscription, or after disconnected_event
CLOSE_RESTART: Final = 1012  # the server is stopping and will be back (service restart)

# --- frames --------------------------------------------------------------------------------------

Frame = dict[str, Any]


class BadFrame(ValueError):
    """A frame that is not a JSON object with a ``headers.req_id`` string."""


def frame(cmd: str, req_id: str, body: Any = None) -> Frame:
    out: Frame = {"cmd": cmd, "headers": {"req_id": req_id}}
    if body is not None:
        out["body"] = body
    return out


def ack(req_id: str, errcode: int = OK, errmsg: str = "ok") -> Frame:
    """The server's answer to a client command: no ``cmd``, the command's own ``req_id``."""
    return {"headers": {"req_id": req_id}, "errcode": errcode, "errmsg": errmsg}


def parse(raw: str | bytes) -> Frame:
    """One received frame, checked for the envelope every frame has."""
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadFrame("not JSON") from None
    if not isinstance(value, dict):
        raise BadFrame("not a JSON object")
    headers = value.get("headers")
    if not isinstance(headers, dict) or not isinstance(headers.get("req_id"), str) \
            or not headers["req_id"]:
        raise BadFrame("no headers.req_id")
    if "cmd" in value and not isinstance(value["cmd"], str):
        raise BadFrame("cmd is not a string")
    return value


def req_id(f: Frame) -> str:
    return str(f.get("headers", {}).get("req_id", ""))


def message_body(*, msgid: str, aibotid: str, chattype: str, userid: str, msgtype: str,
                 content: dict[str, Any], chatid: str | None = None,
                 quote: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of an ``aibot_msg_callback``: ``content`` goes under the ``msgtype`` key."""
    body: dict[str, Any] = {"msgid": msgid, "aibotid": aibotid, "chattype": chattype,
                            "from": {"userid": userid}, "msgtype": msgtype, msgtype: content}
    if chatid is not None:
        body["chatid"] = chatid
    if quote is not None:
        body["quote"] = quote
    return body


def event_body(*, msgid: str, aibotid: str, eventtype: str, create_time: int,
               userid: str = "", chatid: str | None = None, chattype: str | None = None,
               **event: Any) -> dict[str, Any]:
    """The body of an ``aibot_event_callback``."""
    body: dict[str, Any] = {"msgid": msgid, "create_time": create_time, "aibotid": aibotid,
                            "from": {"userid": userid}, "msgtype": EVENT_MSGTYPE,
                            "event": {"eventtype": eventtype, **event}}
    if chatid is not None:
        body["chatid"] = chatid
    if chattype is not None:
        body["chattype"] = chattype
    return body


# --- media encryption ----------------------------------------------------------------------------

AES_KEY_BYTES: Final = 32
PAD_BLOCK: Final = 32  # WeCom pads to 32-byte blocks (PKCS#7 with k = 32), as its crypto libs do


def new_aes_key() -> str:
    """A fresh per-message key as messages carry it: base64 of 32 bytes, without the ``=``."""
    return base64.b64encode(os.urandom(AES_KEY_BYTES)).decode().rstrip("=")


def _key(aeskey: str) -> bytes:
    key = base64.b64decode(aeskey + "=" * (-len(aeskey) % 4))
    if len(key) != AES_KEY_BYTES:
        raise ValueError("an aeskey is 32 bytes in base64")
    return key


def encrypt_media(data: bytes, aeskey: str) -> bytes:
    """What a media URL serves: AES-256-CBC, the IV the key's first 16 bytes, PKCS#7 padding to
    32 bytes. :func:`decrypt_file` (the SDK's) is the inverse."""
    key = _key(aeskey)
    pad = PAD_BLOCK - len(data) % PAD_BLOCK
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()


def decrypt_media(data: bytes, aeskey: str) -> bytes:
    """The SDK's own decryption (what ``WSClient.download_file`` does after downloading)."""
    result: bytes = decrypt_file(data, aeskey)
    return result


# --- the client's trust (quirk 3) ----------------------------------------------------------------


def sdk_contexts() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """The SDK's SSL contexts: the WebSocket's and the media download's."""
    return _sdk_ws._SSL_CONTEXT, _sdk_api._SSL_CONTEXT


def trust_certificate(cafile: str | Path) -> None:
    """Make the SDK also trust the certificate(s) in ``cafile`` (a local server's), for the
    socket and for media downloads. The SDK's code is unchanged; its contexts learn one more
    root. Raises ``OSError``/``ssl.SSLError`` for a missing or unreadable file."""
    for context in sdk_contexts():
        context.load_verify_locations(cafile=str(cafile))


def ws_url(environ: dict[str, str] | None = None) -> str:
    """Where the client connects: :data:`WS_URL_ENV`, else Tencent's address."""
    env = os.environ if environ is None else environ
    return env.get(WS_URL_ENV, "").strip() or DEFAULT_WS_URL
