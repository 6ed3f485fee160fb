"""The channel API takes the answers to the category's extra fields as `attributes`, checked by
the same rule as Open311 and the desk; a pending post keeps them until it is confirmed."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.catalog.models import CategoryField, FieldDatatype
from hotline.intake.channel_services import channel_request_confirm
from hotline.intake.channel_testing import make_channel, make_services
from hotline.intake.models import ChannelRequest
from hotline.workorders.models import WorkOrder

URL = "/api/channel/requests"


@pytest.fixture
def lamp(org):
    lamp = make_services()["lamp"]
    CategoryField.objects.create(
        category=lamp,
        code="fault",
        label="故障情况",
        datatype=FieldDatatype.SINGLEVALUELIST,
        required=True,
        values=[{"key": "dark", "name": "不亮"}],
    )
    CategoryField.objects.create(
        category=lamp,
        code="periods",
        label="发生时段",
        datatype=FieldDatatype.MULTIVALUELIST,
        values=[{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}],
    )
    return lamp


def post(key: str, lamp, attributes=None):
    body = {
        "title": "路灯不亮",
        "content": "东城小区3号楼前路灯连续三晚不亮。",
        "requester_phone": "13912345678",
        "category": lamp.pk,
    }
    if attributes is not None:
        body["attributes"] = attributes
    return Client().post(
        URL, data=json.dumps(body), content_type="application/json", HTTP_X_CHANNEL_KEY=key
    )


def test_it_stores_the_answers(lamp):
    _channel, key = make_channel()
    r = post(key, lamp, {"fault": "dark", "periods": ["night"]})
    assert r.status_code == 201, r.content
    assert WorkOrder.objects.get().attributes == {"fault": "dark", "periods": ["night"]}


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        (None, "attribute[fault]"),
        ({"fault": "lit"}, "attribute[fault]"),
        ({"fault": "dark", "periods": ["dawn"]}, "attribute[periods]"),
        ({"fault": "dark", "colour": "red"}, "attribute[colour]"),
    ],
)
def test_it_refuses_bad_answers_naming_the_attribute(lamp, attributes, field):
    _channel, key = make_channel()
    r = post(key, lamp, attributes)
    assert r.status_code == 400
    assert r.json()["field"] == field and r.json()["code"] == "invalid"
    assert WorkOrder.objects.count() == 0 and ChannelRequest.objects.count() == 0


def test_it_keeps_the_answers_of_a_pending_post_until_confirmed(lamp, org):
    _channel, key = make_channel(name="网络问政", kind="message_board")
    assert post(key, lamp, {"fault": "oops"}).status_code == 400  # checked at submission
    r = post(key, lamp, {"fault": "dark"})
    assert r.status_code == 201 and r.json()["state"] == "pending"
    req = ChannelRequest.objects.get(token=r.json()["token"])
    order = channel_request_confirm(request=req, actor=org.alice)
    assert order.attributes == {"fault": "dark"}
