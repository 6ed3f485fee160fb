"""Open311 attributes: the category's extra fields in `services` (metadata) and in the service
definition (the spec's attribute fields, both formats), `attribute[CODE]` and
`attribute[CODE][]` in POST, refused with errors[] naming the attribute, and a round trip."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from hotline.catalog.models import CategoryField, FieldDatatype
from hotline.intake.channel_testing import make_channel, make_services
from hotline.intake.models import ChannelRequest
from hotline.workorders.models import WorkOrder

BASE = "/open311/v2"
# GeoReport v2, GET Service Definition: the fields of each attribute, and of each value.
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
VALUE_FIELDS = ["key", "name"]
D = FieldDatatype


@pytest.fixture
def services(org):
    services = make_services()
    lamp = services["lamp"]
    CategoryField.objects.create(
        category=lamp,
        code="fault",
        label="故障情况",
        order=1,
        datatype=D.SINGLEVALUELIST,
        required=True,
        values=[{"key": "dark", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}],
    )
    CategoryField.objects.create(
        category=lamp,
        code="periods",
        label="发生时段",
        order=2,
        datatype=D.MULTIVALUELIST,
        values=[{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}],
    )
    CategoryField.objects.create(
        category=lamp,
        code="pole_no",
        label="灯杆编号",
        order=3,
        description="灯杆上喷涂的编号",
    )
    CategoryField.objects.create(
        category=lamp, code="count", label="数量", order=4, datatype=D.NUMBER
    )
    CategoryField.objects.create(
        category=lamp, code="tip", label="夜间拨打抢修电话", order=5, variable=False
    )
    CategoryField.objects.create(category=lamp, code="old", label="停用", is_active=False)
    return services


@pytest.fixture
def key(org):
    return make_channel(name="Open311 客户端", kind="open311")[1]


def submit(key: str, fmt: str = "json", data: list[tuple[str, str]] | None = None):
    body = [
        ("api_key", key),
        ("service_code", "CX-SZ-LD"),
        ("address_string", "东城小区3号楼"),
        ("description", "路灯连续三晚不亮"),
        ("phone", "13912345678"),
        *(data or []),
    ]
    from urllib.parse import urlencode

    return Client().post(
        f"{BASE}/requests.{fmt}", urlencode(body), content_type="application/x-www-form-urlencoded"
    )


def test_it_marks_services_with_fields_as_having_metadata(services):
    rows = {r["service_code"]: r["metadata"] for r in Client().get(f"{BASE}/services.json").json()}
    assert rows["CX-SZ-LD"] is True
    assert rows[str(services["cover"].pk)] is False
    tree = ET.fromstring(Client().get(f"{BASE}/services.xml").content)
    xml = {s.findtext("service_code"): s.findtext("metadata") for s in tree}
    assert xml["CX-SZ-LD"] == "true" and xml[str(services["cover"].pk)] == "false"


def test_it_defines_the_attributes_exactly_as_the_spec_in_json(services):
    data = Client().get(f"{BASE}/services/CX-SZ-LD.json").json()
    assert list(data) == ["service_code", "attributes"]
    attrs = data["attributes"]
    assert [a["code"] for a in attrs] == ["fault", "periods", "pole_no", "count", "tip"]
    for a in attrs:
        assert list(a) == ATTRIBUTE_FIELDS
        assert isinstance(a["variable"], bool) and isinstance(a["required"], bool)
        assert isinstance(a["order"], int)
        for v in a["values"]:
            assert list(v) == VALUE_FIELDS
    fault, periods, pole, count, tip = attrs
    assert fault == {
        "variable": True,
        "code": "fault",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": "values 中的一个 key",
        "order": 1,
        "description": "故障情况",
        "values": [{"key": "dark", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}],
    }
    assert (
        periods["datatype"] == "multivaluelist"
        and "attribute[periods][]" in (periods["datatype_description"])
    )
    assert pole["description"] == "灯杆编号：灯杆上喷涂的编号" and pole["values"] == []
    assert count["datatype"] == "number" and count["required"] is False
    assert tip["variable"] is False and tip["datatype_description"] == ""
    empty = Client().get(f"{BASE}/services/{services['cover'].pk}.json").json()
    assert empty["attributes"] == []


def test_it_defines_the_attributes_exactly_as_the_spec_in_xml(services):
    r = Client().get(f"{BASE}/services/CX-SZ-LD.xml")
    assert r["Content-Type"] == "text/xml; charset=utf-8"
    tree = ET.fromstring(r.content)
    assert tree.tag == "service_definition"
    assert [c.tag for c in tree] == ["service_code", "attributes"]
    attrs = tree.find("attributes")
    assert attrs is not None and all(a.tag == "attribute" for a in attrs)
    first = attrs[0]
    assert [c.tag for c in first] == ATTRIBUTE_FIELDS
    assert first.findtext("variable") == "true" and first.findtext("required") == "true"
    assert first.findtext("order") == "1"
    values = first.find("values")
    assert values is not None
    assert [(v.tag, [c.tag for c in v]) for v in values] == [("value", VALUE_FIELDS)] * 2
    assert values[0].findtext("key") == "dark" and values[0].findtext("name") == "不亮"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_stores_attributes_posted_with_a_request(services, key, fmt):
    r = submit(
        key,
        fmt,
        [
            ("attribute[fault]", "flicker"),
            ("attribute[periods][]", "night"),
            ("attribute[periods][]", "day"),
            ("attribute[pole_no]", "LD-0123"),
            ("attribute[count]", ""),
        ],
    )
    assert r.status_code == 201, r.content
    order = WorkOrder.objects.get()
    assert order.attributes == {
        "fault": "flicker",
        "periods": ["night", "day"],
        "pole_no": "LD-0123",
    }


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ([], "attribute[fault]: 请填写附加信息「故障情况」"),
        ([("attribute[fault]", "broken")], "没有选项「broken」"),
        ([("attribute[fault]", "dark"), ("attribute[fault]", "flicker")], "只能有一个值"),
        ([("attribute[fault]", "dark"), ("attribute[periods][]", "dawn")], "没有选项「dawn」"),
        ([("attribute[fault]", "dark"), ("attribute[count]", "many")], "应为数字"),
        ([("attribute[fault]", "dark"), ("attribute[colour]", "red")], "没有附加信息项「colour」"),
        ([("attribute[fault]", "dark"), ("attribute[tip]", "x")], "没有附加信息项「tip」"),
        ([("attribute[fault]", "dark"), ("attribute[old]", "x")], "没有附加信息项「old」"),
        ([("attribute[fault]", "dark"), ("attribute[]", "x")], "无法识别的字段「attribute[]」"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_refuses_bad_attributes_with_errors_and_writes_nothing(services, key, fmt, data, words):
    r = submit(key, fmt, data)
    assert r.status_code == 400
    if fmt == "json":
        [err] = r.json()
        assert list(err) == ["code", "description"] and err["code"] == 400
        description = err["description"]
    else:
        tree = ET.fromstring(r.content)
        assert tree.tag == "errors" and [e.tag for e in tree] == ["error"]
        assert tree[0].findtext("code") == "400"
        description = tree[0].findtext("description") or ""
    assert words in description
    assert WorkOrder.objects.count() == 0 and ChannelRequest.objects.count() == 0


def test_it_round_trips_attributes_from_definition_to_order(services, key):
    definition = Client().get(f"{BASE}/services/CX-SZ-LD.json").json()
    # A client fills in every required variable attribute with its first value.
    answers = [
        (f"attribute[{a['code']}]", a["values"][0]["key"])
        for a in definition["attributes"]
        if a["variable"] and a["required"]
    ]
    r = submit(key, "json", answers)
    assert r.status_code == 201
    token = r.json()[0]["token"]
    number = Client().get(f"{BASE}/tokens/{token}.json").json()[0]["service_request_id"]
    order = WorkOrder.objects.get(number=number)
    assert order.attributes == {"fault": "dark"}
    listed = Client().get(f"{BASE}/requests/{number}.json").json()[0]
    assert "attributes" not in listed and "fault" not in str(listed)  # answers stay internal
