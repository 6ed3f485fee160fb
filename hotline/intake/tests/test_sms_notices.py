"""Requester SMS: templates rendered for each requester-visible moment, every message logged
with its delivery state, opt-outs honoured, confidential orders without personal data, and the
HTTP gateway adapter against a real local server."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hotline.core.sms import HttpGatewayBackend, send_sms
from hotline.intake.channel_testing import http_server
from hotline.intake.models import SmsMessage, SmsOptOut, SmsTemplate
from hotline.intake.sms_notices import render, sms_opt_out, sms_send_queued, validate_template
from hotline.intake.tasks import send_queued_sms
from hotline.workorders.errors import InvalidInput
from hotline.workorders.tests import factories

PHONE = "13912345678"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a move's after-commit work when it returns (the test's transaction never commits)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def test_it_logs_and_sends_the_registered_sms_with_number_and_query_code(org, committed):
    order = committed(factories.registered, org, requester_phone=PHONE)
    message = SmsMessage.objects.get(order=order)
    assert message.kind == "registered" and message.state == "queued"
    assert order.number in message.text and order.query_code in message.text
    assert message.event is not None and message.event.action == "register"
    assert send_queued_sms() == 1
    message.refresh_from_db()
    assert message.state == "sent" and message.detail == "console" and message.sent_at
    assert send_queued_sms() == 0  # sent once


def test_it_sends_dispatched_replied_and_callback_request(org, committed, settings):
    settings.HOTLINE = {**settings.HOTLINE, "CALLBACK_MAX_ATTEMPTS": 3}
    order = committed(factories.registered, org, requester_phone=PHONE)
    for action, actor, params in [
        ("dispatch", org.dave, {"lead_unit": org.water.pk}),
        ("acknowledge", org.bob, {}),
        ("reply", org.bob, {"note": "已修复"}),
        ("accept_reply", org.sue, {}),
        ("callback_unreachable", org.carl, {}),
    ]:
        committed(factories.move, order, action, actor, **params)
    kinds = list(SmsMessage.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["registered", "dispatched", "replied", "callback_request"]
    dispatched = SmsMessage.objects.get(kind="dispatched")
    assert "县自来水公司" in dispatched.text
    assert "12345" in SmsMessage.objects.get(kind="callback_request").text


def test_it_puts_no_personal_data_in_a_confidential_orders_sms(org, committed):
    SmsTemplate.objects.filter(kind="registered").update(
        text="{name}您好，您反映的“{title}”已受理，工单号{number}，查询码{query_code}"
    )
    order = committed(
        factories.registered,
        org,
        requester_phone=PHONE,
        requester_name="王大明",
        title="举报邻居王二违建",
        is_confidential=True,
    )
    text = SmsMessage.objects.get(order=order).text
    assert "王大明" not in text and "王二" not in text and "违建" not in text
    assert order.number in text and order.query_code in text
    open_order = factories.registered(org, requester_name="王大明", title="路灯不亮")
    assert render("{name}：{title}", open_order) == "王大明：路灯不亮"


def test_it_logs_but_does_not_send_to_an_opted_out_number(org, committed):
    sms_opt_out(phone="139 1234 5678", note="回复TD")
    order = committed(factories.registered, org, requester_phone=PHONE)
    message = SmsMessage.objects.get(order=order)
    assert message.state == "opted_out"
    assert sms_send_queued() == 0
    message.refresh_from_db()
    assert message.state == "opted_out" and message.sent_at is None


def test_it_refuses_an_opt_out_of_a_bad_number(db):
    with pytest.raises(InvalidInput):
        sms_opt_out(phone="12")
    assert SmsOptOut.objects.count() == 0


def test_it_sends_no_sms_to_a_landline_or_without_a_template(org, committed):
    committed(factories.registered, org, requester_phone="0912-3456789")
    SmsTemplate.objects.filter(kind="registered").update(is_active=False)
    committed(factories.registered, org, requester_phone=PHONE)
    assert SmsMessage.objects.count() == 0


def test_it_validates_template_placeholders():
    validate_template("工单号{number}，查询码{query_code}")
    with pytest.raises(ValueError, match="phone"):
        validate_template("{phone}")
    with pytest.raises(ValueError):
        validate_template("工单号{number")


def test_it_refuses_a_bad_template_in_admin(admin_client):
    template = SmsTemplate.objects.get(kind="registered")
    r = admin_client.post(
        f"/admin/intake/smstemplate/{template.pk}/change/",
        {"kind": "registered", "text": "您的号码{requester_phone}", "is_active": "on"},
    )
    assert r.status_code == 200 and "未知的占位符".encode() in r.content
    template.refresh_from_db()
    assert "requester_phone" not in template.text


def test_it_records_a_gateway_failure_and_retries(org, committed, settings):
    settings.SMS_BACKEND = "hotline.core.sms.HttpGatewayBackend"
    with http_server(statuses=[500, 200], reply={"id": "msg-77"}) as gateway:
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_GATEWAY_TOKEN = "gw-token"
        order = committed(factories.registered, org, requester_phone=PHONE)
        assert sms_send_queued() == 0
        message = SmsMessage.objects.get(order=order)
        assert message.state == "queued" and message.attempts == 1
        assert "HTTP 500" in message.detail
        assert sms_send_queued() == 1
    message.refresh_from_db()
    assert message.state == "sent" and message.detail == "msg-77" and message.attempts == 2
    hit = gateway.received[-1]
    assert hit["headers"]["Authorization"] == "Bearer gw-token"
    body = json.loads(hit["body"])
    assert body["phone"] == PHONE and body["text"] == message.text


def test_it_reports_an_unreachable_gateway_without_raising(settings):
    settings.SMS_BACKEND = "hotline.core.sms.HttpGatewayBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    result = send_sms(phone=PHONE, text="测试")
    assert not result.ok and result.detail
    assert not HttpGatewayBackend().send(phone=PHONE, text="x").ok


def test_it_lists_messages_in_admin(org, committed, admin_client):
    committed(factories.registered, org, requester_phone=PHONE)
    r = admin_client.get("/admin/intake/smsmessage/")
    assert r.status_code == 200 and PHONE.encode() in r.content
    assert Client().get("/admin/intake/smsmessage/").status_code == 302


def test_it_tells_nobody_about_back_dated_events(org, committed):
    from datetime import timedelta

    from django.utils import timezone

    from hotline.intake.models import WebhookDelivery

    at = timezone.now() - timedelta(days=30)
    committed(factories.registered, org, requester_phone=PHONE, at=at)
    assert SmsMessage.objects.count() == 0 and WebhookDelivery.objects.count() == 0


def test_it_records_an_opt_out_through_the_api(org):
    from hotline.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=org.alice, name="sms-gateway")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    r = c.post("/api/sms/opt-outs", {"phone": PHONE, "note": "TD"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["phone"] == PHONE
    assert SmsOptOut.objects.get().note == "TD"
    r = c.post("/api/sms/opt-outs", {"phone": "12"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "phone"
    assert (
        Client()
        .post("/api/sms/opt-outs", {"phone": PHONE}, content_type="application/json")
        .status_code
        == 401
    )
    assert SmsOptOut.objects.count() == 1
