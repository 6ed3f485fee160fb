"""Closing after callback (domain.md §3): a satisfied rating or the last unreachable attempt
closes by itself; by hand only a dissatisfied order (with a reason) or one whose requester cannot
be called back. The service, the API and the desk refuse the rest, and say why. A redo of an
order resolved at intake (直办) must name a unit: there is no original one."""

import pytest
from django.urls import reverse

from hotline.workorders.choices import Action, Status
from hotline.workorders.errors import IllegalTransition, InvalidInput
from hotline.workorders.models import WorkOrderEvent
from hotline.workorders.services import workorder_transition
from hotline.workorders.tests import factories as f

HX = {"HTTP_HX_REQUEST": "true"}


def _act(client, order, action, data=None):
    prefix = f"{action}-{order.number}"
    fields = {f"{prefix}-expected_version": order.version}
    fields.update({f"{prefix}-{k}": v for k, v in data.items()})
    return client.post(reverse("desk_callback_act", args=[order.number, action]), fields, **HX)


def _direct(org, **kw):
    order = f.registered(org, **kw)
    return f.move(order, "resolve_at_intake", org.alice, note="已按知识库答复：停水通知见公告。")


def test_it_refuses_the_service_a_close_without_any_callback(org):
    order = f.awaiting_callback(org)
    with pytest.raises(IllegalTransition) as err:
        workorder_transition(order=order, action="close", actor=org.carl, note="办结")
    assert "尚未回访" in err.value.message and "0/3" in err.value.message
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK and order.closed_at is None
    assert not WorkOrderEvent.objects.filter(order=order, action=Action.CLOSE).exists()


def test_it_refuses_the_service_a_close_after_unreachable_attempts_short_of_the_limit(org):
    order = f.move(f.awaiting_callback(org), "callback_unreachable", org.carl)
    with pytest.raises(IllegalTransition):
        workorder_transition(order=order, action="close", actor=org.sue, note="联系不上")
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK


def test_it_closes_an_anonymous_order_with_a_reason(org):
    order = f.awaiting_callback(org, is_anonymous=True, requester_phone="")
    f.move(order, "close", org.carl, note="匿名诉求，无法回访，按办结处理。")
    assert order.status == Status.CLOSED and order.rating == ""


def test_it_refuses_the_desk_a_close_without_callback_and_does_not_offer_it(client, org):
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    panel = client.get(reverse("desk_callback_panel", args=[order.number]), **HX)
    assert "close" not in [form.action for form in panel.context["forms"]]
    response = _act(client, order, "close", {"note": "已办结"})
    assert response.status_code == 409
    assert "尚未回访" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK


def test_it_refuses_the_api_a_close_without_callback(client, org):
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    response = client.post(
        f"/api/workorders/{order.number}/actions/close",
        {"note": "办结", "expected_version": order.version},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert "尚未回访" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK


def test_it_makes_the_agent_pick_a_unit_to_redo_a_direct_order(client, org):
    order = f.move(_direct(org), Action.CALLBACK, org.carl, rating="dissatisfied", solved=False)
    client.force_login(org.carl)
    panel = client.get(reverse("desk_callback_panel", args=[order.number]), **HX)
    body = panel.content.decode()
    assert "原承办单位" not in body and "未曾派单" in body
    response = _act(client, order, "redo", {"note": "诉求人仍未解决"})
    assert response.status_code == 400
    assert "未曾派单的工单重办须选择承办单位" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK and order.redo_count == 0

    response = _act(client, order, "redo", {"note": "请供水公司处理", "lead_unit": org.water.pk})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.water


def test_it_refuses_the_service_a_redo_of_a_direct_order_without_a_unit(org):
    order = f.move(_direct(org), Action.CALLBACK, org.carl, rating="dissatisfied", solved=False)
    with pytest.raises(InvalidInput) as err:
        workorder_transition(order=order, action="redo", actor=org.carl, note="重办")
    assert err.value.field == "lead_unit" and "请选择重办的承办单位" in err.value.message
