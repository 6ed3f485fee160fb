import pytest

from hotline.catalog.models import Category
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderEvent

VALID = {
    "channel": "phone",
    "request_type": "complaint",
    "urgency": "urgent",
    "region": "610831100",
    "title": "小区停水",
    "content": "东城小区从昨晚起停水，至今没有通知。",
    "address": "双湖峪街道东城小区 3 号楼",
    "requester_name": "王先生",
    "requester_phone": "138 0013 8000",
    "requester_id_number": "61272719800101123x",
}


def post(client, body):
    return client.post("/api/workorders", body, content_type="application/json")


def counts():
    return WorkOrder.objects.count(), WorkOrderEvent.objects.count()


def test_it_registers_an_order(org, client):
    client.force_login(org.alice)
    root = Category.objects.create(name="接口测试一级")
    category = Category.objects.create(name="接口测试二级", parent=root, level=2)
    r = post(client, {**VALID, "category": category.pk, "is_confidential": True})
    assert r.status_code == 201
    body = r.json()
    order = WorkOrder.objects.get(number=body["number"])
    assert order.status == Status.REGISTERED
    assert order.title == "小区停水"
    assert order.urgency.code == "urgent"
    assert order.region == org.street
    assert order.category == category
    assert order.requester_phone == "13800138000"
    assert order.requester_id_number == "61272719800101123X"
    assert order.is_confidential
    assert order.registered_by == org.alice and order.centre == org.centre
    event = order.events.get()
    assert (event.action, event.to_status, event.actor) == (
        Action.REGISTER,
        Status.REGISTERED,
        org.alice,
    )
    assert body["status"] == "registered" and body["version"] == 1
    # alice answers the phone: she sees the number in full, the ID number masked.
    assert body["requester"]["phone"] == "13800138000"
    assert body["requester"]["id_number"] == "6127**********123X"
    assert body["category"]["full_name"] == "接口测试一级 / 接口测试二级"
    assert "dispatch" in body["allowed_actions"]


def test_it_registers_an_anonymous_order_without_name(org, client):
    client.force_login(org.alice)
    r = post(client, {**VALID, "is_anonymous": True})
    assert r.status_code == 201
    order = WorkOrder.objects.get(number=r.json()["number"])
    assert order.is_anonymous and order.requester_name == ""
    assert r.json()["requester"]["name"] == "匿名"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"content": None}, "content"),
        ({"channel": None}, "channel"),
        ({"request_type": None}, "request_type"),
        ({"title": "长" * 201}, "title"),
        ({"content": "长" * 5001}, "content"),
        ({"is_anonymous": "maybe"}, "is_anonymous"),
        ({"requester_phone": "12345abc"}, "requester_phone"),
        ({"requester_phone": "12345"}, "requester_phone"),
        ({"requester_id_number": "12345"}, "requester_id_number"),
        ({"category": 999999}, "category"),
        ({"category": "城建"}, "category"),
        ({"channel": "pigeon"}, "channel"),
        ({"request_type": "gossip"}, "request_type"),
        ({"region": "999999"}, "region"),
        ({"urgency": "whenever"}, "urgency"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_writes_nothing(org, client, change, field):
    client.force_login(org.alice)
    body = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    before = counts()
    r = post(client, body)
    assert r.status_code == 400, r.json()
    error = r.json()
    assert error["code"] == "invalid"
    assert error["field"] == field
    assert error["message"]
    assert counts() == before


def test_it_lists_every_bad_field(org, client):
    client.force_login(org.alice)
    r = post(client, {"channel": "phone", "title": "长" * 201, "is_anonymous": "maybe"})
    assert r.status_code == 400
    fields = [e["field"] for e in r.json()["errors"]]
    assert {"request_type", "title", "content", "is_anonymous"} <= set(fields)
    assert r.json()["field"] == fields[0]
    assert r.json()["message"] == r.json()["errors"][0]["message"]


def test_it_says_so_in_chinese_when_the_body_is_not_json(org, client):
    client.force_login(org.alice)
    r = client.post("/api/workorders", "{nope", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and r.json()["field"] is None
    assert r.json()["message"].startswith("请求体")
    assert counts() == (0, 0)


def test_it_refuses_registration_by_a_unit(org, client):
    client.force_login(org.bob)
    r = post(client, VALID)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert counts() == (0, 0)
