"""The sender against a real HTTP far end on 127.0.0.1: what a platform answers over the wire
(too fast, a server error, success with the room's size) drives pacing, retries and events."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.core import events as kinds
from bot.core.messages import Payload, Sent, TextOut
from bot.core.ports import DeliveryError
from tests.harness import room_of

from .support import T0, demo_home, drive, events, make_sender, push, queue, rows


@dataclass
class Gateway:
    """A chat gateway that takes ``POST /send`` and answers from a script (default: 200)."""

    url: str = ""
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.seen.append(body)
            status, answer = state.script.pop(0) if state.script else (
                200, {"id": f"srv-{len(state.seen)}", "members": 212})
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


class HttpTransport:
    """A transport that speaks the gateway's JSON: 429 is "too fast", 5xx worth a retry, other
    4xx final."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    async def send(self, address: str, payload: Payload, *, to_room: bool) -> Sent:
        return await asyncio.to_thread(self._post, address, payload, to_room)

    def _post(self, address: str, payload: Payload, to_room: bool) -> Sent:
        assert isinstance(payload, TextOut)
        answer = self.http.post(f"{self.url}/send", timeout=5,
                                json={"to": address, "room": to_room, "text": payload.text})
        body = answer.json()
        if answer.status_code == 429:
            raise DeliveryError(body["errmsg"], rate_limited=True)
        if answer.status_code != 200:
            raise DeliveryError(body["errmsg"], retryable=answer.status_code >= 500)
        return Sent(body["id"], {"members": body["members"]})


async def test_sender_over_http_slows_down_retries_and_records(engine: Engine,
                                                               gateway: Gateway) -> None:
    """Over real HTTP: 429 halves the pace, 503 is retried later, every push ends sent with the
    room size the server reported."""
    clock = ManualClock(T0)
    gateway.script = [(200, {"id": "srv-a", "members": 180}),
                      (429, {"errmsg": "操作过于频繁，请稍后再试"}),
                      (503, {"errmsg": "服务暂时不可用"})]
    transport = HttpTransport(gateway.url)
    sender = make_sender(engine, demo_home(per_minute=12, burst=1, base_backoff=30), clock,
                         transport)
    queue(engine, clock, push("p1"), push("p2"), push("p3"))
    try:
        await drive(sender, clock, lambda: all(r.status == "sent" for r in rows(engine)))
    finally:
        transport.http.close()
    assert [s["text"] for s in gateway.seen] == ["课程 p1", "课程 p2", "课程 p2", "课程 p3",
                                                 "课程 p2"]
    assert {s["to"] for s in gateway.seen} == {room_of("nongan-junior")}
    assert sender.bucket.factor == 0.5
    by_key = {r.key: r for r in rows(engine)}
    assert (by_key["p1"].message_id, by_key["p2"].attempts, by_key["p3"].attempts) == (
        "srv-a", 2, 1)
    sent = [json.loads(e.detail) for e in events(engine, kinds.PUSH_SENT)]
    assert [(d["key"], d["members"]) for d in sent] == [("p1", 180), ("p3", 212), ("p2", 212)]
    failed = [json.loads(e.detail)["error"] for e in events(engine, kinds.PUSH_FAILED)]
    assert failed == ["操作过于频繁，请稍后再试", "服务暂时不可用"]
