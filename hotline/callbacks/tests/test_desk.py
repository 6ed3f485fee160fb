"""The callback desk (回访): the queue in scope, oldest first; the panel with the number to dial
and the unit's reply; rating, unreachable attempts up to the city's maximum, redo after a
dissatisfied rating; today's completed callbacks — allowed and refused, through the client."""

import pytest
from django.urls import reverse

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.core.testing import PASSWORD
from hotline.workorders.choices import Action, Rating, Status
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent
from hotline.workorders.tests import factories as f

HX = {"HTTP_HX_REQUEST": "true"}
DESK = "/callbacks/"


def _act(client, order, action, data=None, version=None, htmx=True):
    prefix = f"{action}-{order.number}"
    fields = {f"{prefix}-expected_version": order.version if version is None else version}
    fields.update({f"{prefix}-{k}": v for k, v in (data or {}).items()})
    url = reverse("desk_callback_act", args=[order.number, action])
    return client.post(url, fields, **(HX if htmx else {}))


def _events(order):
    return list(WorkOrderEvent.objects.filter(order=order).order_by("seq"))


def _queue(client):
    response = client.get(DESK)
    assert response.status_code == 200
    return [r["order"].number for r in response.context["rows"]]


def test_it_lands_carl_on_the_callback_desk(client, org):
    client.force_login(org.carl)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == DESK


def test_it_refuses_bob_the_callback_desk(client, org):
    order = f.awaiting_callback(org)
    client.force_login(org.bob)
    assert client.get(DESK).status_code == 403
    assert client.get(reverse("desk_callback_panel", args=[order.number])).status_code == 403
    response = _act(client, order, "callback", {"rating": "satisfied", "solved": "yes"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK and order.rating == ""


def test_it_lists_orders_awaiting_callback_in_scope_oldest_first(client, org):
    first = f.awaiting_callback(org)
    second = f.awaiting_callback(org)
    f.replied(org)  # not yet reviewed
    f.dispatched(org)
    # A callback agent of another county's sub-centre sees none of the city's county orders.
    other = user_create(
        username="olga",
        password=PASSWORD,
        memberships=[(org.sub_centre, Role.CALLBACK_AGENT)],
    )
    client.force_login(org.carl)
    assert _queue(client) == [first.number, second.number]
    counts = {key: count for key, _label, count in client.get(DESK).context["tabs"]}
    assert counts == {"queue": "2", "done": "0"}
    client.force_login(other)
    assert _queue(client) == []
    response = client.get(reverse("desk_callback_panel", args=[first.number]), **HX)
    assert response.status_code == 404


def test_it_masks_the_phone_in_the_list_and_shows_it_whole_in_the_panel(client, org):
    order = f.awaiting_callback(org, requester_phone="13912345678")
    client.force_login(org.carl)
    assert "139****5678" in client.get(DESK).content.decode()
    panel = client.get(reverse("desk_callback_panel", args=[order.number]), **HX)
    body = panel.content.decode()
    assert panel.status_code == 200 and body.startswith(f'<tbody id="cb-{order.number}"')
    assert 'href="tel:13912345678"' in body
    assert "已抢修，恢复供水。" in body  # the unit's reply the requester is asked about
    assert f'name="callback-{order.number}-rating"' in body


def test_it_records_a_satisfied_callback_and_closes(client, org):
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    data = {"rating": "satisfied", "solved": "yes", "note": "群众表示满意"}
    response = _act(client, order, "callback", data)
    assert response.status_code == 200
    assert f"已回访：工单 {order.number}" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.rating, order.solved) == (Status.CLOSED, Rating.SATISFIED, True)
    event = _events(order)[-1]
    assert (event.action, event.actor, event.note) == ("callback", org.carl, "群众表示满意")
    assert event.payload == {"rating": "satisfied", "solved": True}
    assert _queue(client) == []
    done = client.get(DESK, {"tab": "done"})
    assert [e.order.number for e in done.context["events"]] == [order.number]


def test_it_refuses_a_callback_without_rating_and_writes_nothing(client, org):
    order = f.awaiting_callback(org)
    before = order.version
    client.force_login(org.carl)
    response = _act(client, order, "callback", {"solved": "yes"})
    assert response.status_code == 400
    assert "评价" in response.content.decode()
    order.refresh_from_db()
    assert order.version == before and order.rating == ""


def test_it_counts_unreachable_attempts_and_closes_at_the_maximum(client, org, settings):
    settings.HOTLINE = {**settings.HOTLINE, "CALLBACK_MAX_ATTEMPTS": 2}
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    response = _act(client, order, "callback_unreachable", {"note": "无人接听"})
    assert response.status_code == 200
    assert "1/2" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.callback_attempts) == (Status.AWAITING_CALLBACK, 1)
    assert _events(order)[-1].payload == {"attempt": 1}
    assert client.get(DESK, {"tab": "done"}).context["events"] == []

    response = _act(client, order, "callback_unreachable", {"note": "关机"})
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.callback_attempts) == (Status.CLOSED, 2)
    assert _events(order)[-1].payload == {"attempt": 2, "closed_unreachable": True}
    done = client.get(DESK, {"tab": "done"})
    assert [e.order.number for e in done.context["events"]] == [order.number]
    assert "2 次未接通，已办结" in done.content.decode()


