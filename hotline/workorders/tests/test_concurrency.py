"""Concurrent moves on PostgreSQL: exactly one wins, the rest get a conflict, nothing is lost.

SQLite serialises writers on one file and the test database is in memory there, so these run on
PostgreSQL only (CI has one)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from hotline.core.testing import make_org
from hotline.workorders.choices import Status
from hotline.workorders.errors import ConcurrentUpdate, IllegalTransition
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_transition
from hotline.workorders.tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 8


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


def test_it_lets_exactly_one_of_n_stale_clients_win():
    org = make_org()
    order = f.dispatched(org)
    seen = order.version
    units = [org.water, org.housing, org.street_office, org.community]

    def reassign(i: int):
        return workorder_transition(
            order=order.pk,
            action="reassign",
            actor=org.dave,
            lead_unit=units[i % len(units)].pk,
            expected_version=seen,
        )

    results = race(reassign)
    wins = [r for r in results if not isinstance(r, Exception)]
    conflicts = [r for r in results if isinstance(r, ConcurrentUpdate)]
    assert len(wins) == 1 and len(conflicts) == THREADS - 1, results
    order.refresh_from_db()
    assert order.version == seen + 1
    assert list(order.events.values_list("seq", flat=True)) == list(range(1, seen + 2))
    assert order.assignments.filter(is_active=True).count() == 1


def test_it_serialises_conflicting_moves_without_a_version():
    org = make_org()
    order = f.dispatched(org)
    actors = [org.bob, org.bella]

    def move(i: int):
        # Half try to acknowledge, half to return: only the first can run from `dispatched`
        # for each kind, and the loser sees the state the winner left.
        if i % 2:
            return workorder_transition(order=order.pk, action="acknowledge", actor=actors[i % 2])
        return workorder_transition(
            order=order.pk,
            action="return",
            actor=actors[i % 2],
            note="非本单位职责",
            legal_basis="三定方案",
        )

    results = race(move)
    wins = [r for r in results if not isinstance(r, Exception)]
    illegal = [r for r in results if isinstance(r, IllegalTransition)]
    assert len(wins) + len(illegal) == THREADS, results
    order.refresh_from_db()
    events = list(order.events.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, order.version + 1))
    # The log replays to the current state: each move starts where the previous one ended.
    for before, after in itertools.pairwise(events):
        assert after.from_status == before.to_status
    assert events[-1].to_status == order.status
    assert order.status in {Status.IN_PROGRESS, Status.RETURNED}


def test_it_numbers_concurrent_registrations_uniquely():
    org = make_org()

    def register(i: int):
        return [f.registered(org).number for _ in range(5)]

    results = race(register)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [n for r in results for n in r]
    assert len(numbers) == len(set(numbers)) == THREADS * 5
    assert WorkOrder.objects.count() == THREADS * 5
