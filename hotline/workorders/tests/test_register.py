"""受理: registering an order, with every bad input named and nothing written."""

from __future__ import annotations

import pytest
import time_machine

from hotline.accounts.services import system_user
from hotline.workorders.errors import InvalidInput, NotPermitted
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.services import workorder_register
from hotline.workorders.tests import factories as f


def test_it_registers_with_a_number_and_the_first_event(org):
    with time_machine.travel("2026-03-05 23:30:00+08:00", tick=False):
        order = f.registered(org, requester_id_number="61082719900101123x")
    # The day's serial: 000001 on SQLite; on PostgreSQL the day's SEQUENCE is not rolled back
    # between tests (numbers are never reused), so only the form and the day are fixed.
    assert order.number.startswith("20260305") and len(order.number) == 14
    assert order.number[8:].isdigit() and int(order.number[8:]) >= 1
    assert order.centre == org.centre and order.region == org.street
    assert order.requester_id_number.endswith("X")
    event = order.events.get()
    assert (event.seq, event.action, event.to_status, event.actor) == (
        1,
        "register",
        "registered",
        org.alice,
    )


def test_it_numbers_by_local_day(org):
    # 00:30 in Shanghai is still the previous day in UTC; the number follows Shanghai.
    with time_machine.travel("2026-03-06 00:30:00+08:00", tick=False):
        a = f.registered(org)
        b = f.registered(org)
    assert a.number.startswith("20260306") and b.number.startswith("20260306")
    assert int(b.number) == int(a.number) + 1


def test_it_puts_an_order_without_region_in_the_centres(org):
    order = f.registered(org, region=None)
    assert order.region == org.city


def test_it_lets_the_system_register_for_the_portal(org):
    order = f.registered(org, actor=system_user(), channel="web")
    assert order.centre == org.centre and order.registered_by.is_system


def test_it_keeps_anonymous_requesters_anonymous(org):
    order = f.registered(org, is_anonymous=True, requester_phone="", requester_name="张三")
    assert order.requester_name == "" and order.is_anonymous


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"content": "   "}, "content"),
        ({"content": "字" * 5001}, "content"),
        ({"requester_phone": "12345abc"}, "requester_phone"),
        ({"requester_phone": ""}, "requester_phone"),
        ({"requester_id_number": "123"}, "requester_id_number"),
        ({"channel": "pigeon"}, "channel"),
        ({"request_type": "gossip"}, "request_type"),
        ({"urgency": "whenever"}, "urgency"),
        ({"category": 987654}, "category"),
        ({"region": "999999"}, "region"),
    ],
)
def test_it_names_the_bad_field_and_writes_nothing(org, overrides, field):
    with pytest.raises(InvalidInput) as err:
        f.registered(org, **overrides)
    assert err.value.field == field
    assert WorkOrder.objects.count() == 0 and WorkOrderEvent.objects.count() == 0


def test_it_refuses_a_region_outside_the_centre(org):
    from hotline.accounts.models import Region

    far = Region.objects.create(code="610100", name="西安市", level=2)
    with pytest.raises(InvalidInput) as err:
        f.registered(org, region=far.code)
    assert err.value.field == "region" and "受理范围" in err.value.message


def test_it_refuses_intake_by_a_unit(org):
    with pytest.raises(NotPermitted):
        f.registered(org, actor=org.bob)
    assert WorkOrder.objects.count() == 0


def test_it_finds_a_callers_earlier_orders(org):
    from hotline.workorders.selectors import workorders_by_phone

    first = f.registered(org, requester_phone="13912345678")
    second = f.registered(org, requester_phone="139 1234 5678")
    f.registered(org)
    found = workorders_by_phone(user=org.alice, phone="13912345678")
    assert [o.number for o in found] == [second.number, first.number]
    assert workorders_by_phone(user=org.charlie, phone="13912345678") == []


def test_it_accepts_landlines(org):
    assert (
        workorder_register(
            actor=org.alice,
            channel="phone",
            request_type="inquiry",
            title="咨询",
            content="社保卡补办",
            requester_phone="0912-1234567",
        ).requester_phone
        == "0912-1234567"
    )
