"""Open311 GeoReport v2: every endpoint in .xml and .json against the specification's field
lists, the errors[] bodies, the default window and filters, and the round trip."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from hotline.intake.channel_testing import make_channel, make_services
from hotline.intake.models import ChannelRequest
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories

BASE = "/open311/v2"
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
DEFINITION_FIELDS = {"service_code", "attributes"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
POST_FIELDS = {"service_request_id", "token", "service_notice", "account_id"}
TOKEN_FIELDS = {"service_request_id", "token"}


def get(path: str, **params: str):
    return Client().get(f"{BASE}/{path}", params)


def xml_items(body: bytes, root: str, item: str) -> list[dict[str, str]]:
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    tree = ET.fromstring(body)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return [{c.tag: (c.text or "") for c in child} for child in tree]


@pytest.fixture
def services(org):
    return make_services()


@pytest.fixture
def open311(org):
    return make_channel(name="Open311 客户端", kind="open311")


def submit(key: str, fmt: str = "json", **fields: str):
    data = {
        "api_key": key,
        "service_code": "CX-SZ-LD",
        "lat": "38.123456",
        "long": "110.054321",
        "address_string": "东城小区3号楼",
        "description": "路灯连续三晚不亮",
        "first_name": "女士",
        "last_name": "李",
        "phone": "13912345678",
    }
    data.update(fields)
    return Client().post(f"{BASE}/requests.{fmt}", data)


def test_it_serves_discovery_in_both_formats(db):
    r = get("discovery.json")
    assert r["Content-Type"] == "application/json; charset=utf-8"
    data = r.json()
    assert set(data) == DISCOVERY_FIELDS
    assert set(data["endpoints"][0]) == ENDPOINT_FIELDS
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    r = get("discovery.xml")
    assert r["Content-Type"] == "text/xml; charset=utf-8"
    tree = ET.fromstring(r.content)
    assert tree.tag == "discovery"
    assert {c.tag for c in tree} == DISCOVERY_FIELDS
    endpoint = tree.find("endpoints/endpoint")
    assert endpoint is not None and {c.tag for c in endpoint} == ENDPOINT_FIELDS
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_it_lists_active_leaf_categories_as_services(services):
    everything = get("services.json").json()
    # The default category tree ships too; ours is the group of the test categories.
    data = [s for s in everything if s["group"] == "渠道测试分类"]
    assert [s["service_code"] for s in data] == ["CX-SZ-LD", str(services["cover"].pk)]
    assert "CX-SZ-OLD" not in {s["service_code"] for s in everything}
    assert "CX-SZ" not in {s["service_code"] for s in everything}  # not a leaf
    for row in data:
        assert set(row) == SERVICE_FIELDS
        assert row["metadata"] is False and row["type"] == "realtime"
        assert row["group"] == "渠道测试分类"
    assert data[0]["description"] == services["lamp"].full_name
    rows = xml_items(get("services.xml").content, "services", "service")
    assert len(rows) == len(everything)
    assert all(set(r) == SERVICE_FIELDS for r in rows)
    lamp = next(r for r in rows if r["service_code"] == "CX-SZ-LD")
    assert lamp["metadata"] == "false" and lamp["service_name"] == "路灯损坏"


def test_it_defines_a_service_and_404s_an_unknown_one(services):
    data = get("services/CX-SZ-LD.json").json()
    assert data == {"service_code": "CX-SZ-LD", "attributes": []}
    tree = ET.fromstring(get("services/CX-SZ-LD.xml").content)
    assert tree.tag == "service_definition" and {c.tag for c in tree} == DEFINITION_FIELDS
    for fmt in ("json", "xml"):
        r = get(f"services/NOPE.{fmt}")
        assert r.status_code == 404
    assert get("services/NOPE.json").json()[0]["code"] == 404
    err = ET.fromstring(get("services/NOPE.xml").content)
    assert err.tag == "errors" and err.find("error/code").text == "404"  # type: ignore[union-attr]
    assert get("services/CX-SZ-OLD.json").status_code == 404  # inactive is no service


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_creates_a_request_by_post(services, open311, fmt):
    _channel, key = open311
    r = submit(key, fmt)
    assert r.status_code == 201, r.content
    if fmt == "json":
        row = r.json()[0]
    else:
        row = xml_items(r.content, "service_requests", "request")[0]
    assert set(row) == POST_FIELDS
    order = WorkOrder.objects.get(number=row["service_request_id"])
    assert order.channel == "open311" and order.category == services["lamp"]
    assert order.content == "路灯连续三晚不亮" and order.address == "东城小区3号楼"
    assert order.requester_name == "李女士" and order.requester_phone == "13912345678"
    req = ChannelRequest.objects.get(token=row["token"])
    assert str(req.lat) == "38.123456" and req.order == order


def test_it_takes_a_request_without_phone_as_anonymous(services, open311):
    _channel, key = open311
    r = submit(key, phone="")
    order = WorkOrder.objects.get(number=r.json()[0]["service_request_id"])
    assert order.is_anonymous and order.requester_name == ""


@pytest.mark.parametrize(
    "fields,status,words",
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "ch_wrong"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "NOPE"}, 400, "NOPE"),
        ({"service_code": "CX-SZ-OLD"}, 400, "CX-SZ-OLD"),
        ({"lat": "", "long": "", "address_string": ""}, 400, "lat"),
        ({"long": ""}, 400, "long"),
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "95"}, 400, "lat"),
        ({"description": ""}, 400, "description"),
        ({"attribute[WHERE]": "x"}, 400, "WHERE"),
        ({"phone": "12"}, 400, "phone: 联系电话「12」"),
    ],
)
def test_it_refuses_bad_posts_with_errors_and_writes_nothing(
    services, open311, fields, status, words
):
    _channel, key = open311
    for fmt in ("json", "xml"):
        r = submit(key, fmt, **fields)
        assert r.status_code == status
        if fmt == "json":
            error = r.json()[0]
            assert set(error) == {"code", "description"} and error["code"] == status
            assert words in error["description"]
        else:
            rows = xml_items(r.content, "errors", "error")
            assert rows[0]["code"] == str(status)
    assert WorkOrder.objects.count() == 0 and ChannelRequest.objects.count() == 0


def test_it_refuses_wrong_content_type_and_invalid_utf8(services, open311):
    _channel, key = open311
    c = Client()
    r = c.post(
        f"{BASE}/requests.json", data=json.dumps({"api_key": key}), content_type="application/json"
    )
    assert (
        r.status_code == 400 and "application/x-www-form-urlencoded" in r.json()[0]["description"]
    )
    body = f"api_key={key}&service_code=CX-SZ-LD&address_string=x&description=%FF%FE".encode()
    r = c.post(f"{BASE}/requests.json", data=body, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and "UTF-8" in r.json()[0]["description"]
    raw = body.replace(b"%FF%FE", b"\xff\xfe")
    r = c.post(f"{BASE}/requests.json", data=raw, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    assert WorkOrder.objects.count() == 0


def _multipart(fields: list[tuple[bytes, bytes]], part_headers: bytes = b"") -> bytes:
    parts = [
        b'--B0undary\r\nContent-Disposition: form-data; name="'
        + name
        + b'"\r\n'
        + part_headers
        + b"\r\n"
        + value
        + b"\r\n"
        for name, value in fields
    ]
    return b"".join(parts) + b"--B0undary--\r\n"


def _post_multipart(body: bytes):
    return Client().post(
        f"{BASE}/requests.json", data=body, content_type="multipart/form-data; boundary=B0undary"
    )


def _fields(key: str, description: bytes, name: bytes = b"description"):
    return [
        (b"api_key", key.encode()),
        (b"service_code", b"CX-SZ-LD"),
        (b"address_string", "东城小区".encode()),
        (name, description),
    ]


def test_it_refuses_invalid_utf8_in_a_multipart_body(services, open311):
    _channel, key = open311
    for fields in (
        _fields(key, b"\xff\xfe bad"),  # the value
        _fields(key, "路灯".encode()[:-1]),  # a character cut in half
        _fields(key, "路灯".encode(), name=b"descr\xffiption"),  # a field's name
    ):
        r = _post_multipart(_multipart(fields))
        assert r.status_code == 400, r.content
        assert r.json() == [{"code": 400, "description": "请求体不是有效的 UTF-8 编码"}]
    # A part sent in base64 (Content-Transfer-Encoding) is decoded, then checked the same way.
    encoded = [(n, base64.b64encode(v)) for n, v in _fields(key, b"\xff\xfe bad")]
    r = _post_multipart(_multipart(encoded, b"Content-Transfer-Encoding: base64\r\n"))
    assert r.status_code == 400 and "UTF-8" in r.json()[0]["description"]
    r = _post_multipart(b"no parts at all")
    assert r.status_code == 400 and "multipart" in r.json()[0]["description"]
    assert WorkOrder.objects.count() == 0 and ChannelRequest.objects.count() == 0


def test_it_takes_valid_multipart_text_as_sent(services, open311):
    _channel, key = open311
    text = "路灯不亮 \ufffd 照原样保存"  # a replacement character the client really sent
    r = _post_multipart(_multipart(_fields(key, text.encode())))
    assert r.status_code == 201, r.content
    assert WorkOrder.objects.get().content == text


def test_it_refuses_an_oversized_body(services, open311, settings):
    _channel, key = open311
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 500
    r = submit(key, description="长" * 1000)
    assert r.status_code == 413 and r.json()[0]["code"] == 413
    assert WorkOrder.objects.count() == 0


def test_it_escapes_html_on_output(services, open311, settings):
    settings.OPEN311_PUBLIC_DESCRIPTION = "scrubbed"  # the words are published only then
    _channel, key = open311
    script = "<script>alert(1)</script>&"
    number = submit(key, description=script).json()[0]["service_request_id"]
    r = get(f"requests/{number}.xml")
    assert b"<script>" not in r.content and b"&lt;script&gt;" in r.content
    assert xml_items(r.content, "service_requests", "request")[0]["description"] == script
    assert get(f"requests/{number}.json").json()[0]["description"] == script


def test_it_serves_tokens_in_both_formats(services, open311):
    _channel, key = open311
    row = submit(key).json()[0]
    data = get(f"tokens/{row['token']}.json").json()
    assert data == [{"service_request_id": row["service_request_id"], "token": row["token"]}]
    rows = xml_items(get(f"tokens/{row['token']}.xml").content, "service_requests", "request")
    assert rows == data
    assert get("tokens/unknown.json").status_code == 404
    assert get("tokens/unknown.xml").status_code == 404


def test_it_lists_requests_with_every_field_and_no_personal_data(services, open311, org):
    _channel, key = open311
    number = submit(key).json()[0]["service_request_id"]
    factories.registered(org, is_confidential=True, category=services["lamp"].pk)
    data = get("requests.json").json()
    assert [r["service_request_id"] for r in data] == [number]  # confidential left out
    row = data[0]
    assert set(row) == REQUEST_FIELDS
    assert row["status"] == "open" and row["service_code"] == "CX-SZ-LD"
    assert row["requested_datetime"].endswith("+08:00")
    # Published coarsened by default (OPEN311_PUBLIC_ADDRESS, test_open311_privacy.py).
    assert row["lat"] == "38.12" and row["long"] == "110.05"
    text = json.dumps(data, ensure_ascii=False)
    assert "13912345678" not in text and "李女士" not in text
    rows = xml_items(get("requests.xml").content, "service_requests", "request")
    assert set(rows[0]) == REQUEST_FIELDS and rows[0]["service_request_id"] == number
    one = get(f"requests/{number}.json").json()
    assert one == data
    assert xml_items(get(f"requests/{number}.xml").content, "service_requests", "request") == rows
    for fmt in ("json", "xml"):
        assert get(f"requests/NOPE.{fmt}").status_code == 404


def test_it_opens_90_days_from_a_single_date(services, open311, org):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=200)):
        first = factories.registered(org)
    with time_machine.travel(now - timedelta(days=100)):
        second = factories.registered(org)
    latest = factories.registered(org)

    def numbers(**params: str) -> set[str]:
        r = get("requests.json", **params)
        assert r.status_code == 200, r.content
        return {row["service_request_id"] for row in r.json()}

    # start_date alone: the 90 days from it, not everything up to now.
    start = (now - timedelta(days=201)).isoformat()
    assert numbers(start_date=start) == {first.number}
    assert numbers(start_date=(now - timedelta(days=101)).isoformat()) == {second.number}
    assert numbers(start_date=(now - timedelta(days=80)).isoformat()) == {latest.number}
    # end_date alone: the 90 days up to it.
    end = (now - timedelta(days=99)).astimezone(timezone.get_current_timezone())
    assert numbers(end_date=end.isoformat(timespec="seconds")) == {second.number}
    assert numbers(end_date=(now - timedelta(days=99)).strftime("%Y-%m-%dT%H:%M:%SZ")) == {
        second.number
    }


def test_it_filters_requests(services, open311, org):
    lamp = factories.registered(org, category=services["lamp"].pk)
    cover = factories.dispatched(org, category=services["cover"].pk)
    with time_machine.travel(timezone.now() - timedelta(days=120)):
        old = factories.registered(org, category=services["lamp"].pk)

    def numbers(**params: str) -> set[str]:
        r = get("requests.json", **params)
        assert r.status_code == 200, r.content
        return {row["service_request_id"] for row in r.json()}

    assert numbers() == {lamp.number, cover.number}  # the default 90-day window
    assert numbers(service_code="CX-SZ-LD") == {lamp.number}
    assert numbers(service_code=f"CX-SZ-LD,{services['cover'].pk}") == {lamp.number, cover.number}
    assert numbers(service_request_id=f"{old.number},{lamp.number}") == {old.number, lamp.number}
    start = (timezone.now() - timedelta(days=130)).isoformat()
    end = (timezone.now() - timedelta(days=100)).isoformat()
    assert numbers(start_date=start, end_date=end) == {old.number}
    assert numbers(status="open") == {lamp.number, cover.number}
    assert numbers(status="closed") == set()
    assert numbers(updated_after=(timezone.now() - timedelta(hours=1)).isoformat()) == {
        lamp.number,
        cover.number,
    }
    assert numbers(updated_before=(timezone.now() - timedelta(hours=1)).isoformat()) == set()
    assert len(numbers(page_size="1")) == 1
    assert numbers(page_size="1", page="2") | numbers(page_size="1") == {lamp.number, cover.number}
    assert numbers(page="3", page_size="1") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"start_date": "2026-10-01"},  # a date alone: the spec asks for a date-time
        {"end_date": "2026-10-01T08:00:00"},  # no offset: whose 08:00?
        {"updated_after": "2026-10-01"},
        {"end_date": "2026-13-01T00:00:00+08:00"},
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
        {"start_date": "2026-06-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"},
        {"status": "pending"},
        {"service_code": "NOPE"},
        {"page": "0"},
        {"page_size": "many"},
    ],
)
def test_it_refuses_bad_list_parameters(services, params):
    r = get("requests.json", **params)
    assert r.status_code == 400
    assert set(r.json()[0]) == {"code", "description"}
    r = get("requests.xml", **params)
    assert xml_items(r.content, "errors", "error")[0]["code"] == str(r.status_code)


def test_it_caps_a_list_at_1000(services, open311, org):
    from hotline.intake.open311 import views

    assert views.MAX_RESULTS == 1000
    r = get("requests.json", page_size="5000")
    assert r.status_code == 200  # capped, not refused


def test_it_round_trips_a_request_through_the_loop(services, open311, org):
    _channel, key = open311
    posted = submit(key).json()[0]
    number = posted["service_request_id"]
    assert get(f"tokens/{posted['token']}.json").json()[0]["service_request_id"] == number
    listed = {r["service_request_id"]: r for r in get("requests.json").json()}
    assert listed[number]["status"] == "open"
    order = WorkOrder.objects.get(number=number)
    factories.move(order, "dispatch", org.dave, lead_unit=org.water.pk, note="请尽快处理")
    row = get(f"requests/{number}.json").json()[0]
    # The dispatcher's note is internal: the public sees the state in plain words.
    assert row["agency_responsible"] == "县自来水公司"
    assert row["status_notes"] == "已转交承办单位，等待办理"
    factories.move(order, "acknowledge", org.bob)
    factories.move(order, "reply", org.bob, note="已更换灯泡。")
    factories.move(order, "accept_reply", org.sue, note="路灯已修复。")
    factories.move(order, "callback", org.carl, rating="satisfied", solved=True)
    row = get(f"requests/{number}.json").json()[0]
    assert row["status"] == "closed"
    assert row["status_notes"] == "已办结"  # the answer itself only where the city publishes words
    closed = get("requests.json", status="closed").json()
    assert [r["service_request_id"] for r in closed] == [number]
    xml_row = xml_items(get(f"requests/{number}.xml").content, "service_requests", "request")[0]
    assert xml_row["status"] == "closed"


def test_it_refuses_nul_characters(services, open311):
    _channel, key = open311
    r = submit(key, description="路灯\u0000不亮")
    assert r.status_code == 400 and "description" in r.json()[0]["description"]
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize(
    "path,params",
    [
        ("requests/a%00b.json", {}),
        ("tokens/a%00b.json", {}),
        ("services/a%00b.json", {}),
        ("requests.json", {"service_code": "a\u0000b"}),
        ("requests.json", {"service_request_id": "a\u0000b"}),
    ],
)
def test_it_refuses_nul_characters_in_reads(services, path, params):
    r = get(path, **params)
    assert r.status_code == 400 and r.json()[0]["code"] == 400


@pytest.mark.parametrize(
    "method,path,allowed",
    [
        ("put", "requests.json", "GET, POST"),
        ("delete", "requests.xml", "GET, POST"),
        ("post", "services.json", "GET"),
        ("patch", "discovery.xml", "GET"),
    ],
)
def test_it_refuses_other_methods_in_its_error_format(services, method, path, allowed):
    r = getattr(Client(), method)(f"{BASE}/{path}")
    assert r.status_code == 405 and r["Allow"] == allowed
    if path.endswith(".json"):
        assert r["Content-Type"] == "application/json; charset=utf-8"
        [body] = r.json()
        assert body["code"] == 405 and method.upper() in body["description"]
    else:
        assert r["Content-Type"] == "text/xml; charset=utf-8"
        assert xml_items(r.content, "errors", "error")[0]["code"] == "405"


@pytest.mark.parametrize(
    "path", ["requests.html", "services", "requests/123.csv", "nothing.json", ""]
)
def test_it_answers_unknown_paths_and_formats_with_json_errors(db, path):
    r = Client().get(f"{BASE}/{path}")
    assert r.status_code == 404
    assert r["Content-Type"] == "application/json; charset=utf-8"
    [body] = r.json()
    assert body["code"] == 404 and ".xml" in body["description"]
