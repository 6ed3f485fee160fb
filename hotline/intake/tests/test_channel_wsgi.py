"""The project's WSGI application serves channel-key paths through the shorter middleware chain
(no session, CSRF, user or frame options) and every other path through the full one. The test
client has a handler of its own, so these tests call `hotline.wsgi.application` as a server
would."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from django.core import signals
from django.db import close_old_connections

from hotline.intake.channel_testing import make_channel
from hotline.intake.models import ChannelRequest
from hotline.wsgi import application


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    # As Django's test client does: a server closes the connection after each request, which
    # would end the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(method: str, path: str, body: bytes = b"", **headers: str) -> tuple[str, dict, bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SCRIPT_NAME": "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        **headers,
    }
    seen: list[tuple[str, list[tuple[str, str]]]] = []
    chunks = application(environ, lambda status, hdrs, exc=None: seen.append((status, hdrs)))
    content = b"".join(chunks)
    status, hdrs = seen[0]
    return status, {k.lower(): v for k, v in hdrs}, content


def test_it_creates_an_order_through_the_short_chain(org):
    _channel, key = make_channel(rate_limit=0)
    body = json.dumps(
        {"title": "路灯不亮", "content": "路灯不亮。", "requester_phone": "13912345678"}
    )
    status, headers, content = call(
        "POST",
        "/api/channel/requests",
        body.encode(),
        CONTENT_TYPE="application/json",
        HTTP_X_CHANNEL_KEY=key,
        HTTP_IDEMPOTENCY_KEY="wsgi-1",
    )
    assert status.startswith("201"), content
    assert ChannelRequest.objects.get(idempotency_key="wsgi-1").order is not None
    assert "x-frame-options" not in headers and "set-cookie" not in headers


def test_it_answers_open311_through_the_short_chain(db):
    status, headers, content = call("GET", "/open311/v2/discovery.json")
    assert status.startswith("200") and json.loads(content)
    assert "x-frame-options" not in headers


def test_it_keeps_the_full_chain_for_pages(db):
    status, headers, _content = call("GET", "/accounts/login/")
    assert status.startswith("200")
    assert headers["x-frame-options"] == "DENY"
    assert "csrftoken" in headers.get("set-cookie", "")
