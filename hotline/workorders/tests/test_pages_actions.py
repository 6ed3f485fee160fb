"""Actions posted from the detail page: each goes through workorder_transition and writes an
event; refusals come back in Chinese with the field, and nothing is written."""

import pytest
from django.urls import reverse

from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent
from hotline.workorders.services import workorder_transition
from hotline.workorders.transitions import TRANSITIONS


def _act(client, order, action, data=None, version=None):
    fields = {f"{action}-expected_version": order.version if version is None else version}
    fields.update({f"{action}-{k}": v for k, v in (data or {}).items()})
    return client.post(reverse("workorder_act", args=[order.number, action]), fields)


def _offered(client, order):
    response = client.get(reverse("workorder_detail", args=[order.number]))
    return [form.action for form in response.context["action_forms"]]


def _last_event(order):
    return WorkOrderEvent.objects.filter(order=order).order_by("-seq").first()


def test_it_offers_only_the_moves_the_user_may_make(client, org, register, water_order):
    fresh = register()
    client.force_login(org.dave)
    assert _offered(client, fresh)[:2] == ["dispatch", "resolve_at_intake"]
    client.force_login(org.bob)
    offered = _offered(client, water_order)
    assert "acknowledge" in offered and "return" in offered
    assert "dispatch" not in offered and "reply" not in offered
    client.force_login(org.ann)
    assert _offered(client, water_order) == ["add_note"]


