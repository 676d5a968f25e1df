"""The wire of the wechaty puppet service, as python-wechaty's client expects it.

The only gateway module that imports ``wechaty_grpc`` (the betterproto classes the client uses)
and ``grpclib``; nothing from ``wechaty`` itself, so the gateway never needs python-wechaty's
import-time shims. What the client expects and the ``.proto`` does not say is written down
here, each pinned by a test in ``tests/gateway/test_protocol.py``:

1. Event payloads are JSON strings with the TypeScript puppet's camelCase keys
   (``messageId``, ``contactId``, ``inviteeIdList``, ``removeeIdList``, ...).
2. ``MessagePayloadResponse.type`` carries the TypeScript puppet's ``MessageType`` numbers
   (Text = 7, Url = 14), not the ``.proto`` enum's (Text = 6): the client maps every integer it
   receives through the TypeScript table (``_map_message_type``).
3. The client sends its token as the HTTP/2 ``:authority`` pseudo-header (it sets the channel's
   private ``_authority``), not as metadata. grpclib hands a server method neither that header
   nor the request's headers, so :class:`AuthorityServer` keeps each request's headers on its
   HTTP/2 stream, where :func:`authority` reads them.
4. Send responses wrap the new message id in a ``google.protobuf.StringValue``; betterproto
   takes a plain ``str`` for such a field.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from grpclib.const import Cardinality, Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.protocol import H2Protocol
from grpclib.server import Server, Stream
from wechaty_grpc.wechaty import puppet as pb

from bot import logsafe  # noqa: F401  keeps hpack's DEBUG lines (the client's token) quiet

__all__ = ["SERVICE", "AuthorityServer", "Cardinality", "GRPCError", "Handler", "Status",
           "Stream", "pb"]

SERVICE = "/wechaty.Puppet/"


# World message types → what the TypeScript puppet numbers them (quirk 2).
WIRE_MESSAGE_TYPES: dict[str, int] = {
    "system": 0,  # Unknown
    "file": 1,  # Attachment
    "contact": 3,  # Contact
    "image": 6,  # Image
    "text": 7,  # Text
    "url": 14,  # Url
    "video": 15,  # Video
}


def event(kind: Any, **payload: Any) -> Any:
    """An ``EventResponse`` of ``kind`` (a ``pb.EventType``) with a camelCase JSON payload."""
    return pb.EventResponse(type=kind, payload=json.dumps(payload, ensure_ascii=False))


class AuthorityServer(Server):
    """A grpclib ``Server`` whose methods can read the request's headers (quirk 3)."""

    def _protocol_factory(self) -> H2Protocol:
        protocol = super()._protocol_factory()
        handler = protocol.handler
        accept = handler.accept

        def keep_headers(stream: Any, headers: Any, release_stream: Any) -> None:
            stream.headers = headers  # unused by grpclib on a server's streams
            accept(stream, headers, release_stream)

        handler.accept = keep_headers  # type: ignore[method-assign]
        return protocol


def authority(stream: Stream[Any, Any]) -> str:
    """The ``:authority`` the client sent, where ``PuppetService`` puts its token (quirk 3)."""
    headers = getattr(stream._stream, "headers", None) or []
    for key, value in headers:
        if key == ":authority":
            return str(value)
    return ""


Method = Callable[[Stream[Any, Any]], Awaitable[None]]


def unary(name: str, func: Method, request: type, reply: type) -> tuple[str, Handler]:
    return SERVICE + name, Handler(func, Cardinality.UNARY_UNARY, request, reply)


def server_stream(name: str, func: Method, request: type, reply: type) -> tuple[str, Handler]:
    return SERVICE + name, Handler(func, Cardinality.UNARY_STREAM, request, reply)
