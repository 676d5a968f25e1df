"""The fake's own routes on the simulator's server (``/api/wecom/…``): what a person or a test
needs beyond the simulator's API to drive the WeCom side.

- ``GET /api/wecom``: ``{"url", "subscribed", "connections", "replaced",
  "refused_subscriptions", "chats": [{"room_id", "group_id", "chatid"}], "delivered":
  [{"msgid", "req_id", "chattype", "conversation"}]}``
- ``POST /api/wecom/messages/{id}/redeliver``: deliver world message ``id`` again under the same
  msgid → ``{"msgid", "req_id"}``
- ``POST /api/wecom/contacts/{contact_id}/enter``: the contact opens the private chat, an
  ``enter_chat`` event → ``{"req_id"}``

Both POSTs answer 409 when no bot is connected (nothing would be delivered).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot import messages as msg
from bot.simulator.errors import ApiError
from bot.transport.local_world import WorldError

if TYPE_CHECKING:
    from bot.wecom_fake.server import WeComFake


def routes(fake: WeComFake) -> list[web.RouteDef]:
    async def state(_request: web.Request) -> web.Response:
        world, face = fake.world, fake.face
        assert world is not None and face is not None
        chats = [{"room_id": room.id, "group_id": room.group_id, "chatid": face.chatid(room)}
                 for room in face.view.rooms()]
        return _json({"url": fake.url, "subscribed": fake.subscribed,
                      "connections": len(fake.sessions), "replaced": fake.replaced,
                      "refused_subscriptions": fake.refused_subscriptions, "chats": chats,
                      "delivered": fake.delivered})

    async def redeliver(request: web.Request) -> web.Response:
        raw = request.match_info["message_id"]
        if not (raw.isascii() and raw.isdigit()):
            raise ApiError(404, msg.WECOM_FAKE_NO_MESSAGE)
        try:
            req_id = fake.redeliver(int(raw))
        except WorldError:
            raise ApiError(404, msg.WECOM_FAKE_NO_MESSAGE) from None
        if req_id is None:
            raise ApiError(409, msg.WECOM_FAKE_NOT_CONNECTED)
        return _json({"msgid": fake.delivered[-1]["msgid"], "req_id": req_id})

    async def enter(request: web.Request) -> web.Response:
        try:
            req_id = fake.enter_chat(request.match_info["contact_id"])
        except WorldError:
            raise ApiError(404, msg.WECOM_FAKE_NO_CONTACT) from None
        if req_id is None:
            raise ApiError(409, msg.WECOM_FAKE_NOT_CONNECTED)
        return _json({"req_id": req_id})

    return [
        web.get("/api/wecom", state),
        web.post("/api/wecom/messages/{message_id}/redeliver", redeliver),
        web.post("/api/wecom/contacts/{contact_id}/enter", enter),
    ]


def _json(value: Any) -> web.Response:
    return web.json_response(value, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