def test_it_dispatches_through_the_page(client, org, register):
    order = register()
    client.force_login(org.dave)
    response = _act(
        client,
        order,
        "dispatch",
        {"lead_unit": org.water.pk, "assisting_units": [org.housing.pk], "note": "请尽快处理"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workorder_detail", args=[order.number])
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.water
    event = _last_event(order)
    assert (event.action, event.actor, event.note) == ("dispatch", org.dave, "请尽快处理")
    assert event.payload["assisting_units"] == ["U-HOUSING"]
    assert set(WorkOrderAssignment.objects.values_list("unit__code", "role")) == {
        ("U-WATER", "lead"),
        ("U-HOUSING", "assisting"),
    }
    assert "已派单：工单" in client.get(response["Location"]).content.decode()


def test_it_runs_the_closed_loop_through_the_pages(client, org, water_order):
    client.force_login(org.bob)
    assert _act(client, water_order, "acknowledge").status_code == 302
    water_order.refresh_from_db()
    assert _act(client, water_order, "reply", {"note": "已抢修"}).status_code == 302
    client.force_login(org.sue)
    water_order.refresh_from_db()
    assert _act(client, water_order, "accept_reply").status_code == 302
    client.force_login(org.carl)
    water_order.refresh_from_db()
    response = _act(client, water_order, "callback", {"rating": "satisfied", "solved": "yes"})
    assert response.status_code == 302
    water_order.refresh_from_db()
    assert water_order.status == Status.CLOSED and water_order.solved is True
    assert list(water_order.events.values_list("action", flat=True)) == [
        "register",
        "dispatch",
        "acknowledge",
        "reply",
        "accept_reply",
        "callback",
    ]


def test_it_shows_a_conflict_for_a_stale_page_and_writes_nothing(client, org, water_order):
    stale = water_order.version
    workorder_transition(order=water_order, action="urge", actor=org.dave)
    client.force_login(org.bob)
    before = WorkOrderEvent.objects.count()
    response = _act(client, water_order, "acknowledge", version=stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "已被他人更新" in body and "请刷新后重试" in body
    assert WorkOrderEvent.objects.count() == before
    assert WorkOrder.objects.get(pk=water_order.pk).status == Status.DISPATCHED
    # The re-rendered forms carry the current version, so the retry goes through.
    form = next(f for f in response.context["action_forms"] if f.action == "acknowledge")
    assert form["expected_version"].value() == WorkOrder.objects.get(pk=water_order.pk).version
    assert stale < water_order.version


def test_it_names_the_field_the_service_refused(client, org, water_order):
    client.force_login(org.bob)
    response = _act(client, water_order, "return", {"note": "不归我们管", "legal_basis": " "})
    assert response.status_code == 400
    form = next(f for f in response.context["action_forms"] if f.action == "return")
    assert "legal_basis" in form.errors
    assert _last_event(water_order).action == "dispatch"
    response = _act(client, water_order, "return", {"legal_basis": "《供水条例》第五条"})
    assert response.status_code == 400
    assert "请填写退单理由" in response.content.decode()
    assert _last_event(water_order).action == "dispatch"


def test_it_refuses_a_move_the_role_may_not_make(client, org, water_order):
    client.force_login(org.ann)
    response = _act(client, water_order, "urge")
    assert response.status_code == 403
    assert "没有对工单" in response.content.decode()
    assert _last_event(water_order).action == "dispatch"


def test_it_refuses_a_move_the_state_does_not_allow(client, org, water_order):
    client.force_login(org.dave)
    response = _act(client, water_order, "dispatch", {"lead_unit": org.housing.pk})
    assert response.status_code == 409
    assert "不能执行「派单」" in response.content.decode()
    assert _last_event(water_order).action == "dispatch"
    assert WorkOrderAssignment.objects.count() == 1


def test_it_redispatches_only_below_the_unit(client, org, register):
    order = register()
    workorder_transition(
        order=order, action="dispatch", actor=org.dave, lead_unit=org.street_office.pk
    )
    client.force_login(org.mia)
    response = client.get(reverse("workorder_detail", args=[order.number]))
    form = next(f for f in response.context["action_forms"] if f.action == "redispatch")
    assert list(form.fields["lead_unit"].queryset) == [org.community]
    response = _act(client, order, "redispatch", {"lead_unit": org.water.pk})
    assert response.status_code == 400
    assert _last_event(order).action == "dispatch"
    assert _act(client, order, "redispatch", {"lead_unit": org.community.pk}).status_code == 302
    order.refresh_from_db()
    assert order.lead_unit == org.community and _last_event(order).action == "redispatch"


def test_it_passes_each_actions_own_fields(client, org, water_order, register):
    client.force_login(org.bob)
    assert (
        _act(client, water_order, "request_extension", {"days": 3, "note": "需要换管"}).status_code
        == 302
    )
    water_order.refresh_from_db()
    assert _last_event(water_order).payload["days"] == 3
    client.force_login(org.sue)
    assert _act(client, water_order, "supervise", {"level": 2}).status_code == 302
    water_order.refresh_from_db()
    assert water_order.supervision_level == 2
    client.force_login(org.alice)
    fresh = register()
    assert _act(client, fresh, "link", {"other": water_order.number}).status_code == 302
    fresh.refresh_from_db()
    assert _act(client, fresh, "transfer_out", {"target": "110", "note": "涉警"}).status_code == 302
    fresh.refresh_from_db()
    assert fresh.status == Status.TRANSFERRED_OUT and fresh.transfer_target == "110"


def test_it_merges_into_a_master_by_number(client, org, register):
    master, child = register(), register()
    client.force_login(org.alice)
    response = _act(client, child, "merge", {"master": "20990101999999"})
    assert (
        response.status_code == 400 and "主单「20990101999999」不存在" in response.content.decode()
    )
    assert _act(client, child, "merge", {"master": master.number}).status_code == 302
    child.refresh_from_db()
    assert child.status == Status.MERGED and child.master == master


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_it_answers_404_to_charlie_for_every_action(client, org, water_order, action):
    client.force_login(org.charlie)
    response = _act(client, water_order, action, {"note": "x", "lead_unit": org.housing.pk})
    assert response.status_code == 404
    assert _last_event(water_order).action == Action.DISPATCH


def test_it_answers_404_to_an_unknown_action(client, org, water_order):
    client.force_login(org.dave)
    assert _act(client, water_order, "explode").status_code == 404


def test_it_refuses_get_on_an_action(client, org, water_order):
    client.force_login(org.bob)
    url = reverse("workorder_act", args=[water_order.number, "acknowledge"])
    assert client.get(url).status_code == 405
