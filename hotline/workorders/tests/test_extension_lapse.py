"""A pending extension request (延期申请) lapses when its order leaves the states where it can be
decided: it leaves the supervisor's queue, the order no longer shows it pending, and an event
says why (history is appended to, never rewritten)."""

from __future__ import annotations

import pytest

from hotline.workorders.choices import Action, ExtensionStatus, Status
from hotline.workorders.errors import IllegalTransition
from hotline.workorders.models import ExtensionRequest, WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories as f

DESK = "/desk/supervise/"


def asked(order: WorkOrder, org) -> WorkOrder:
    return f.move(order, Action.REQUEST_EXTENSION, org.bob, note="需协调管网施工", days=5)


def queue(client, org) -> list[WorkOrder]:
    client.force_login(org.sue)
    return [row.order for row in client.get(DESK, {"tab": "extensions"}).context["rows"]]


def test_it_lapses_the_request_when_the_unit_replies(client, org):
    order = asked(f.in_progress(org), org)
    assert queue(client, org) == [order]
    order = f.move(order, Action.REPLY, org.bob, note="已修复")
    ext = ExtensionRequest.objects.get(order=order)
    assert (ext.status, ext.decision_note, ext.decided_by) == (
        ExtensionStatus.LAPSED,
        "工单已答复",
        org.bob,
    )
    last = order.events.order_by("-seq")[:2]
    assert [e.action for e in last] == [Action.LAPSE_EXTENSION, Action.REPLY]
    assert last[0].note == "工单已答复" and last[0].payload["extension"] == ext.pk
    assert last[0].to_status == Status.REPLIED and order.version == last[0].seq
    assert queue(client, org) == []


@pytest.mark.parametrize(
    ("action", "params", "actor", "reason"),
    [
        (Action.RETURN, {"note": "非我单位职责", "legal_basis": "三定方案"}, "bob", "工单已退单"),
        (Action.REASSIGN, {"lead_unit": "housing"}, "dave", "工单已改派"),
    ],
)
def test_it_lapses_the_request_when_the_unit_gives_the_order_up(
    client, org, action, params, actor, reason
):
    order = asked(f.in_progress(org), org)
    params = {k: getattr(org, v).pk if k == "lead_unit" else v for k, v in params.items()}
    f.move(order, action, getattr(org, actor), **params)
    ext = ExtensionRequest.objects.get(order=order)
    assert (ext.status, ext.decision_note) == (ExtensionStatus.LAPSED, reason)
    assert WorkOrderEvent.objects.filter(order=order, action=Action.LAPSE_EXTENSION).count() == 1
    assert queue(client, org) == []


def test_it_keeps_the_request_pending_through_moves_that_leave_it_decidable(client, org):
    order = asked(f.in_progress(org), org)
    f.move(order, Action.URGE, org.dave)
    f.move(order, Action.ADD_NOTE, org.alice, note="诉求人再次来电")
    assert ExtensionRequest.objects.get(order=order).status == ExtensionStatus.PENDING
    assert queue(client, org) == [order]
    f.move(order, Action.APPROVE_EXTENSION, org.sue)
    assert ExtensionRequest.objects.get(order=order).status == ExtensionStatus.APPROVED
    assert not WorkOrderEvent.objects.filter(action=Action.LAPSE_EXTENSION).exists()


def test_it_refuses_to_decide_once_the_order_has_moved_on(org):
    order = asked(f.in_progress(org), org)
    order = f.move(order, Action.REPLY, org.bob, note="已修复")
    with pytest.raises(IllegalTransition):
        f.move(order, Action.APPROVE_EXTENSION, org.sue)


def test_it_lists_only_decidable_requests_even_for_rows_written_before(client, org):
    order = f.replied(org)
    ExtensionRequest.objects.create(
        order=order,
        unit=org.water,
        days=3,
        reason="旧数据",
        requested_by=org.bob,
        requested_at=order.created_at,
    )
    assert queue(client, org) == []


def test_the_migration_lapses_requests_left_pending_before(org):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("hotline.workorders.migrations.0010_lapse_stale_extensions")
    order = f.replied(org)
    stale = ExtensionRequest.objects.create(
        order=order,
        unit=org.water,
        days=3,
        reason="旧数据",
        requested_by=org.bob,
        requested_at=order.created_at,
    )
    live = asked(f.in_progress(org), org)
    migration.lapse(apps, None)
    stale.refresh_from_db()
    assert stale.status == ExtensionStatus.LAPSED and stale.decided_by.username == "system"
    event = order.events.order_by("-seq").first()
    assert (event.action, event.note, event.seq) == (
        Action.LAPSE_EXTENSION,
        migration.REASON,
        order.version + 1,
    )
    assert ExtensionRequest.objects.get(order=live).status == ExtensionStatus.PENDING
