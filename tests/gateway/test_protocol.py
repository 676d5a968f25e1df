"""What python-wechaty's client expects beyond the ``.proto``, pinned against the client itself
(bot/gateway/protocol.py lists these quirks)."""

from __future__ import annotations

from wechaty_grpc.wechaty.puppet import MessagePayloadResponse, MessageType
from wechaty_puppet_service.puppet import _map_message_type

from bot.gateway.protocol import WIRE_MESSAGE_TYPES

EXPECTED = {
    "text": MessageType.MESSAGE_TYPE_TEXT,
    "url": MessageType.MESSAGE_TYPE_URL,
    "file": MessageType.MESSAGE_TYPE_ATTACHMENT,
    "image": MessageType.MESSAGE_TYPE_IMAGE,
    "video": MessageType.MESSAGE_TYPE_VIDEO,
    "contact": MessageType.MESSAGE_TYPE_CONTACT,
    "system": MessageType.MESSAGE_TYPE_UNSPECIFIED,
}


def test_message_types_use_the_typescript_numbers_the_client_maps() -> None:
    """Each world type, sent as the TypeScript puppet's number and decoded from the wire, is
    mapped by the client to the right ``.proto`` type (sending the ``.proto`` number would
    turn text into video)."""
    for kind, number in WIRE_MESSAGE_TYPES.items():
        raw = bytes(MessagePayloadResponse(id="x", type=number))
        mapped = _map_message_type(MessagePayloadResponse().parse(raw))
        assert mapped.type == EXPECTED[kind], kind
    naive = MessagePayloadResponse().parse(bytes(MessagePayloadResponse(
        id="x", type=MessageType.MESSAGE_TYPE_TEXT)))
    assert _map_message_type(naive).type != MessageType.MESSAGE_TYPE_TEXT
