"""Agents taking calls at the same instant on PostgreSQL: every call gets its own number, and
repeats merged into one master at once are all recorded on it (no lost update).

SQLite serialises writers on one file and its test database is in memory, so these run on
PostgreSQL only."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.core.testing import make_org
from hotline.intake.services import intake_register
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 6


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite serialises all writers")


def race(work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in THREADS threads released at the same instant; collect results or errors."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = [None] * THREADS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_it_merges_simultaneous_repeats_into_one_master_without_losing_any():
    org = make_org()
    agents = [org.alice] + [
        user_create(
            username=f"agent{i}", password="x-12345-word", memberships=[(org.centre, Role.AGENT)]
        )
        for i in range(1, THREADS)
    ]
    master = factories.dispatched(org, requester_phone="13912345678")
    before = master.version

    def take(i: int) -> WorkOrder:
        return intake_register(
            actor=agents[i],
            decision="merge",
            master=master.number,
            request_type="complaint",
            content=f"第 {i} 位来电人反映同一小区停水",
            requester_phone=f"1391234560{i}",
            region=org.street.code,
        )

    results = race(take)
    assert all(isinstance(r, WorkOrder) for r in results), results
    numbers = {r.number for r in results if isinstance(r, WorkOrder)}
    assert len(numbers) == THREADS
    merged = WorkOrder.objects.filter(number__in=numbers)
    assert set(merged.values_list("status", flat=True)) == {Status.MERGED}
    assert set(merged.values_list("master_id", flat=True)) == {master.pk}
    master.refresh_from_db()
    assert master.version == before + THREADS
    events = master.events.order_by("seq")
    assert list(events.values_list("seq", flat=True)) == list(range(1, before + THREADS + 1))
    merges = events.filter(action=Action.MERGE)
    assert {e.payload["merged"] for e in merges} == numbers
