"""Deadlines set, moved and recorded by the moves of an order (the workorder_changing hook)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.sla.models import CalendarDay, CalendarYear, Notification, SlaAlert, TimeLimitRule
from hotline.sla.services import sla_recompute
from hotline.workorders.errors import IllegalTransition
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests.factories import move, registered

# The golden cases were worked out with these rules (conftest), not the shipped default.
pytestmark = pytest.mark.usefixtures("golden_rules")

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def dispatch(org, order, when):
    with time_machine.travel(when, tick=False):
        return move(order, "dispatch", org.dave, lead_unit=org.water.pk)


def last_event(order):
    return order.events.order_by("-seq").first()


def test_it_sets_the_deadlines_on_dispatch_in_the_same_move(org):
    order = dispatch(org, registered(org, request_type="complaint"), at(2026, 2, 13))
    # Acknowledge: 1 working day (Sat 14 Feb is a make-up day); reply: 15 working days.
    assert order.acknowledge_due_at == at(2026, 2, 14, 17, 30)
    assert order.reply_due_at == at(2026, 3, 12, 17, 30)
    # Warning at 80 % of the 27 days: Saturday 7 March 06:24.
    assert order.reply_warn_at == at(2026, 3, 7, 6, 24)
    event = last_event(order)
    assert event.action == "dispatch"
    clocks = event.payload["clocks"]
    assert clocks["reply_due_at"] == "2026-03-12T17:30:00+08:00"
    assert clocks["acknowledge_due_at"] == "2026-02-14T17:30:00+08:00"
    assert (
        clocks["rules"]["reply"]
        == TimeLimitRule.objects.get(clock="reply", request_type__code="complaint").pk
    )


def test_it_warns_one_working_day_before_when_the_city_says_so(org, settings):
    settings.SLA = {**settings.SLA, "WARN_WORKDAYS_LEFT": 1}
    order = dispatch(org, registered(org, request_type="complaint"), at(2026, 2, 13))
    assert order.reply_warn_at == at(2026, 3, 11, 17, 30)


def test_it_gives_a_critical_order_15_minutes_at_2355_on_a_saturday(org):
    order = dispatch(
        org, registered(org, urgency="critical", request_type="help"), at(2026, 3, 7, 23, 55)
    )
    assert order.acknowledge_due_at == at(2026, 3, 8, 0, 10)
    # Reply in 10 working days counted from Monday 9 March.
    assert order.reply_due_at == at(2026, 3, 20, 17, 30)


def test_it_records_a_late_acknowledgement_for_good(org):
    order = dispatch(org, registered(org, urgency="critical"), at(2026, 3, 7, 23, 55))
    with time_machine.travel(at(2026, 3, 8, 0, 30), tick=False):
        order = move(order, "acknowledge", org.bob)
    assert order.acknowledged_late
    assert last_event(order).payload["late"] == ["acknowledge"]
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        order = move(order, "reply", org.bob, note="已处理")
    assert order.acknowledged_late and not order.replied_late


def test_it_records_a_late_reply_and_keeps_it_after_a_redo(org):
    order = dispatch(org, registered(org, request_type="inquiry"), at(2026, 3, 2))
    assert order.reply_due_at == at(2026, 3, 4, 17, 30)
    with time_machine.travel(at(2026, 3, 3), tick=False):
        order = move(order, "acknowledge", org.bob)
    with time_machine.travel(at(2026, 3, 5), tick=False):
        order = move(order, "reply", org.bob, note="已答复")
        assert order.replied_late
        order = move(order, "accept_reply", org.sue)
        order = move(order, "callback", org.carl, rating="dissatisfied", solved=False)
        order = move(order, "redo", org.sue, note="诉求人不满意，重办")
    assert order.reply_due_at == at(2026, 3, 9, 17, 30)
    assert order.replied_late  # the first round's lateness is not erased
    assert last_event(order).payload["clocks"]["reply_due_at"] == "2026-03-09T17:30:00+08:00"


def test_it_moves_the_reply_deadline_by_an_approved_extension(org, settings):
    settings.SLA = {**settings.SLA, "WARN_WORKDAYS_LEFT": 1}
    order = dispatch(org, registered(org, request_type="complaint"), at(2026, 9, 14))
    # 15 working days from Mon 14 Sep: Sun 20 Sep and Sat 10 Oct are make-up days.
    assert order.reply_due_at == at(2026, 10, 10, 17, 30)
    with time_machine.travel(at(2026, 9, 15), tick=False):
        order = move(order, "acknowledge", org.bob)
        order = move(order, "request_extension", org.bob, note="需现场勘查", days=3)
        order = move(order, "approve_extension", org.sue)
    # Sat 10 Oct + 3 working days: Mon 12, Tue 13, Wed 14; yellow with one day left.
    assert order.reply_due_at == at(2026, 10, 14, 17, 30)
    assert order.reply_warn_at == at(2026, 10, 13, 17, 30)
    clocks = last_event(order).payload["clocks"]
    assert clocks["previous_reply_due_at"] == "2026-10-10T17:30:00+08:00"
    assert clocks["reply_due_at"] == "2026-10-14T17:30:00+08:00"
    assert not order.replied_late


def test_it_records_lateness_when_an_extension_is_approved_after_the_deadline(org):
    order = dispatch(org, registered(org, request_type="inquiry"), at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 3), tick=False):
        order = move(order, "acknowledge", org.bob)
        order = move(order, "request_extension", org.bob, note="需协调", days=2)
    with time_machine.travel(at(2026, 3, 5), tick=False):
        order = move(order, "approve_extension", org.sue)
    assert order.replied_late
    assert order.reply_due_at == at(2026, 3, 6, 17, 30)


def test_it_starts_a_new_round_on_reassign(org):
    order = dispatch(org, registered(org, request_type="inquiry"), at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 3, 11), tick=False):
        order = move(order, "reassign", org.dave, lead_unit=org.housing.pk)
    assert order.acknowledge_due_at == at(2026, 3, 4, 17, 30)
    assert order.reply_due_at == at(2026, 3, 5, 17, 30)
    assert last_event(order).payload["clocks"]["reply_due_at"] == "2026-03-05T17:30:00+08:00"


def test_it_records_a_return_after_the_return_window_as_late(org):
    order = dispatch(org, registered(org), at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 4), tick=False):
        order = move(order, "return", org.bob, note="非我单位职责", legal_basis="《条例》")
    assert order.status == "returned"
    payload = last_event(order).payload
    # Never acknowledged either: that is late too (its 1 working day ended on 3 March).
    assert payload["late"] == ["acknowledge", "return"]
    assert payload["return_due_at"] == "2026-03-03T17:30:00+08:00"


def test_it_refuses_a_late_return_where_the_city_says_so(org, settings):
    settings.SLA = {**settings.SLA, "REFUSE_LATE_RETURN": True}
    order = dispatch(org, registered(org), at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 4), tick=False):
        with pytest.raises(IllegalTransition) as e:
            move(order, "return", org.bob, note="非我单位职责", legal_basis="《条例》")
    assert "退单时限" in str(e.value)
    order.refresh_from_db()
    assert order.status == "dispatched" and order.return_count == 0
    assert not order.events.filter(action="return").exists()


def test_it_allows_a_return_within_the_window(org):
    order = dispatch(org, registered(org), at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 3, 17), tick=False):
        order = move(order, "return", org.bob, note="非我单位职责", legal_basis="《条例》")
    assert order.status == "returned"
    assert "late" not in last_event(order).payload


def test_it_sets_the_callback_deadline_when_the_reply_is_accepted(org):
    order = dispatch(org, registered(org, request_type="inquiry"), at(2026, 3, 2))
    with time_machine.travel(at(2026, 3, 3), tick=False):
        order = move(order, "acknowledge", org.bob)
        order = move(order, "reply", org.bob, note="已答复")
        order = move(order, "accept_reply", org.sue)
    assert order.callback_due_at == at(2026, 3, 6, 17, 30)
    assert last_event(order).payload["clocks"] == {"callback_due_at": "2026-03-06T17:30:00+08:00"}


def test_it_dispatches_without_a_deadline_and_alerts_the_admin_when_the_calendar_ends(org):
    admin = user_create(
        username="root", password="x-12345-y", memberships=[(org.centre, Role.ADMIN)]
    )
    order = dispatch(org, registered(org, request_type="complaint"), at(2026, 12, 21))
    assert order.status == "dispatched"
    assert order.reply_due_at is None and order.reply_warn_at is None
    assert order.acknowledge_due_at is None
    event = last_event(order)
    assert "2027" in event.payload["clock_error"]
    alert = SlaAlert.objects.get(order=order)
    assert alert.missing_date.year == 2027 and alert.resolved_at is None
    note = Notification.objects.get(recipient=admin, order=order)
    assert note.kind == "calendar"

    # The administrator enters 2027 and recomputes: a system event carries the new clocks.
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕测试")
    CalendarDay.objects.create(date=datetime(2027, 1, 1).date(), is_workday=False, name="元旦")
    with time_machine.travel(at(2026, 12, 22), tick=False):
        sla_recompute(order=order.pk)
    order.refresh_from_db()
    # 15 working days counted from the dispatch (Mon 21 Dec 2026), 1 Jan 2027 off: Tue 12 Jan.
    assert order.reply_due_at == at(2027, 1, 12, 17, 30)
    assert order.acknowledge_due_at == at(2026, 12, 22, 17, 30)
    event = last_event(order)
    assert event.action == "add_note" and event.actor.is_system
    assert event.payload["clocks"]["reply_due_at"] == "2027-01-12T17:30:00+08:00"
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_it_counts_the_first_day_when_the_city_says_so(org, settings):
    settings.SLA = {**settings.SLA, "COUNTING": "inclusive"}
    order = dispatch(org, registered(org, request_type="inquiry"), at(2026, 3, 2))
    assert order.reply_due_at == at(2026, 3, 3, 17, 30)


def test_it_leaves_orders_without_a_rule_without_a_deadline(org):
    TimeLimitRule.objects.filter(clock="reply").delete()
    order = dispatch(org, registered(org), at(2026, 3, 2))
    assert order.reply_due_at is None
    assert order.acknowledge_due_at is not None
    assert WorkOrder.objects.filter(pk=order.pk, reply_warn_at__isnull=True).exists()
