"""The ports between the core and the outside: small protocols adapters implement."""

from __future__ import annotations

from typing import Protocol

from bot.core.messages import Payload, Sent


class DeliveryError(Exception):
    """A send that did not go through.

    ``retryable``: trying again later may work (network, timeout, platform hiccup).
    ``rate_limited``: the platform said we are too fast (WeChat 操作过于频繁, WeCom 45009): the
    sender slows the whole account down, not just this row.
    ``too_large``: the payload itself was refused for its size; a file falls back to its link.
    """

    def __init__(self, message: str, *, retryable: bool = True, rate_limited: bool = False,
                 too_large: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.rate_limited = rate_limited
        self.too_large = too_large


class Transport(Protocol):
    """Delivers one payload to a resolved address on one account.

    ``address`` is a platform room id when ``to_room`` is true, else a contact id. Raises
    :class:`DeliveryError` for anything that did not arrive.
    """

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent: ...


class RoomLookup(Protocol):
    """Which platform room serves a configured group (``None``: not bound yet). The senders
    need only this of :class:`bot.chat.rooms.RoomDirectory`, which binds rooms on ready."""

    def room_for_group(self, group_id: str) -> str | None: ...
