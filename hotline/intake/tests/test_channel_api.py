"""The channel intake API: key auth, operations, idempotency, attachments, pending posts, bad
input (field named, nothing written)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from hotline.accounts.models import ApiToken
from hotline.intake.channel_auth import channel_revoke_key
from hotline.intake.channel_testing import make_channel
from hotline.intake.models import ChannelRequest, Operation
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from hotline.workorders.tests import samples

URL = "/api/channel/requests"
BODY = {
    "title": "路灯不亮",
    "content": "东城小区3号楼前路灯连续三晚不亮。",
    "requester_name": "李女士",
    "requester_phone": "13912345678",
    "external_id": "wx-001",
}


def post(key: str, body: dict | None = None, idempotency_key: str = ""):
    extra: dict[str, Any] = {"HTTP_X_CHANNEL_KEY": key}
    if idempotency_key:
        extra["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    return Client().post(
        URL, data=json.dumps(body or BODY), content_type="application/json", **extra
    )


@pytest.fixture
def wechat(org):
    return make_channel()


def test_it_registers_an_order_from_a_channel(wechat):
    channel, key = wechat
    r = post(key)
    assert r.status_code == 201, r.content
    data = r.json()
    order = WorkOrder.objects.get(number=data["number"])
    assert order.status == Status.REGISTERED
    assert order.channel == "wechat"
    assert order.request_type.code == "help"  # the channel's default type
    assert data["query_code"] == order.query_code
    assert data["state"] == "created"
    req = ChannelRequest.objects.get(token=data["token"])
    assert req.channel == channel and req.order == order and req.external_id == "wx-001"
    event = WorkOrderEvent.objects.get(order=order)
    assert event.action == Action.REGISTER and event.actor.is_system


def test_it_refuses_a_missing_wrong_or_revoked_key(wechat, org):
    channel, key = wechat
    assert post("").status_code == 401
    assert post("ch_wrong").status_code == 401
    channel_revoke_key(channel=channel)
    refused = post(key)
    assert refused.status_code == 401
    # The channel is told about its key, not about staff logins and tokens.
    assert "X-Channel-Key" in refused.json()["message"]
    assert WorkOrder.objects.count() == 0


def test_it_says_a_body_that_is_not_an_object_is_not_one(wechat):
    _channel, key = wechat
    r = Client().post(URL, data="[1, 2]", content_type="application/json", HTTP_X_CHANNEL_KEY=key)
    assert r.status_code == 400
    assert r.json()["message"] == "请求体应为 JSON 对象（{…}）" and r.json()["field"] == "body"
    assert WorkOrder.objects.count() == 0


def test_it_refuses_a_staff_token_on_channel_endpoints(org):
    _token, staff_key = ApiToken.issue(user=org.alice, name="desk")
    r = Client().post(
        URL,
        data=json.dumps(BODY),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {staff_key}",
    )
    assert r.status_code == 401
    assert WorkOrder.objects.count() == 0


def test_it_refuses_a_channel_key_on_staff_endpoints(wechat):
    _channel, key = wechat
    r = Client().get("/api/workorders", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 401


def test_it_refuses_an_operation_the_channel_is_not_allowed(org):
    _channel, key = make_channel(operations=[Operation.READ])
    r = post(key)
    assert r.status_code == 403
    assert "create" in r.json()["message"]
    assert WorkOrder.objects.count() == 0


def test_it_returns_the_first_result_for_a_retried_idempotency_key(wechat):
    _channel, key = wechat
    first = post(key, idempotency_key="abc-1")
    again = post(key, idempotency_key="abc-1")  # a retry sends the same request
    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert WorkOrder.objects.count() == 1
    assert ChannelRequest.objects.count() == 1


def test_it_keeps_idempotency_keys_apart_per_channel(wechat):
    _c1, key1 = wechat
    _c2, key2 = make_channel(name="政务App", kind="app")
    a = post(key1, idempotency_key="same")
    b = post(key2, idempotency_key="same")
    assert a.status_code == b.status_code == 201
    assert a.json()["number"] != b.json()["number"]
    assert WorkOrder.objects.count() == 2


def test_it_names_the_field_of_bad_input_and_writes_nothing(wechat):
    _channel, key = wechat
    r = post(key, {**BODY, "requester_phone": "12"}, idempotency_key="k1")
    assert r.status_code == 400
    assert r.json()["field"] == "requester_phone"
    assert "联系电话" in r.json()["message"]
    r = post(key, {k: v for k, v in BODY.items() if k != "title"})
    assert r.status_code == 400 and r.json()["field"] == "title"
    r = post(key, {**BODY, "category": 999999})
    assert r.status_code == 400 and r.json()["field"] == "category"
    assert WorkOrder.objects.count() == 0
    # The failed claim rolled back too: the key can be used again with good input.
    assert ChannelRequest.objects.count() == 0
    assert post(key, idempotency_key="k1").status_code == 201


def test_it_rejects_wrong_content_type_invalid_utf8_and_oversized_bodies(wechat, settings):
    _channel, key = wechat
    c = Client()
    r = c.post(URL, data="title=x", content_type="text/plain", HTTP_X_CHANNEL_KEY=key)
    assert r.status_code == 400
    r = c.post(
        URL, data=b'{"title": "\xff\xfe"}', content_type="application/json", HTTP_X_CHANNEL_KEY=key
    )
    assert r.status_code == 400
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = post(key, {**BODY, "content": "长" * 2000})
    assert r.status_code in (400, 413)
    assert WorkOrder.objects.count() == 0


def test_it_stores_html_as_text(wechat):
    _channel, key = wechat
    script = "<script>alert('x')</script>路灯坏了"
    r = post(key, {**BODY, "content": script})
    order = WorkOrder.objects.get(number=r.json()["number"])
    assert order.content == script


def test_it_attaches_files_sent_as_base64(wechat):
    _channel, key = wechat
    photo = samples.png()
    body = {
        **BODY,
        "attachments": [
            {
                "name": "lamp.png",
                "content_type": "image/png",
                "data": base64.b64encode(photo).decode(),
            }
        ],
    }
    r = post(key, body)
    assert r.status_code == 201, r.content
    att = Attachment.objects.get(order__number=r.json()["number"])
    assert att.name == "lamp.png" and att.size == len(photo)
    assert att.file.read() == photo
    assert WorkOrderEvent.objects.filter(order=att.order, action=Action.ATTACH).count() == 1


def test_it_refuses_bad_base64_and_writes_nothing(wechat):
    _channel, key = wechat
    body = {**BODY, "attachments": [{"name": "a.png", "data": "!!notbase64!!"}]}
    r = post(key, body)
    assert r.status_code == 400
    assert r.json()["field"] == "attachments.0.data"
    assert WorkOrder.objects.count() == 0 and Attachment.objects.count() == 0


def test_it_keeps_a_message_board_post_pending_until_an_agent_confirms(org):
    from hotline.intake.channel_services import channel_request_confirm

    _channel, key = make_channel(name="网络问政", kind="message_board")
    r = post(key)
    assert r.status_code == 201
    assert r.json()["state"] == "pending" and r.json()["number"] is None
    assert WorkOrder.objects.count() == 0
    req = ChannelRequest.objects.get(token=r.json()["token"])
    order = channel_request_confirm(request=req, actor=org.alice)
    assert order.status == Status.REGISTERED and order.channel == "message_board"
    assert order.registered_by == org.alice
    req.refresh_from_db()
    assert req.state == "created" and req.order == order


def test_it_validates_a_pending_post_at_submission(org):
    _channel, key = make_channel(name="网络问政", kind="message_board")
    r = post(key, {**BODY, "requester_phone": "abc"})
    assert r.status_code == 400 and r.json()["field"] == "requester_phone"
    assert ChannelRequest.objects.count() == 0


def test_it_rejects_a_pending_post_with_a_reason(org):
    from hotline.intake.channel_services import channel_request_reject
    from hotline.workorders.errors import InvalidInput

    _channel, key = make_channel(name="网络问政", kind="message_board")
    req = ChannelRequest.objects.get(token=post(key).json()["token"])
    with pytest.raises(InvalidInput):
        channel_request_reject(request=req, actor=org.alice, note="")
    channel_request_reject(request=req, actor=org.alice, note="广告信息")
    req.refresh_from_db()
    assert req.state == "rejected" and req.decision_note == "广告信息"
    assert WorkOrder.objects.count() == 0


def test_it_shows_a_channel_only_its_own_requests(wechat):
    _c1, key1 = wechat
    _c2, key2 = make_channel(name="政务App", kind="app")
    token = post(key1).json()["token"]
    mine = Client().get(f"{URL}/{token}", HTTP_X_CHANNEL_KEY=key1)
    assert mine.status_code == 200 and mine.json()["status"] == "registered"
    other = Client().get(f"{URL}/{token}", HTTP_X_CHANNEL_KEY=key2)
    assert other.status_code == 404


def test_it_limits_a_channel_to_its_rate(org):
    _channel, key = make_channel(rate_limit=2)
    assert post(key).status_code == 201
    assert post(key).status_code == 201
    r = post(key)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert WorkOrder.objects.count() == 2


def test_it_refuses_nul_characters_and_writes_nothing(wechat):
    # PostgreSQL cannot store NUL in text: it must be a 400 naming the field, not a 500.
    _channel, key = wechat
    r = post(key, {**BODY, "content": "路灯\u0000不亮"})
    assert r.status_code == 400 and r.json()["field"] == "content"
    assert WorkOrder.objects.count() == 0


def test_it_answers_404_for_a_token_with_a_nul(wechat):
    _channel, key = wechat
    assert Client().get(f"{URL}/a%00b", HTTP_X_CHANNEL_KEY=key).status_code == 404
