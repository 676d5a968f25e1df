"""Every python-wechaty quirk, in one place. The only module that imports ``wechaty``.

python-wechaty 0.10.7 is the last release and does not run as shipped on Python 3.11; the
workarounds below are each pinned by a test in ``tests/transport/test_wechaty_compat.py`` so
that an upgrade which fixes or breaks one is noticed.

1. ``WechatyOptions`` uses a ``PuppetOptions()`` instance as a dataclass default. 3.11 refuses
   a default whose class has ``__hash__ = None`` (every non-frozen dataclass), so importing
   ``wechaty`` fails until ``PuppetOptions`` is given a hash.
2. Importing creates ``.wechaty/`` in the current folder; without a scheduler in
   ``WechatyOptions`` every ``Wechaty`` opens an APScheduler job store at ``.wechaty/job.db``.
   We remove the folder if the import created it empty, and always pass our own scheduler.
3. The plugin manager refuses to log in when its web port (5000 by default) is taken, even with
   no plugin: we give each ``Wechaty`` a free port of its own.
4. ``Wechaty.start()`` prints and swallows any unexpected error, and on a network error sleeps a
   minute and restarts itself: :func:`start` runs the same steps and lets errors out.
5. ``Contact`` and ``Room`` objects are cached in dicts shared by every ``Wechaty`` in the
   process, each object bound to the puppet of whichever bot loaded it first: :func:`start`
   gives each bot its own caches.
6. ``UrlLink.create()`` fetches OpenGraph data over the network: :func:`url_link` builds one
   from what we already know.
7. ``FileBox.from_url`` downloads the file to guess a name when given none, and
   ``FileBox.from_file`` calls the deprecated ``Logger.warn``: :func:`file_box` always names
   the box and sets the media type directly. ``FileBox.to_json_str()``, which ``PuppetService``
   sends, reads the deprecated ``mimeType`` property (``Logger.warn`` again): the box drops the
   private slot that makes it do so.
8. Its loggers print at INFO to stderr, message text included: quiet unless ``WECHATY_LOG``
   says otherwise.
9. ``PuppetService.stop()`` calls the gateway even when the gateway is down or refused the
   token, and then leaves its channel open: :func:`stop` notes that failure in one debug line
   (not a traceback on every reconnect) and closes the channel itself.
10. A wrong token surfaces as grpclib's ``GRPCError`` with status ``UNAUTHENTICATED``, raised
    from ``start()`` with the same error from ``stop()`` as its context:
    :func:`is_unauthenticated` recognises it so the adapter can say so in words.
11. ``PuppetService`` sends its token as the HTTP/2 ``:authority`` header, and the ``hpack``
    library logs every header it encodes at DEBUG: its logger is held at INFO so that turning
    on debug logging never writes the token.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
import shutil
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot import logsafe  # quirk 11: keeps hpack's DEBUG lines (the token) quiet

_CACHE_DIR = Path(".wechaty")  # relative: wechaty creates it in whatever the cwd is
_had_cache_dir = _CACHE_DIR.exists()
os.environ.setdefault("WECHATY_LOG", "warn")  # quirk 8, read when its loggers are created

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # noqa: E402
from wechaty_puppet.schemas import puppet as _puppet_schema  # noqa: E402

if _puppet_schema.PuppetOptions.__hash__ is None:  # quirk 1, before `import wechaty`
    _puppet_schema.PuppetOptions.__hash__ = object.__hash__

from wechaty import Wechaty, WechatyOptions  # noqa: E402
from wechaty.fake_puppet import FakePuppet  # noqa: E402
from wechaty.user.url_link import UrlLink  # noqa: E402
from wechaty_puppet import (  # noqa: E402
    ContactPayload,
    ContactType,
    EventErrorPayload,
    EventLoginPayload,
    EventMessagePayload,
    EventReadyPayload,
    EventRoomJoinPayload,
    EventRoomLeavePayload,
    EventRoomTopicPayload,
    FileBox,
    MessagePayload,
    MessageType,
    Puppet,
    PuppetOptions,
    RoomMemberPayload,
    RoomPayload,
    UrlLinkPayload,
)
from wechaty_puppet.file_box.type import FileBoxOptionsBase64, FileBoxType  # noqa: E402


class _DropMessage(logging.Filter):
    def __init__(self, start: str) -> None:
        super().__init__()
        self.start = start

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.start)



# Every login without plugins warns that no web service starts: exactly what we want.
logging.getLogger("wechaty.plugin").addFilter(_DropMessage("there is not registed blueprint"))

if not _had_cache_dir and _CACHE_DIR.is_dir() and not any(_CACHE_DIR.iterdir()):
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)  # quirk 2: the import made it, nothing in it

__all__ = [
    "ContactPayload", "ContactType", "EventLoginPayload", "EventMessagePayload",
    "EventReadyPayload", "EventRoomJoinPayload", "EventRoomLeavePayload",
    "EventRoomTopicPayload", "FakePuppet", "FileBox", "MessagePayload", "MessageType", "Puppet",
    "PuppetOptions", "RoomMemberPayload", "RoomPayload", "UrlLink", "UrlLinkPayload", "Wechaty",
    "file_box", "is_unauthenticated", "make_wechaty", "service_puppet", "start", "stop",
    "url_link",
]

SERVICE_TOKEN_ENV = "WECHATY_PUPPET_SERVICE_TOKEN"
SERVICE_ENDPOINT_ENV = "WECHATY_PUPPET_SERVICE_ENDPOINT"

log = logging.getLogger(__name__)


def free_local_port() -> int:
    """A port nothing listens on now, for the plugin server wechaty insists on checking."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_wechaty(puppet: Any, name: str = "agribot") -> Any:
    """A ``Wechaty`` over ``puppet`` with our scheduler and a free plugin port (quirks 2, 3)."""
    options = WechatyOptions(
        name=name,
        puppet=puppet,
        puppet_options=PuppetOptions(),  # the default is one instance shared by every bot
        host="127.0.0.1",
        port=free_local_port(),
        scheduler=AsyncIOScheduler(),
    )
    return Wechaty(options)


