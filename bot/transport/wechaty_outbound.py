"""What the Wechaty adapter sends: a core payload said through a running ``Wechaty``, and a
platform failure as the core's :class:`~bot.core.ports.DeliveryError`."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.core.messages import FileOut, ImageOut, LinkOut, Payload, Sent, TextOut, payload_kind
from bot.core.ports import DeliveryError
from bot.transport import wechaty_compat as wc
from bot.transport.text import format_mentions

RATE_LIMIT_ANSWERS = ("操作过于频繁", "操作太频繁", "too frequent")
# WeChat refuses files above about 1 GB from a personal account and slows down well before;
# sending a training video that large is better done as its link.
DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024

Names = Callable[[str, list[str]], Awaitable[dict[str, str]]]  # room, ids → display names


def delivery_error(exc: BaseException) -> DeliveryError:
    """A platform failure as the core understands it."""
    text = str(exc)
    if any(answer in text for answer in RATE_LIMIT_ANSWERS):
        return DeliveryError(f"rate limited: {text}", rate_limited=True)
    if isinstance(exc, FileNotFoundError | LookupError):
        return DeliveryError(f"{type(exc).__name__}: {text}", retryable=False)
    return DeliveryError(f"{type(exc).__name__}: {text}")


async def send(bot: Any, account: str, address: str, payload: Payload, *, to_room: bool,
               names: Names, max_file_bytes: int) -> Sent:
    try:
        if isinstance(payload, TextOut):
            message_id = await _send_text(bot, address, payload, to_room, names)
        elif isinstance(payload, LinkOut):
            link = wc.url_link(payload.url, payload.title, payload.description,
                               payload.thumbnail_url)
            message_id = await _say(bot, address, link, to_room)
        else:
            box = _file_box(bot, payload, max_file_bytes)
            message_id = await _say(bot, address, box, to_room)
    except DeliveryError:
        raise
    except Exception as exc:
        raise delivery_error(exc) from exc
    detail: dict[str, Any] = {"kind": payload_kind(payload), "account": account}
    if to_room:  # statistics count the members a push reached at the time it arrived
        with contextlib.suppress(Exception):
            room = await bot.puppet.room_payload(address)
            me = bot.puppet.self_id()
            detail["members"] = sum(1 for m in (room.member_ids or ()) if m != me)
    return Sent(message_id, detail)


async def _send_text(bot: Any, address: str, out: TextOut, to_room: bool, names: Names) -> str:
    mentions = list(out.mentions) if to_room else []
    text = out.text
    if mentions:
        known = await names(address, mentions)
        text = format_mentions([known.get(m, m) for m in mentions], text)
    message_id: str = await bot.puppet.message_send_text(
        conversation_id=address, message=text, mention_ids=mentions)
    sent = bot.Message.load(message_id)
    await sent.ready()  # the platform knows it: its payload loads back
    return message_id


async def _say(bot: Any, address: str, thing: Any, to_room: bool) -> str:
    target = bot.Room.load(address) if to_room else bot.Contact.load(address)
    await target.ready()
    sent = await target.say(thing)
    if sent is None:
        raise DeliveryError("the platform returned no message id")
    return str(sent.message_id)


def _file_box(bot: Any, payload: FileOut | ImageOut, max_file_bytes: int) -> Any:
    path = Path(payload.path)
    if not path.is_file():
        raise DeliveryError(f"no file at {path}", retryable=False)
    size = path.stat().st_size
    if size > max_file_bytes:
        raise DeliveryError(f"{path.name} is {size} bytes, above {max_file_bytes}",
                            retryable=False, too_large=True)
    keep_path = bool(getattr(bot.puppet, "reads_local_paths", False))
    return wc.file_box(path, payload.name, keep_path=keep_path)
