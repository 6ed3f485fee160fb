"""Open311 `GET requests` is public and platform-wide: no requester field, no confidential order,
personal numbers and the requester's name scrubbed from the text, and the place coarsened to
the region (and the point to 0.01°) unless OPEN311_PUBLIC_ADDRESS is "exact"."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.intake.channel_testing import make_channel, make_services
from hotline.intake.open311.public import scrub
from hotline.workorders.choices import Action
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories

BASE = "/open311/v2"


@pytest.fixture
def key(org):
    make_services()
    return make_channel(name="Open311 客户端", kind="open311")[1]


def submit(key: str, **fields: str) -> str:
    data = {
        "api_key": key,
        "service_code": "CX-SZ-LD",
        "lat": "38.123456",
        "long": "110.054321",
        "address_string": "东城小区3号楼2单元501",
        "description": "路灯不亮，我是王建国，电话13912345678，身份证610831199001011234。",
        "first_name": "建国",
        "last_name": "王",
        "phone": "13912345678",
        **fields,
    }
    r = Client().post(f"{BASE}/requests.json", data)
    assert r.status_code == 201, r.content
    return r.json()[0]["service_request_id"]


def listed(number: str, fmt: str = "json") -> str:
    return Client().get(f"{BASE}/requests/{number}.{fmt}").content.decode()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_publishes_no_personal_data(key, fmt):
    number = submit(key)
    text = listed(number, fmt) + Client().get(f"{BASE}/requests.{fmt}").content.decode()
    for personal in ("13912345678", "610831199001011234", "王建国", "2单元501", "路灯不亮，我是"):
        assert personal not in text
    # By default the requester's words are not published at all: the category's name instead.
    row = json.loads(listed(number))[0]
    lamp = WorkOrder.objects.get(number=number).category
    assert row["description"] == lamp.full_name and "路灯不亮" not in row["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_publishes_the_words_scrubbed_when_the_city_chooses(key, fmt, settings):
    settings.OPEN311_PUBLIC_DESCRIPTION = "scrubbed"
    number = submit(key)
    text = listed(number, fmt) + Client().get(f"{BASE}/requests.{fmt}").content.decode()
    for personal in ("13912345678", "610831199001011234", "王建国", "2单元501"):
        assert personal not in text
    assert "王**" in text and "****" in text and "路灯不亮" in text


def test_it_coarsens_the_place_by_default(key, org):
    row = json.loads(listed(submit(key)))[0]
    assert row["address"] == "榆林市"  # Open311 names no region: the centre's
    assert row["lat"] == "38.12" and row["long"] == "110.05"
    street = factories.registered(org, address="东城小区3号楼2单元501")
    assert json.loads(listed(street.number))[0]["address"] == "子洲县 双湖峪街道"


def test_it_publishes_the_exact_place_when_the_city_chooses(key, settings):
    settings.OPEN311_PUBLIC_ADDRESS = "exact"
    settings.OPEN311_PUBLIC_DESCRIPTION = "scrubbed"
    row = json.loads(listed(submit(key)))[0]
    assert row["address"] == "东城小区3号楼2单元501"
    assert row["lat"] == "38.123456" and row["long"] == "110.054321"
    assert "13912345678" not in row["description"]  # still scrubbed


def test_it_never_lists_a_confidential_order(key, org):
    secret = factories.registered(org, is_confidential=True, title="保密的诉求")
    public = factories.registered(org, title="公开的诉求")
    for fmt in ("json", "xml"):
        text = Client().get(f"{BASE}/requests.{fmt}").content.decode()
        assert public.number in text and secret.number not in text
        assert Client().get(f"{BASE}/requests/{secret.number}.{fmt}").status_code == 404
        ids = Client().get(f"{BASE}/requests.{fmt}", {"service_request_id": secret.number})
        assert secret.number not in ids.content.decode()


def test_it_scrubs_personal_data_from_status_notes(key, org, settings):
    settings.OPEN311_PUBLIC_DESCRIPTION = "scrubbed"
    order = factories.registered(org, requester_name="赵小燕", requester_phone="13700001111")
    factories.move(
        order, Action.RESOLVE_AT_INTAKE, org.alice, note="已电话告知赵小燕（13700001111）"
    )
    row = json.loads(listed(order.number))[0]
    assert row["status_notes"] == "已电话告知赵**（****）"


DISPATCH_NOTE = "请联系张三丰（丽景花园5号楼302室）处理"


@pytest.mark.parametrize("mode", ["none", "scrubbed"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_never_publishes_a_dispatchers_note(key, org, settings, mode, fmt):
    # The dispatch event is public (the requester sees that it went to a unit), its note is not:
    # the portal does not show it, and neither do status_notes in either privacy mode.
    settings.OPEN311_PUBLIC_DESCRIPTION = mode
    order = factories.registered(org, requester_name="张三丰")
    factories.move(order, "dispatch", org.dave, lead_unit=org.water.pk, note=DISPATCH_NOTE)
    text = listed(order.number, fmt) + Client().get(f"{BASE}/requests.{fmt}").content.decode()
    assert "丽景花园" not in text and "请联系" not in text
    assert json.loads(listed(order.number))[0]["status_notes"] == "已转交承办单位，等待办理"


REPLY = "张三丰您好：东城小区5号楼路灯已更换，如有问题请拨打13900001111。"


def _answered(org):
    order = factories.registered(org, requester_name="张三丰")
    factories.move(order, "dispatch", org.dave, lead_unit=org.water.pk, note=DISPATCH_NOTE)
    factories.move(order, "acknowledge", org.bob)
    factories.move(order, "reply", org.bob, note=REPLY)
    return order


def test_it_publishes_the_accepted_answer_scrubbed_when_the_city_chooses(key, org, settings):
    settings.OPEN311_PUBLIC_DESCRIPTION = "scrubbed"
    order = _answered(org)
    # Under review the reply is not the requester's yet (review may send it back).
    assert json.loads(listed(order.number))[0]["status_notes"] == "承办单位已答复，热线正在审核答复"
    factories.move(order, "accept_reply", org.sue, note="审核意见：答复完整")
    scrubbed = "张**您好：东城小区5号楼路灯已更换，如有问题请拨打****。"
    assert json.loads(listed(order.number))[0]["status_notes"] == scrubbed
    factories.move(order, "callback", org.carl, rating="satisfied", solved=True)
    row = json.loads(listed(order.number))[0]
    assert row["status"] == "closed" and row["status_notes"] == scrubbed


def test_it_publishes_plain_words_instead_of_the_answer_by_default(key, org):
    order = _answered(org)
    factories.move(order, "accept_reply", org.sue)
    assert json.loads(listed(order.number))[0]["status_notes"] == "已答复，等待您的评价"
    factories.move(order, "callback", org.carl, rating="satisfied", solved=True)
    assert json.loads(listed(order.number))[0]["status_notes"] == "已办结"


def test_it_publishes_a_transfers_note_scrubbed(key, org, settings):
    settings.OPEN311_PUBLIC_DESCRIPTION = "scrubbed"
    order = factories.registered(org)
    factories.move(
        order, "transfer_out", org.alice, target="110", note="已转110，民警电话09123456789"
    )
    row = json.loads(listed(order.number))[0]
    assert row["status"] == "closed" and row["status_notes"] == "已转110，民警电话****"


def test_it_keeps_short_numbers_and_masks_landlines():
    class Order:
        requester_name = ""

    text = "3号楼，5户停水，联系0912-3456789或12345热线，2026年11月22日"
    assert scrub(text, Order()) == "3号楼，5户停水，联系****或12345热线，2026年11月22日"
