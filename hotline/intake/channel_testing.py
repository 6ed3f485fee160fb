"""Test helpers for channels: a channel with a key, a category tree with leaves (services), and
a real HTTP server on 127.0.0.1 that records what it receives (webhooks, the SMS gateway)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hotline.catalog.models import Category
from hotline.workorders.choices import Channel as ChannelKind

from .channel_auth import channel_issue_key
from .models import Channel, Operation

ALL_OPERATIONS = [str(o) for o in Operation.values]


def post_lamp(key: str, idempotency_key: str, i: int) -> Any:
    """POST /api/channel/requests with the channel `key`: a street lamp out at building `i`."""
    from django.test import Client

    body = {
        "title": "路灯不亮",
        "content": f"东城小区{i}号楼前路灯不亮。",
        "requester_phone": "13912345678",
    }
    return Client().post(
        "/api/channel/requests",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_CHANNEL_KEY=key,
        HTTP_IDEMPOTENCY_KEY=idempotency_key,
    )


def make_channel(
    name: str = "微信公众号",
    kind: str = ChannelKind.WECHAT,
    operations: list[str] | None = None,
    **fields: Any,
) -> tuple[Channel, str]:
    channel = Channel.objects.create(
        name=name,
        kind=kind,
        operations=ALL_OPERATIONS if operations is None else operations,
        **fields,
    )
    return channel, channel_issue_key(channel=channel)


def make_services() -> dict[str, Category]:
    """渠道测试分类 / 市政设施 / {路灯损坏, 井盖缺失}, and an inactive leaf that is no service."""
    root = Category.objects.create(name="渠道测试分类", level=1, code="CX")
    mid = Category.objects.create(name="市政设施", level=2, code="CX-SZ", parent=root)
    lamp = Category.objects.create(name="路灯损坏", level=3, code="CX-SZ-LD", parent=mid)
    cover = Category.objects.create(name="井盖缺失", level=3, code="", parent=mid)
    old = Category.objects.create(
        name="已停用分类", level=3, code="CX-SZ-OLD", parent=mid, is_active=False
    )
    return {"root": root, "mid": mid, "lamp": lamp, "cover": cover, "old": old}


@dataclass
class Recorder:
    """What the local server received, and the statuses it will answer with, in order."""

    statuses: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        return self.statuses.pop(0) if self.statuses else 200


@contextmanager
def http_server(statuses: list[int] | None = None, reply: dict | None = None) -> Iterator[Recorder]:
    recorder = Recorder(statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            recorder.received.append(
                {"path": self.path, "headers": dict(self.headers), "body": body}
            )
            status = recorder.answer()
            payload = json.dumps(reply or {"ok": True}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
