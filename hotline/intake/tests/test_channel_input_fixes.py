"""QA findings of issue #5 on the channel API, Open311 POST and the SMS opt-out API: the wrong
content type, the parameter an Open311 error names, the replay's answer, the schema's limits,
a reused idempotency key, the opt-out's message and time."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.accounts.models import ApiToken
from hotline.intake.channel_testing import make_channel, make_services
from hotline.intake.models import ChannelRequest, SmsOptOut
from hotline.workorders.models import WorkOrder

BODY = {"title": "路灯不亮", "content": "3号楼前路灯不亮。", "requester_phone": "13912345678"}
OPEN311 = "/open311/v2/requests.json"


@pytest.fixture
def channel_key(org):
    return make_channel()[1]


@pytest.fixture
def open311_key(org):
    make_services()
    return make_channel(name="Open311 客户端", kind="open311")[1]


def _post(key: str, content_type: str, body: bytes | None = None, **headers: str):
    return Client().post(
        "/api/channel/requests",
        data=body if body is not None else json.dumps(BODY).encode(),
        content_type=content_type,
        HTTP_X_CHANNEL_KEY=key,
        **headers,
    )


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/json; charset=gbk", "application/x-www-form-urlencoded"],
)
def test_the_channel_api_refuses_a_wrong_content_type(channel_key, content_type):
    r = _post(channel_key, content_type)
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "Content-Type"
    assert content_type.split(";")[0] in r.json()["message"]
    assert WorkOrder.objects.count() == 0 and ChannelRequest.objects.count() == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
def test_the_channel_api_takes_json(channel_key, content_type):
    assert _post(channel_key, content_type).status_code == 201


def _open311(key: str, **fields: str):
    data = {
        "api_key": key,
        "service_code": "CX-SZ-LD",
        "address_string": "东城小区3号楼",
        "description": "路灯连续三晚不亮",
        **fields,
    }
    return Client().post(OPEN311, data)


@pytest.mark.parametrize(
    "fields,name",
    [
        ({"phone": "12"}, "phone: "),
        ({"description": "长" * 6000}, "description: "),
    ],
)
def test_open311_errors_name_its_own_parameters(open311_key, fields, name):
    r = _open311(open311_key, **fields)
    assert r.status_code == 400, r.content
    description = r.json()[0]["description"]
    assert description.startswith(name)
    for internal in ("requester_phone", "content", "requester_name"):
        assert not description.startswith(internal)
    assert WorkOrder.objects.count() == 0


def test_open311_replays_like_the_channel_api(open311_key, channel_key):
    first = Client().post(OPEN311, _form(open311_key), HTTP_IDEMPOTENCY_KEY="o-1")
    again = Client().post(OPEN311, _form(open311_key), HTTP_IDEMPOTENCY_KEY="o-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    api_first = _post(channel_key, "application/json", HTTP_IDEMPOTENCY_KEY="c-1")
    api_again = _post(channel_key, "application/json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert (api_first.status_code, api_again.status_code) == (first.status_code, again.status_code)
    assert api_again["Idempotent-Replayed"] == again["Idempotent-Replayed"]
    assert WorkOrder.objects.count() == 2


def _form(key: str) -> dict[str, str]:
    return {
        "api_key": key,
        "service_code": "CX-SZ-LD",
        "address_string": "东城小区3号楼",
        "description": "路灯连续三晚不亮",
    }


def test_the_schema_declares_the_registrations_limit(db, settings):
    schema = Client().get("/api/openapi.json").json()
    content = schema["components"]["schemas"]["ChannelRequestIn"]["properties"]["content"]
    assert content["maxLength"] == settings.HOTLINE["CONTENT_MAX_LENGTH"]


def test_the_opt_out_names_the_bad_value_and_answers_in_local_time(org):
    _token, key = ApiToken.issue(user=org.alice, name="sms-gateway")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    r = c.post("/api/sms/opt-outs", {"phone": "abc"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == "手机号「abc」格式不正确"
    r = c.post("/api/sms/opt-outs", {"phone": "13912345678"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["created_at"].endswith("+08:00")
    assert SmsOptOut.objects.count() == 1


def test_a_reused_idempotency_key_with_another_body_is_refused(channel_key):
    first = _post(channel_key, "application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    other = json.dumps({**BODY, "content": "另一件事：井盖丢失。"}).encode()
    r = _post(channel_key, "application/json", other, HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "idempotency_key_reused" and r.json()["field"] == "Idempotency-Key"
    assert WorkOrder.objects.count() == 1 and ChannelRequest.objects.count() == 1
    # The same body again is a retry: the first answer.
    again = _post(channel_key, "application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json() == first.json()


def test_open311_refuses_a_reused_key_with_another_body(open311_key):
    assert Client().post(OPEN311, _form(open311_key), HTTP_IDEMPOTENCY_KEY="o-2").status_code == 201
    changed = {**_form(open311_key), "description": "井盖丢失"}
    r = Client().post(OPEN311, changed, HTTP_IDEMPOTENCY_KEY="o-2")
    assert r.status_code == 422 and r.json()[0]["code"] == 422
    assert "Idempotency-Key" in r.json()[0]["description"]
    assert WorkOrder.objects.count() == 1


def test_open311_keeps_email_media_and_ids_with_the_request(open311_key, settings):
    extra = {
        "email": "li@example.cn",
        "media_url": "https://img.example.cn/lamp.jpg",
        "device_id": "dev-1",
        "account_id": "acc-9",
    }
    r = _open311(open311_key, **extra)
    assert r.status_code == 201, r.content
    number = r.json()[0]["service_request_id"]
    assert ChannelRequest.objects.get().data["channel"] == extra
    row = Client().get(f"/open311/v2/requests/{number}.json").json()[0]
    assert row["media_url"] == ""  # by default the requester's material is not published
    settings.OPEN311_PUBLIC_DESCRIPTION = "scrubbed"
    row = Client().get(f"/open311/v2/requests/{number}.json").json()[0]
    assert row["media_url"] == "https://img.example.cn/lamp.jpg"


@pytest.mark.parametrize(
    "fields,words",
    [
        ({"email": "not-an-address"}, "email"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
        ({"device_id": "d" * 101}, "device_id"),
    ],
)
def test_open311_refuses_a_bad_email_or_media_url(open311_key, fields, words):
    r = _open311(open311_key, **fields)
    assert r.status_code == 400 and words in r.json()[0]["description"]
    assert WorkOrder.objects.count() == 0 and ChannelRequest.objects.count() == 0
