"""Concurrent retries with one Idempotency-Key make one order: the (channel, key) row is inserted
in the order's transaction, and the unique index makes every other retry wait, roll its own
order back and find the first."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from hotline.core.testing import make_org
from hotline.intake.channel_testing import make_channel
from hotline.intake.models import ChannelRequest
from hotline.workorders.models import WorkOrder

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
)

BODY = {"title": "路灯不亮", "content": "3号楼前路灯不亮。", "requester_phone": "13912345678"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_makes_one_order_under_concurrent_retries():
    make_org()
    _channel, key = make_channel()
    threads, results, errors = 8, [], []
    barrier = threading.Barrier(threads)

    def retry() -> None:
        try:
            barrier.wait(timeout=10)
            r = Client().post(
                "/api/channel/requests",
                data=json.dumps(BODY),
                content_type="application/json",
                HTTP_X_CHANNEL_KEY=key,
                HTTP_IDEMPOTENCY_KEY="retry-42",
            )
            results.append((r.status_code, r.json()))
        except Exception as e:  # surfaced by the assertion below
            errors.append(e)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=retry) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not errors
    assert sorted(code for code, _body in results) == [200] * (threads - 1) + [201]
    assert len({body["number"] for _code, body in results}) == 1
    assert WorkOrder.objects.count() == 1
    assert ChannelRequest.objects.count() == 1
