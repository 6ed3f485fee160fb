"""评价: the requester rates once, after the accepted reply, proving it with the query code."""

from __future__ import annotations

import pytest

from hotline.accounts.services import system_user
from hotline.intake.portal_services import portal_rate
from hotline.workorders.choices import Action, Rating, Status
from hotline.workorders.errors import IllegalTransition
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories

from .test_portal_support import portal_cache

pytestmark = pytest.mark.usefixtures("portal_cache")
__all__ = ["portal_cache"]

PHONE = "13600002222"


def _rate(client, order, *, rating="satisfied", solved="1", code=None, phone=PHONE):
    data = {
        "number": order.number,
        "phone": phone,
        "query_code": order.query_code if code is None else code,
        "rating": rating,
        "solved": solved,
    }
    return client.post("/portal/rate/", data)


def _callbacks(order):
    return WorkOrderEvent.objects.filter(order=order, action=Action.CALLBACK)


def test_it_offers_the_rating_form_once_the_reply_is_accepted(client, org):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    html = client.post("/portal/check/", {"ref": order.number, "phone": PHONE}).content.decode()
    assert 'id="rate"' in html
    assert "满意" in html and "基本满意" in html and "不满意" in html


def test_it_records_the_rating_as_the_callback_by_the_system_user(client, org):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    response = _rate(client, order, rating="fairly_satisfied", solved="1")
    assert response.status_code == 200
    assert "感谢您的评价" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert (order.rating, order.solved) == (Rating.FAIRLY_SATISFIED, True)
    event = _callbacks(order).get()
    assert event.actor == system_user()
    assert event.payload == {"rating": "fairly_satisfied", "solved": True}
    assert "基本满意" in response.content.decode()


def test_it_keeps_a_dissatisfied_order_open_for_the_hotline(client, org):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    _rate(client, order, rating="dissatisfied", solved="0")
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK
    assert (order.rating, order.solved) == (Rating.DISSATISFIED, False)


@pytest.mark.parametrize("make", [factories.registered, factories.in_progress, factories.replied])
def test_it_refuses_a_rating_before_the_reply_is_accepted(client, org, make):
    order = make(org, requester_phone=PHONE)
    version = order.version
    response = _rate(client, order)
    assert response.status_code == 409
    assert "暂不能评价" in response.content.decode()
    order.refresh_from_db()
    assert order.rating == "" and order.version == version
    assert not _callbacks(order).exists()


@pytest.mark.parametrize("first", ["satisfied", "dissatisfied"])
def test_it_refuses_a_second_rating(client, org, first):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    _rate(client, order, rating=first, solved="0")
    response = _rate(client, order, rating="satisfied", solved="1")
    assert response.status_code == 409
    assert "您已评价过该工单，不能重复评价" in response.content.decode()
    order.refresh_from_db()
    assert order.rating == first
    assert _callbacks(order).count() == 1


def test_it_loses_no_rating_when_two_arrive_at_once(org):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    # Both requests read the order before either wrote: the second acts on a stale version.
    stale = WorkOrder.objects.get(pk=order.pk)
    portal_rate(order=order, rating=Rating.DISSATISFIED, solved=False)
    with pytest.raises(IllegalTransition, match="不能重复评价"):
        portal_rate(order=stale, rating=Rating.SATISFIED, solved=True)
    order.refresh_from_db()
    assert (order.rating, order.status) == (Rating.DISSATISFIED, Status.AWAITING_CALLBACK)
    assert _callbacks(order).count() == 1


def test_it_refuses_a_rating_after_the_callback_agent_rated(client, org):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    factories.move(order, Action.CALLBACK, org.carl, rating="dissatisfied", solved=False)
    response = _rate(client, order)
    assert response.status_code == 409
    assert _callbacks(order).count() == 1


@pytest.mark.parametrize(("code", "phone"), [("000000", PHONE), (None, "13600009999"), ("", PHONE)])
def test_it_refuses_a_wrong_query_code_or_phone(client, org, code, phone):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    if code == "000000" and order.query_code == code:
        code = "000001"
    response = _rate(client, order, code=code, phone=phone)
    assert response.status_code in (400, 404)
    html = response.content.decode()
    assert "查询码" in html
    order.refresh_from_db()
    assert order.status == Status.AWAITING_CALLBACK and order.rating == ""
    assert not _callbacks(order).exists()


def test_it_records_a_rating_of_an_order_closed_without_one(client, org):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    for _ in range(3):  # the callback never reached them: closed as unreachable
        factories.move(order, Action.CALLBACK_UNREACHABLE, org.carl)
    closed_at = order.closed_at
    page = client.post("/portal/check/", {"ref": order.number, "phone": PHONE}).content.decode()
    assert 'id="rate"' in page and "已办结" in page
    response = _rate(client, order, rating="dissatisfied", solved="0")
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.closed_at) == (Status.CLOSED, closed_at)
    assert (order.rating, order.solved) == (Rating.DISSATISFIED, False)
    assert _callbacks(order).get().actor == system_user()
    assert _rate(client, order).status_code == 409


def test_it_refuses_an_unknown_rating(client, org):
    order = factories.awaiting_callback(org, requester_phone=PHONE)
    response = _rate(client, order, rating="great")
    assert response.status_code == 400
    assert "请选择满意程度" in response.content.decode()
    assert not _callbacks(order).exists()


def test_it_shows_an_empty_rating_form(client, org):
    response = client.get("/portal/rate/?number=2026")
    assert response.status_code == 200
    assert 'value="2026"' in response.content.decode()
