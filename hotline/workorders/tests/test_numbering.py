"""Order numbers: the local date and the day's count; unique under concurrent registrations, and
on PostgreSQL a registration never waits for another's commit to be numbered."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from hotline.workorders.models import WorkOrder, WorkOrderSequence
from hotline.workorders.numbering import day_floor, next_number, numbers_advance
from hotline.workorders.tests import factories as f

THREADS = 8


def test_it_numbers_by_the_local_day_of_registration(org):
    at = timezone.make_aware(datetime(2026, 3, 9, 23, 30))  # Asia/Shanghai
    first = f.registered(org, at=at)
    second = f.registered(org, at=at + timedelta(minutes=40))  # past midnight: the next day
    assert first.number.startswith("20260309") and len(first.number) == 14
    assert second.number.startswith("20260310")
    assert f.registered(org, at=at).number == first.number[:8] + f"{int(first.number[8:]) + 1:06d}"


def test_it_continues_after_numbers_written_without_it(org):
    at = timezone.make_aware(datetime(2025, 4, 1, 9, 0))
    numbers_advance(day=at.date(), last=41)  # a bulk seed wrote 000001 … 000041
    assert day_floor(at.date()) >= 41
    assert f.registered(org, at=at).number == "20250401000042"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite path")
def test_it_takes_the_number_back_when_the_registration_rolls_back_on_sqlite(org):
    at = timezone.now()
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(at)
        raise RuntimeError
    assert WorkOrderSequence.objects.filter(last__gt=0).count() == 0


@pytest.fixture
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite serialises all writers")


def _threads(work, n: int) -> list[object]:
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_gives_n_parallel_registrations_n_distinct_numbers(_postgres, org):
    results = _threads(lambda i: [f.registered(org).number for _ in range(5)], THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [n for r in results for n in r]
    assert len(set(numbers)) == THREADS * 5 == WorkOrder.objects.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_numbers_while_another_registration_is_uncommitted(_postgres, org):
    """One registration holds its transaction open; another, which may not wait for any lock
    (lock_timeout), is numbered and commits; the first then commits, and a third rolls back,
    leaving a gap that is never filled."""
    f.registered(org)  # the day's sequence exists; this test is about the next ones
    numbered, release = threading.Event(), threading.Event()

    def holder(_i: int) -> str:
        with transaction.atomic():
            number = f.registered(org).number
            numbered.set()
            release.wait(timeout=60)
        return number

    def other(_i: int) -> str:
        numbered.wait(timeout=60)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                return f.registered(org).number
        finally:
            release.set()

    held, free = _threads(lambda i: (holder if i == 0 else other)(i), 2)
    assert not isinstance(free, OperationalError), "the second registration waited for a lock"
    assert isinstance(held, str) and isinstance(free, str), (held, free)
    assert held != free and int(free[8:]) == int(held[8:]) + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = f.registered(org).number
        raise RuntimeError
    after = f.registered(org).number
    assert int(after[8:]) == int(lost[8:]) + 1  # a gap: the rolled-back number is not reused
    assert not WorkOrder.objects.filter(number=lost).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="day sequences are PostgreSQL's")
# Committed: the job drops in its own transaction, and the sequence is made again in a second
# connection, which must see the drop.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_drops_the_sequences_of_old_days_and_keeps_their_last_number(org, settings):
    from hotline.core.periodic import jobs
    from hotline.workorders.numbering import number_sequences_drop, sequence_name
    from hotline.workorders.tasks import drop_old_number_sequences

    settings.HOTLINE = {**settings.HOTLINE, "NUMBER_SEQUENCE_KEEP_DAYS": 7}
    old_at = timezone.now() - timedelta(days=9)
    recent_at = timezone.now() - timedelta(days=2)
    old = f.registered(org, at=old_at)
    f.registered(org, at=recent_at)
    old_day = timezone.localdate(old_at)
    last = int(old.number[8:])

    def exists(at: datetime) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [sequence_name(timezone.localdate(at))])
            return cursor.fetchone()[0] is not None

    assert drop_old_number_sequences() >= 1
    assert not exists(old_at) and exists(recent_at)
    assert WorkOrderSequence.objects.get(day=old_day).last >= last
    assert number_sequences_drop() == []  # nothing left to drop
    # An import back-dated to that day still numbers after the last one, on a new sequence.
    again = f.registered(org, at=old_at)
    assert again.number[:8] == old.number[:8] and int(again.number[8:]) > last
    assert "workorders.number_sequences" in {j.name for j in jobs()}
