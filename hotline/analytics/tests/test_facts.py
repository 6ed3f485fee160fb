"""The per-order facts the KPI passes read (analytics.facts): what each row holds for a known
history, and that a figure read after a later move counts the order's new state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.analytics.facts import COUNTED, LOOKBACK, facts_refresh
from hotline.analytics.kpi_batch import batch_figures
from hotline.analytics.kpis import KPIS, kpi_table
from hotline.analytics.models import WorkOrderFacts, WorkOrderFactsMark
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.services import workorder_register

from .test_kpis import WEEK, at, go, history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db


def _order(phone: str) -> WorkOrder:
    return WorkOrder.objects.get(requester_phone=phone, created_at__lt=at(6))


def _facts(order: WorkOrder) -> WorkOrderFacts:
    return WorkOrderFacts.objects.get(order=order)


def _same_as_own_functions(codes: list[str]) -> dict:
    base = WorkOrder.objects.all()
    batched = dict((k.code, fig) for k, fig in kpi_table(WEEK, base, codes))
    for code in codes:
        assert batched[code] == KPIS[code].compute(WEEK, base), code
    return batched


def test_it_holds_each_orders_answers_by_hand(history):  # noqa: F811
    refreshed = facts_refresh()
    assert refreshed.full and refreshed.orders == WorkOrder.objects.count() == 7
    o1, o2, o3, o5 = (_order(f"1390000000{n}") for n in (1, 2, 3, 5))
    o7 = WorkOrder.objects.get(requester_phone="13900000002", created_at=at(6))
    assert _facts(o1).resolved_at_intake and not _facts(o2).resolved_at_intake
    assert _facts(o2).closed and _facts(o3).closed and not _facts(o1).closed
    # o2 contacted two hours after its dispatch; o3 by housing two hours after the reassignment.
    assert _facts(o2).contact_delay == timedelta(hours=2)
    assert _facts(o3).contact_delay == timedelta(hours=2) and _facts(o3).acknowledged_late
    # o5 was contacted but never acknowledged: no acknowledged round, no delay.
    assert not _facts(o5).lead_acknowledged and _facts(o5).contact_delay is None
    assert _facts(o7).previous_same_at == o2.created_at
    assert _facts(o2).previous_same_at is None  # o1's number is another
    for order in WorkOrder.objects.all():
        row = _facts(order)
        assert (row.version, row.lead_unit_id, row.reply_due_at) == (
            order.version,
            order.lead_unit_id,
            order.reply_due_at,
        )
    assert facts_refresh().orders == 0  # nothing moved since


def test_a_figure_counts_a_move_made_after_the_facts_were_built(history, org):  # noqa: F811
    codes = ["closure", "callback_rate", "on_time_acknowledge", "response"]
    before = _same_as_own_functions(codes)
    assert (before["closure"].numerator, before["closure"].denominator) == (2, 6)
    o1 = _order("13900000001")
    go(o1, "callback", org.carl, at(7, 10), rating="satisfied", solved=True)  # closes o1
    assert not _facts(o1).closed  # stale until a figure (or the periodic job) reads it
    after = _same_as_own_functions(codes)
    assert (after["closure"].numerator, after["closure"].denominator) == (3, 6)
    assert _facts(o1).closed and _facts(o1).version == WorkOrder.objects.get(pk=o1.pk).version
    assert batch_figures(WEEK, WorkOrder.objects.all(), codes) == after


def test_only_the_orders_moved_since_are_rebuilt(history, org):  # noqa: F811
    facts_refresh()
    o5 = _order("13900000005")
    go(o5, "acknowledge", org.bob, at(5, 11))
    assert facts_refresh().orders == 1
    assert _facts(o5).lead_acknowledged and _facts(o5).contact_delay == timedelta(hours=2)
    _same_as_own_functions(["on_time_acknowledge", "response", "composite"])


def test_an_order_registered_in_the_past_makes_later_ones_repeats_of_it(history, org):  # noqa: F811
    facts_refresh()
    o2 = _order("13900000002")
    o7 = WorkOrder.objects.get(requester_phone="13900000002", created_at=at(6))
    o8 = workorder_register(
        actor=org.alice,
        channel="phone",
        request_type="complaint",
        title="又停水",
        content="小区又停水",
        requester_phone=o2.requester_phone,
        category=o2.category_id,
        region=org.street.code,
        at=at(5),
    )
    assert facts_refresh().orders == 2  # o8 itself, and o7 whose previous request is now o8
    assert _facts(o7).previous_same_at == o8.created_at == at(5)
    assert _facts(o8).previous_same_at == o2.created_at
    figures = _same_as_own_functions(["repeat_calls", "registered"])
    assert (figures["repeat_calls"].numerator, figures["repeat_calls"].denominator) == (2, 7)


def test_the_full_refresh_repairs_what_the_incremental_one_cannot_see(history):  # noqa: F811
    facts_refresh()
    o2 = _order("13900000002")
    # A row gone wrong behind the mark's back (as if its event had committed long after
    # later ones): the incremental refresh does not look so far back, the full one does.
    WorkOrderFacts.objects.filter(order=o2).update(version=0, closed=False)
    top = WorkOrderEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    WorkOrderFactsMark.objects.filter(pk=1).update(event_id=top + LOOKBACK + 1)
    assert facts_refresh().orders == 0 and not _facts(o2).closed
    refreshed = facts_refresh(full=True)
    assert refreshed.full and refreshed.orders == 1
    assert _facts(o2).closed


def test_a_city_can_look_further_back(history, settings):  # noqa: F811
    """HOTLINE_FACTS_LOOKBACK: with a longer look-back the incremental refresh finds the row
    the default one missed above."""
    facts_refresh()
    o2 = _order("13900000002")
    WorkOrderFacts.objects.filter(order=o2).update(version=0, closed=False)
    top = WorkOrderEvent.objects.order_by("-pk").values_list("pk", flat=True)[0]
    WorkOrderFactsMark.objects.filter(pk=1).update(event_id=top + LOOKBACK + 1)
    settings.HOTLINE = {**settings.HOTLINE, "FACTS_LOOKBACK": 2 * LOOKBACK}
    assert facts_refresh().orders >= 1 and _facts(o2).closed  # o2, and the orders it repeats


def test_a_city_can_size_the_full_passes_batches(history, settings, monkeypatch):  # noqa: F811
    """HOTLINE_FACTS_BATCH: the full pass writes in batches of that many order ids (one
    transaction each), with the same rows."""
    from hotline.analytics import facts

    calls: list[int] = []
    real = facts._upsert
    monkeypatch.setattr(facts, "_upsert", lambda orders: calls.append(1) or real(orders))
    last = WorkOrder.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert facts_refresh(full=True).orders == 7 and len(calls) == last // facts.BATCH + 1
    calls.clear()
    WorkOrderFacts.objects.update(version=0)
    settings.HOTLINE = {**settings.HOTLINE, "FACTS_BATCH": 2}
    assert facts_refresh(full=True).orders == 7 and len(calls) == last // 2 + 1


@pytest.mark.parametrize("value", [0, -5, "100", True])
def test_a_bad_facts_setting_is_a_configuration_error(history, settings, value):  # noqa: F811
    from django.core.exceptions import ImproperlyConfigured

    settings.HOTLINE = {**settings.HOTLINE, "FACTS_BATCH": value}
    with pytest.raises(ImproperlyConfigured, match="HOTLINE_FACTS_BATCH"):
        facts_refresh(full=True)


def test_a_periodic_job_keeps_them_fresh(history, org):  # noqa: F811
    from hotline.analytics.tasks import refresh_facts, refresh_facts_full
    from hotline.core import periodic

    jobs = {job.name: job for job in periodic.jobs()}
    assert jobs["analytics.refresh_facts"].every == timedelta(minutes=1)
    assert jobs["analytics.refresh_facts_full"].daily_at is not None
    counted = WorkOrderEvent.objects.filter(action__in=COUNTED).count()
    assert refresh_facts() == 7 + counted  # the first refresh builds every row
    o1 = _order("13900000001")
    go(o1, "callback", org.carl, at(7, 10), rating="satisfied", solved=True)
    assert refresh_facts() == 1 + 1 and _facts(o1).closed  # o1's row, its callback's
    assert refresh_facts_full() == 0


def test_the_counted_events_are_copied_once_with_their_rating(history, org):  # noqa: F811
    from hotline.analytics.facts import event_facts_refresh
    from hotline.analytics.kpi_batch import EVENT_ACTIONS
    from hotline.analytics.models import WorkOrderEventFacts

    assert set(COUNTED) == set(EVENT_ACTIONS)
    first = event_facts_refresh()
    counted = WorkOrderEvent.objects.filter(action__in=COUNTED)
    assert first.full and first.orders == counted.count() == WorkOrderEventFacts.objects.count()
    o2 = _order("13900000002")
    callback = WorkOrderEventFacts.objects.get(order=o2, action="callback")
    assert (callback.rating, callback.solved) == ("satisfied", True)
    assert WorkOrderEventFacts.objects.get(order=o2, action="dispatch").rating == ""
    # The margin re-reads the last events: the rows are there already, none counted twice.
    assert event_facts_refresh().orders == 0
    o1 = _order("13900000001")
    go(o1, "callback", org.carl, at(7, 10), rating="fairly_satisfied", solved=False)
    assert event_facts_refresh().orders == 1
    figures = _same_as_own_functions(["satisfaction", "resolution", "callback_rate"])
    assert (figures["satisfaction"].numerator, figures["satisfaction"].denominator) == (3, 4)


def test_the_command_builds_both(history):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("kpi_facts", stdout=out)
    assert "orders, full: 7 rows" in out.getvalue()
    assert WorkOrderFacts.objects.count() == 7
    out = StringIO()
    call_command("kpi_facts", "--full", stdout=out)
    assert "orders, full: 0 rows" in out.getvalue()  # every version already matches