ErrorSink = Callable[[BaseException], None]


async def start(bot: Any, on_error: ErrorSink | None = None) -> None:
    """What ``Wechaty.start()`` does, with errors raised instead of printed (quirks 4, 5).

    Returns when the puppet's ``start()`` returns: at once for a puppet that runs in the
    background, when the event stream ends for ``PuppetService``. Errors raised later inside
    wechaty's own event listeners reach ``on_error``.
    """
    await bot.init_puppet()
    for cls in (bot.Contact, bot.ContactSelf, bot.Room, bot.Tag):
        cls._pool = {}
    await bot.init_puppet_event_bridge(bot.puppet)
    if on_error is not None:
        def _puppet_error(payload: Any) -> None:
            if isinstance(payload, BaseException):
                on_error(payload)
            elif isinstance(payload, EventErrorPayload):
                on_error(RuntimeError(f"puppet error: {payload.data}"))

        bot.puppet.on("error", _puppet_error)
        bot.on("error", _puppet_error)
    bot.started = True
    await bot.puppet.start()


async def stop(bot: Any) -> None:
    """Stop the puppet and the scheduler wechaty started at login. Never raises; once only
    (the scheduler's shutdown is queued on the loop, so a second one would find it running)."""
    if getattr(bot, "_agribot_stopped", False):
        return
    bot._agribot_stopped = True
    try:
        if bot._puppet is not None:
            await bot.stop()
    except Exception as exc:  # quirk 9: the session's own error was already reported
        log.debug("stopping the wechaty puppet failed: %s: %s", type(exc).__name__, exc)
        channel = getattr(bot._puppet, "channel", None)
        if channel is not None:  # PuppetService.stop() raised before closing it
            channel.close()
            bot._puppet.channel = None
    scheduler = bot._plugin_manager.scheduler
    if scheduler.running:
        scheduler.shutdown(wait=False)


def is_unauthenticated(exc: BaseException | None) -> bool:
    """Whether the gateway refused our token, anywhere in the chain of ``exc`` (quirk 10)."""
    from grpclib.const import Status
    from grpclib.exceptions import GRPCError

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, GRPCError) and exc.status is Status.UNAUTHENTICATED:
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def url_link(url: str, title: str, description: str = "",
             thumbnail_url: str | None = None) -> Any:
    """A ``UrlLink`` from what we know, with no network request (quirk 6)."""
    return UrlLink(UrlLinkPayload(url=url, title=title, description=description,
                                  thumbnailUrl=thumbnail_url or ""))


def file_box(path: str | Path, name: str, *, keep_path: bool = False) -> Any:
    """A named ``FileBox`` holding the file's bytes (quirk 7).

    Base64 is what the puppet-service protocol carries. ``keep_path`` also records the local
    path, for the local puppet only: the box is serialised whole to a remote service.
    """
    data = Path(path).read_bytes()
    box = FileBox(FileBoxOptionsBase64(name=name, base64=base64.b64encode(data),
                                       type=FileBoxType.Base64))
    box.mediaType = mimetypes.guess_type(name)[0] or "application/octet-stream"
    box.metadata = {"size": len(data)}
    # quirk 7: to_json_str() reads every property with a "_" twin in __dict__, and the
    # mimeType property warns through the deprecated Logger.warn; mediaType carries the type.
    box.__dict__.pop("_mimeType", None)
    if keep_path:
        box.localPath = str(path)
    return box


def file_box_size(box: Any) -> int:
    """Bytes in a base64 ``FileBox``; 0 when it holds something else."""
    raw = getattr(box, "base64", b"")
    return len(base64.b64decode(raw)) if raw else 0


def service_configured(environ: Mapping[str, str]) -> bool:
    """Whether the environment names a puppet service to connect to (a token, which the
    client can look up, or an endpoint)."""
    return bool(environ.get(SERVICE_TOKEN_ENV) or environ.get(SERVICE_ENDPOINT_ENV))


def service_puppet() -> Any:
    """A ``PuppetService`` configured from the environment only.

    The token is never put in ``PuppetOptions`` (which wechaty logs) nor read from YAML;
    ``PuppetService`` reads the same two variables itself, and a filter keeps the token out of
    its warnings.
    """
    from wechaty_puppet_service import PuppetService

    token = os.environ.get(SERVICE_TOKEN_ENV, "")
    if not service_configured(os.environ):
        raise RuntimeError(f"set {SERVICE_TOKEN_ENV} or {SERVICE_ENDPOINT_ENV}")
    if token:
        logsafe.hide(token, "PuppetService")
    return PuppetService(PuppetOptions())
