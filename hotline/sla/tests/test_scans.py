"""The time-limit scan, one step at a time, with time frozen; twice sends nothing twice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.sla.models import Notification, NotificationDelivery, SlaAction
from hotline.sla.scans import sla_scan
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests.factories import move, registered

# The golden cases were worked out with these rules (conftest), not the shipped default.
pytestmark = pytest.mark.usefixtures("golden_rules")

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def scan(when):
    with time_machine.travel(when, tick=False):
        return sla_scan()


def inquiry_in_progress(org):
    """Dispatched Mon 2 Mar 2026 10:00, acknowledged at once: reply due Wed 4 Mar 17:30,
    yellow at 80 % of the 55.5 hours (Wed 4 Mar 06:24)."""
    with time_machine.travel(at(2026, 3, 2), tick=False):
        order = move(
            registered(org, request_type="inquiry"), "dispatch", org.dave, lead_unit=org.water.pk
        )
        return move(order, "acknowledge", org.bob)


def test_it_does_nothing_before_the_warning_point(org):
    order = inquiry_in_progress(org)
    assert order.reply_warn_at == at(2026, 3, 4, 6, 24)
    assert scan(at(2026, 3, 4, 6, 23)) == {
        "warning": 0,
        "ack_overdue": 0,
        "urge": 0,
        "supervise": 0,
        "callback_overdue": 0,
    }
    assert not Notification.objects.exists()


def test_it_warns_the_unit_once(org):
    order = inquiry_in_progress(org)
    assert scan(at(2026, 3, 4, 6, 24))["warning"] == 1
    notes = Notification.objects.filter(order=order, kind="warning")
    assert {n.recipient for n in notes} == {org.bob, org.bella}
    assert "即将超期" in notes[0].title
    assert SlaAction.objects.filter(order=order, stage="warning").count() == 1
    # The second scan (and a later one) finds the step taken: nothing is sent twice.
    assert scan(at(2026, 3, 4, 6, 25))["warning"] == 0
    assert scan(at(2026, 3, 4, 12, 0))["warning"] == 0
    assert Notification.objects.filter(order=order, kind="warning").count() == 2


def test_it_urges_then_supervises_an_overdue_order_step_by_step(org):
    order = inquiry_in_progress(org)
    events_before = order.events.count()
    assert scan(at(2026, 3, 4, 17, 30))["urge"] == 0  # the deadline itself is still on time
    counts = scan(at(2026, 3, 4, 17, 31))
    assert counts["urge"] == 1 and counts["supervise"] == 0 and counts["warning"] == 0
    order.refresh_from_db()
    assert order.urge_count == 1 and order.replied_late
    urge = order.events.get(action="urge")
    assert urge.actor.is_system and "系统自动催办" in urge.note
    assert urge.payload["late"] == ["reply"]
    assert Notification.objects.filter(order=order, kind="urge", recipient=org.bob).exists()

    assert scan(at(2026, 3, 5, 17, 0)) == {
        "warning": 0,
        "ack_overdue": 0,
        "urge": 0,
        "supervise": 0,
        "callback_overdue": 0,
    }
    assert scan(at(2026, 3, 5, 17, 31))["supervise"] == 1  # 24 hours overdue: level 1
    order.refresh_from_db()
    assert order.supervision_level == 1
    sup = order.events.get(action="supervise")
    assert sup.actor.is_system and sup.payload["level"] == 1
    assert Notification.objects.filter(order=order, kind="supervise", recipient=org.sue).exists()
    assert Notification.objects.filter(order=order, kind="supervise", recipient=org.bob).exists()

    # 168 hours overdue: levels 2 and 3 are both due; each is raised once, in order.
    assert scan(at(2026, 3, 11, 17, 31))["supervise"] == 2
    assert scan(at(2026, 3, 11, 17, 32))["supervise"] == 0
    order.refresh_from_db()
    assert order.supervision_level == 3 and order.urge_count == 1
    assert order.events.count() == events_before + 4
    assert list(
        order.events.filter(action="supervise").values_list("payload__level", flat=True)
    ) == [1, 2, 3]


def test_it_warns_again_for_a_deadline_moved_by_an_extension(org):
    order = inquiry_in_progress(org)
    assert scan(at(2026, 3, 4, 6, 24))["warning"] == 1
    with time_machine.travel(at(2026, 3, 4, 8, 0), tick=False):
        order = move(order, "request_extension", org.bob, note="需协调", days=2)
        order = move(order, "approve_extension", org.sue)
    assert order.reply_due_at == at(2026, 3, 6, 17, 30)
    # Yellow again at 80 % of the new span from the dispatch: Thu 5 Mar 20:48.
    assert order.reply_warn_at == at(2026, 3, 5, 20, 48)
    assert scan(at(2026, 3, 5, 20, 47))["warning"] == 0
    assert scan(at(2026, 3, 5, 20, 48))["warning"] == 1
    assert SlaAction.objects.filter(order=order, stage="warning").count() == 2


def test_it_urges_an_order_not_acknowledged_in_time(org):
    with time_machine.travel(at(2026, 3, 7, 23, 55), tick=False):
        order = move(
            registered(org, urgency="critical"), "dispatch", org.dave, lead_unit=org.water.pk
        )
    assert scan(at(2026, 3, 8, 0, 10))["ack_overdue"] == 0
    assert scan(at(2026, 3, 8, 0, 11))["ack_overdue"] == 1
    assert scan(at(2026, 3, 8, 0, 15))["ack_overdue"] == 0
    order.refresh_from_db()
    assert order.acknowledged_late and order.urge_count == 1
    assert order.events.get(action="urge").actor.is_system
    assert Notification.objects.filter(order=order, kind="ack_overdue", recipient=org.bob).exists()


def test_it_tells_the_callback_desk_of_a_callback_past_due(org):
    order = inquiry_in_progress(org)
    with time_machine.travel(at(2026, 3, 3), tick=False):
        order = move(order, "reply", org.bob, note="已答复")
        order = move(order, "accept_reply", org.sue)
    assert scan(at(2026, 3, 6, 17, 30))["callback_overdue"] == 0
    assert scan(at(2026, 3, 6, 17, 31))["callback_overdue"] == 1
    assert scan(at(2026, 3, 6, 17, 35))["callback_overdue"] == 0
    assert Notification.objects.filter(
        order=order, kind="callback_overdue", recipient=org.carl
    ).exists()
    assert not Notification.objects.filter(order=order, recipient=org.bob).exists()


def test_it_leaves_a_replied_order_alone(org):
    order = inquiry_in_progress(org)
    with time_machine.travel(at(2026, 3, 3), tick=False):
        move(order, "reply", org.bob, note="已答复")
    assert sum(scan(at(2026, 3, 20)).values()) == 0
    assert not WorkOrderEvent.objects.filter(order=order, action__in=["urge", "supervise"]).exists()


def test_it_delivers_by_sms_and_email_and_records_each_delivery(org, capsys):
    org.bob.phone = "13900001111"
    org.bob.email = "bob@water.example"
    org.bob.save()
    inquiry_in_progress(org)
    scan_with_commit(at(2026, 3, 4, 6, 24))
    note = Notification.objects.get(recipient=org.bob)
    deliveries = {d.channel: d for d in NotificationDelivery.objects.filter(notification=note)}
    assert deliveries["sms"].ok and deliveries["email"].ok
    assert "[SMS] 13900001111" in capsys.readouterr().out
    assert [m.to for m in mail.outbox] == [["bob@water.example"]]
    # bella has neither phone nor e-mail: in-app only.
    assert not NotificationDelivery.objects.filter(notification__recipient=org.bella).exists()


def scan_with_commit(when):
    # The channels deliver after commit; the test's transaction never commits, so run them.
    with TestCase.captureOnCommitCallbacks(execute=True):
        scan(when)


def test_it_takes_no_step_another_scan_recorded(org):
    order = inquiry_in_progress(org)
    SlaAction.objects.create(
        order=order, stage="urge", level=1, due_at=order.reply_due_at, created_at=at(2026, 3, 4)
    )
    assert scan(at(2026, 3, 4, 18))["urge"] == 0
    assert WorkOrder.objects.get(pk=order.pk).urge_count == 0


def test_it_notifies_only_active_unit_staff(org):
    user_create(username="gone", password="x-12345-y", memberships=[(org.water, Role.UNIT_HANDLER)])
    from hotline.accounts.models import User

    User.objects.filter(username="gone").update(is_active=False)
    inquiry_in_progress(org)
    scan(at(2026, 3, 4, 6, 24))
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "bob",
        "bella",
    }
