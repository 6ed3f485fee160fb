"""`seed_demo --bulk N`: orders written with bulk inserts must be as consistent as the ones the
services write — every history leads to the order's state, versions count the events, and a
dispatched order has its assignments."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.demo.bulk import seed_bulk
from hotline.workorders.choices import WITH_UNIT, Action, AssignmentRole, Status
from hotline.workorders.models import (
    WorkOrder,
    WorkOrderAssignment,
    WorkOrderEvent,
    WorkOrderSequence,
)
from hotline.workorders.services import workorder_register
from hotline.workorders.transitions import TRANSITIONS

END = date(2025, 6, 30)


@pytest.fixture
def bulk(db):
    return seed_bulk(orders=400, seed=5, days=40, end_date=END, use_corpus=False)


def test_it_writes_the_orders_it_reports(bulk):
    assert bulk.created == WorkOrder.objects.count() == 400
    assert bulk.events == WorkOrderEvent.objects.count()
    assert bulk.assignments == WorkOrderAssignment.objects.count()
    assert Counter(WorkOrder.objects.values_list("status", flat=True)) == bulk.statuses
    # Old orders are done; the last days leave work in the queues.
    assert bulk.statuses[Status.CLOSED] > 200
    assert bulk.statuses[Status.IN_PROGRESS] + bulk.statuses[Status.DISPATCHED] > 0


def test_it_gives_every_order_a_history_that_leads_to_its_state(bulk):
    events = defaultdict(list)
    for e in WorkOrderEvent.objects.order_by("order_id", "seq"):
        events[e.order_id].append(e)
    for order in WorkOrder.objects.all():
        history = events[order.pk]
        assert [e.seq for e in history] == list(range(1, len(history) + 1))
        assert order.version == len(history)
        assert history[0].action == Action.REGISTER and history[0].from_status == ""
        assert history[-1].to_status == order.status
        assert order.updated_at == history[-1].created_at
        for before, after in pairwise(history):
            # Each move starts where the previous one ended, from a state the table allows.
            assert after.from_status == before.to_status
            assert after.from_status in TRANSITIONS[after.action].sources
            assert after.created_at >= before.created_at


def test_it_gives_dispatched_orders_their_assignments(bulk):
    leads = {
        a.order_id: a
        for a in WorkOrderAssignment.objects.filter(is_active=True, role=AssignmentRole.LEAD)
    }
    dispatched = WorkOrder.objects.filter(lead_unit__isnull=False)
    assert dispatched.exists()
    for order in dispatched:
        assert leads[order.pk].unit_id == order.lead_unit_id
        assert order.reply_due_at is not None and order.dispatched_at is not None
    for order in WorkOrder.objects.filter(status__in=WITH_UNIT):
        assert order.pk in leads
    replied = WorkOrderAssignment.objects.filter(replied_at__isnull=False).count()
    assert replied == WorkOrderEvent.objects.filter(action=Action.REPLY).count()
    # A returned-and-reassigned order keeps its first assignment, inactive, for the record.
    for event in WorkOrderEvent.objects.filter(action=Action.REASSIGN):
        old = WorkOrderAssignment.objects.filter(order_id=event.order_id, is_active=False)
        assert old.filter(returned_at__isnull=False).exists()


def test_it_records_the_knowledge_entry_of_every_direct_answer(bulk):
    from hotline.knowledge.choices import EntryStatus
    from hotline.knowledge.models import Entry, Use

    assert Entry.objects.filter(status=EntryStatus.PUBLISHED).count() >= 80
    direct = WorkOrderEvent.objects.filter(action=Action.RESOLVE_AT_INTAKE)
    uses = {u.order_id: u for u in Use.objects.select_related("entry", "order__request_type")}
    assert len(uses) == direct.count() > 100
    for event in direct:
        use = uses[event.order_id]
        assert (use.used_by_id, use.used_at) == (event.actor_id, event.created_at)
        assert use.entry.request_type_id == use.order.request_type_id
        assert use.version == use.entry.version


def test_it_continues_the_daily_number_sequence(bulk):
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    last = WorkOrder.objects.order_by("-created_at").first()
    seq = WorkOrderSequence.objects.get(day=timezone.localdate(last.created_at))
    assert seq.last == int(max(n for n in numbers if n[:8] == last.number[:8])[8:])
    # An order registered through the service on that day takes the next free number.
    fresh = workorder_register(
        actor=User.objects.get(username="agent1"),
        channel="phone",
        request_type="inquiry",
        title="社保卡补办",
        content="请问社保卡丢了怎么补办？",
        requester_phone="13700001111",
        at=last.created_at,
    )
    assert fresh.number == f"{last.number[:8]}{seq.last + 1:06d}"


def test_it_is_reached_through_seed_demo(db):
    out = StringIO()
    call_command(
        "seed_demo", "--bulk", "30", "--days", "5", "--end-date", "2025-06-30",
        "--builtin-texts", stdout=out,
    )  # fmt: skip
    assert WorkOrder.objects.count() == 30
    assert "批量写入 30 件工单" in out.getvalue()
    with pytest.raises(CommandError, match="--bulk"):
        call_command("seed_demo", "--bulk", "0", stdout=StringIO())


def test_it_writes_the_calls_behind_the_phone_orders(bulk):
    from hotline.telephony.choices import CallOutcome
    from hotline.telephony.models import CallRecord

    phone = WorkOrder.objects.filter(channel="phone")
    assert phone.exists()
    assert bulk.calls == CallRecord.objects.count()
    # Every phone order is one answered call; around them come abandoned and IVR calls.
    answered_with_order = CallRecord.objects.filter(order__isnull=False)
    assert answered_with_order.count() == phone.count()
    assert set(answered_with_order.values_list("outcome", flat=True)) == {CallOutcome.ANSWERED}
    assert CallRecord.objects.filter(outcome=CallOutcome.ABANDONED).exists()


def test_it_splits_a_run_into_parts_of_whole_days(db):
    reports = [
        seed_bulk(orders=300, seed=5, days=20, end_date=END, use_corpus=False, part=k, parts=2)
        for k in range(2)
    ]
    assert sum(r.created for r in reports) == WorkOrder.objects.count() == 300
    assert all(r.created > 0 for r in reports)
    # No day is shared between the parts, so the numbers never collide.
    days = [set(), set()]
    numbers = WorkOrder.objects.order_by("pk").values_list("number", flat=True)
    for i, number in enumerate(numbers):  # part 0 wrote first
        days[0 if i < reports[0].created else 1].add(number[:8])
    assert days[0] and days[1] and not days[0] & days[1]
    with pytest.raises(ValueError):
        seed_bulk(orders=10, seed=5, part=2, parts=2)


def test_it_replicates_the_orders_with_their_rows_on_postgresql(db):
    from django.db import connection

    from hotline.core.demo.bulk import bulk_replicate
    from hotline.telephony.models import CallRecord

    if connection.vendor != "postgresql":
        with pytest.raises(ValueError):
            bulk_replicate(2)
        return
    from hotline.knowledge.models import Use

    seed_bulk(orders=60, seed=5, days=10, end_date=END, use_corpus=False)
    events, calls, uses = (m.objects.count() for m in (WorkOrderEvent, CallRecord, Use))
    assert uses > 0
    assert bulk_replicate(3) == WorkOrder.objects.count() == 180
    assert WorkOrderEvent.objects.count() == 3 * events
    assert CallRecord.objects.count() == 3 * calls
    assert Use.objects.count() == 3 * uses
    numbers = list(WorkOrder.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 180
    for order in WorkOrder.objects.filter(pk__gt=60):
        last = order.events.order_by("-seq").first()
        assert last.to_status == order.status and order.version == last.seq
        assert order.calls.count() == (1 if order.channel == "phone" else 0)
    # A new order continues the day's sequence after the copies' numbers.
    assert WorkOrderSequence.objects.order_by("-last").first().last > 200_000