def test_it_offers_redo_after_a_dissatisfied_rating_and_redoes(client, org):
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    data = {"rating": "dissatisfied", "solved": "no", "note": "水压仍然很低"}
    response = _act(client, order, "callback", data)
    assert response.status_code == 200
    body = response.content.decode()
    # The panel stays open with redo (and a reasoned close) first.
    forms = [form.action for form in response.context["forms"]]
    assert forms[:2] == ["redo", "close"]
    assert f'name="redo-{order.number}-lead_unit"' in body
    order.refresh_from_db()
    assert (order.status, order.rating, order.solved) == (
        Status.AWAITING_CALLBACK,
        Rating.DISSATISFIED,
        False,
    )

    response = _act(client, order, "redo", {"lead_unit": org.housing.pk, "note": "请住建局核实"})
    assert response.status_code == 200, response.content.decode()[:800]
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.housing
    assert order.redo_count == 1 and order.rating == ""
    event = _events(order)[-1]
    assert (event.action, event.actor, event.unit) == ("redo", org.carl, org.housing)
    assert WorkOrderAssignment.objects.get(order=order, is_active=True).unit == org.housing
    assert _queue(client) == []


def test_it_redoes_to_the_same_unit_by_default(client, org):
    order = f.move(
        f.awaiting_callback(org), Action.CALLBACK, org.carl, rating="dissatisfied", solved=False
    )
    client.force_login(org.carl)
    response = _act(client, order, "redo", {"note": "请重新处理"})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.water


def test_it_refuses_redo_after_a_satisfied_rating(client, org):
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    response = _act(client, order, "redo", {"note": "重办"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK and order.redo_count == 0


def test_it_refuses_redo_without_a_reason(client, org):
    order = f.move(
        f.awaiting_callback(org), Action.CALLBACK, org.carl, rating="dissatisfied", solved=False
    )
    before = order.version
    client.force_login(org.carl)
    response = _act(client, order, "redo", {"note": ""})
    assert response.status_code == 400
    assert "重办理由" in response.content.decode() or "须填写说明" in response.content.decode()
    order.refresh_from_db()
    assert order.version == before and order.status == Status.AWAITING_CALLBACK


def test_it_answers_a_stale_version_with_409_and_the_fresh_row(client, org):
    order = f.awaiting_callback(org)
    stale = order.version
    f.move(order, Action.CALLBACK_UNREACHABLE, org.carl)  # another agent's attempt
    client.force_login(org.carl)
    response = _act(client, order, "callback", {"rating": "satisfied", "solved": "yes"}, stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "已被他人更新" in body and "1/3" in body
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK and order.rating == ""


def test_it_falls_back_to_a_redirect_without_htmx(client, org):
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    response = _act(
        client, order, "callback", {"rating": "fairly_satisfied", "solved": "yes"}, htmx=False
    )
    assert response.status_code == 302 and response["Location"] == DESK
    assert WorkOrder.objects.get(pk=order.pk).status == Status.CLOSED


def test_it_shows_the_answer_of_an_order_resolved_at_intake(client, org):
    order = f.move(
        f.registered(org), Action.RESOLVE_AT_INTAKE, org.alice, note="社保卡可在政务大厅补办"
    )
    client.force_login(org.carl)
    panel = client.get(reverse("desk_callback_panel", args=[order.number]), **HX)
    assert "社保卡可在政务大厅补办" in panel.content.decode()
    assert "热线直办" in panel.content.decode()


@pytest.mark.parametrize("tab", ["nothing"])
def test_it_answers_an_unknown_tab_with_404(client, org, tab):
    client.force_login(org.carl)
    assert client.get(DESK, {"tab": tab}).status_code == 404


def test_it_pages_todays_callbacks_with_a_keyset(client, org, monkeypatch):
    from hotline.callbacks import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    orders = [f.awaiting_callback(org) for _ in range(3)]
    for order in orders:
        f.move(order, Action.CALLBACK, org.carl, rating="satisfied", solved=True)
    f.move(f.awaiting_callback(org), Action.CALLBACK, org.sue, rating="satisfied", solved=True)
    client.force_login(org.carl)
    first = client.get(DESK, {"tab": "done"})
    assert [e.order.number for e in first.context["events"]] == [
        orders[2].number,
        orders[1].number,
    ]
    second = client.get(f"{DESK}?{first.context['next_query']}")
    assert [e.order.number for e in second.context["events"]] == [orders[0].number]
    assert second.context["next_query"] == ""
    assert client.get(DESK, {"tab": "done", "before": "x"}).status_code == 400
