"""Two scans at once on PostgreSQL (real row locks and a real unique constraint): every step is
taken exactly once."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, connections

from hotline.sla.models import Notification, SlaAction
from hotline.sla.scans import sla_scan
from hotline.workorders.models import WorkOrderEvent
from hotline.workorders.tests.factories import move, registered

SH = ZoneInfo("Asia/Shanghai")


# serialized_rollback: the catalogue's data migrations stay for this test, and the flush at its
# end does not recreate content types under the next serialized test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_takes_each_step_once_when_two_scans_race(org, golden_rules):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises writers)")
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=SH), tick=False):
        orders = [
            move(
                registered(org, request_type="inquiry"),
                "dispatch",
                org.dave,
                lead_unit=org.water.pk,
            )
            for _ in range(6)
        ]
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sla_scan(now=datetime(2026, 3, 5, 18, tzinfo=SH)))
        except BaseException as e:  # reported below; a thread must not swallow it
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with time_machine.travel(datetime(2026, 3, 5, 18, tzinfo=SH), tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors
    ids = [o.pk for o in orders]
    # Each order: one acknowledge-overdue urge, one reply-overdue urge, supervision level 1.
    assert sum(r["ack_overdue"] for r in results) == 6
    assert sum(r["urge"] for r in results) == 6
    assert sum(r["supervise"] for r in results) == 6
    assert WorkOrderEvent.objects.filter(order_id__in=ids, action="urge").count() == 12
    assert WorkOrderEvent.objects.filter(order_id__in=ids, action="supervise").count() == 6
    assert SlaAction.objects.filter(order_id__in=ids).count() == 18
    assert (
        Notification.objects.filter(order_id__in=ids, kind="urge", recipient=org.bob).count() == 6
    )
