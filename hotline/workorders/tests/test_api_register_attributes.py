"""`POST /api/workorders` takes the answers to the category's extra fields as `attributes`,
checked by the same rule as the channel API, Open311 and the desk; an error names the field."""

from __future__ import annotations

import pytest

from hotline.catalog.models import Category, CategoryField, FieldDatatype
from hotline.workorders.models import WorkOrder, WorkOrderEvent

BODY = {
    "channel": "phone",
    "request_type": "complaint",
    "title": "路灯不亮",
    "content": "东城小区 3 号楼前路灯连续三晚不亮。",
    "requester_phone": "13800138000",
}


@pytest.fixture
def lamp(db):
    root = Category.objects.create(name="接口测试市政", level=1)
    lamp = Category.objects.create(name="接口测试路灯", parent=root, level=2)
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


def post(client, lamp, attributes=None):
    body = {**BODY, "category": lamp.pk}
    if attributes is not None:
        body["attributes"] = attributes
    return client.post("/api/workorders", body, content_type="application/json")


def test_it_stores_the_answers(org, client, lamp):
    client.force_login(org.alice)
    r = post(client, lamp, {"fault": "dark", "periods": ["night"]})
    assert r.status_code == 201, r.content
    order = WorkOrder.objects.get(number=r.json()["number"])
    assert order.attributes == {"fault": "dark", "periods": ["night"]}
    assert WorkOrderEvent.objects.filter(order=order, action="register").count() == 1


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        (None, "attribute[fault]"),
        ({"fault": "lit"}, "attribute[fault]"),
        ({"fault": "dark", "periods": ["dawn"]}, "attribute[periods]"),
        ({"fault": "dark", "colour": "red"}, "attribute[colour]"),
    ],
)
def test_it_refuses_bad_answers_naming_the_attribute(org, client, lamp, attributes, field):
    client.force_login(org.alice)
    r = post(client, lamp, attributes)
    assert r.status_code == 400
    assert r.json()["field"] == field
    assert WorkOrder.objects.count() == 0
