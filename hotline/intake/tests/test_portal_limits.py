"""Rate limits per IP and per phone on submit, check and rate: a 429 and a clear message."""

from __future__ import annotations

import socket
import uuid

import pytest
import time_machine

from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories

from .test_portal_support import portal_cache, submission

pytestmark = pytest.mark.usefixtures("portal_cache")
__all__ = ["portal_cache"]

LIMITED = "操作过于频繁"
# Counters run in fixed windows; a frozen clock keeps a test from straddling two of them.
NOON = "2026-11-20 12:00:00 +0800"


def _limits(settings, action, *, ip="100/h", phone="100/h"):
    settings.PORTAL_RATE_LIMITS = {action: {"ip": ip, "phone": phone}}


@time_machine.travel(NOON, tick=False)
def test_it_limits_submissions_per_ip(client, org, settings):
    _limits(settings, "submit", ip="2/h")
    for i in range(2):
        response = client.post("/portal/submit/", submission(org, phone=f"1391234567{i}"))
        assert response.status_code == 302
    response = client.post("/portal/submit/", submission(org, phone="13912345679"))
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert WorkOrder.objects.count() == 2
    # Another address is not held back by this one's count.
    other = client.post(
        "/portal/submit/", submission(org, phone="13912345679"), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


@time_machine.travel(NOON, tick=False)
def test_it_limits_submissions_per_phone(client, org, settings):
    _limits(settings, "submit", phone="2/h")
    for i in range(2):
        response = client.post("/portal/submit/", submission(org), REMOTE_ADDR=f"10.0.0.{i}")
        assert response.status_code == 302
    # The same number written differently is the same phone.
    response = client.post(
        "/portal/submit/", submission(org, phone="139 1234 5678"), REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert WorkOrder.objects.count() == 2
    assert WorkOrderEvent.objects.count() == 2


@time_machine.travel(NOON, tick=False)
def test_it_counts_invalid_attempts_too(client, org, settings):
    _limits(settings, "submit", ip="2/h")
    for _ in range(2):
        assert client.post("/portal/submit/", submission(org, phone="1")).status_code == 400
    assert client.post("/portal/submit/", submission(org)).status_code == 429
    assert not WorkOrder.objects.exists()


@time_machine.travel(NOON, tick=False)
def test_it_limits_checks_per_ip(client, org, settings):
    _limits(settings, "check", ip="3/h")
    for i in range(3):
        response = client.post(
            "/portal/check/", {"ref": "20260101000001", "phone": f"1350000000{i}"}
        )
        assert response.status_code == 404
    response = client.post("/portal/check/", {"ref": "20260101000001", "phone": "13500000009"})
    assert response.status_code == 429
    assert LIMITED in response.content.decode()


@time_machine.travel(NOON, tick=False)
def test_it_limits_checks_per_phone_even_when_they_would_succeed(client, org, settings):
    _limits(settings, "check", phone="2/h")
    order = factories.registered(org, requester_phone="13500001111")
    data = {"ref": order.number, "phone": "13500001111"}
    assert client.post("/portal/check/", data, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.post("/portal/check/", data, REMOTE_ADDR="10.0.0.2").status_code == 200
    response = client.post("/portal/check/", data, REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429
    assert order.number not in response.content.decode()


@time_machine.travel(NOON, tick=False)
def test_it_limits_ratings_per_ip_and_per_phone(client, org, settings):
    _limits(settings, "rate", ip="2/h", phone="1/h")
    order = factories.awaiting_callback(org, requester_phone="13500002222")
    wrong = {
        "number": order.number,
        "phone": "13500002222",
        "query_code": "x",
        "rating": "satisfied",
        "solved": "1",
    }
    assert client.post("/portal/rate/", wrong).status_code in (400, 404)
    right = dict(wrong, query_code=order.query_code)
    response = client.post("/portal/rate/", right, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 429  # the phone's one attempt is spent
    assert LIMITED in response.content.decode()
    other = dict(right, phone="13500003333")
    assert client.post("/portal/rate/", other).status_code == 404  # second from this IP
    assert client.post("/portal/rate/", other).status_code == 429  # the IP's limit
    order.refresh_from_db()
    assert order.rating == ""


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@time_machine.travel(NOON, tick=False)
def test_it_counts_in_redis_when_the_cache_is_redis(client, org, settings):
    if not _redis_up():
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            # Our own prefix: the test never touches anyone else's keys.
            "KEY_PREFIX": f"portal-test-{uuid.uuid4().hex}",
        }
    }
    _limits(settings, "check", ip="1/h")
    data = {"ref": "20260101000001", "phone": "13500000000"}
    assert client.post("/portal/check/", data).status_code == 404
    assert client.post("/portal/check/", data).status_code == 429
