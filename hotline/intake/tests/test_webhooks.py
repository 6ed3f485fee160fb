"""Status push: an outbox row per requester-visible event of an order that came through a
channel with a webhook, delivered signed to a real local HTTP server, retried with back-off."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from hotline.core import periodic
from hotline.intake.channel_services import channel_request_reject
from hotline.intake.channel_testing import http_server, make_channel
from hotline.intake.models import ChannelRequest, WebhookDelivery
from hotline.intake.tasks import deliver_due_webhooks
from hotline.intake.webhooks import (
    MAX_ATTEMPTS,
    SIGNATURE_HEADER,
    backoff,
    request_of,
    webhook_row,
)
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories

SECRET = "s3cret-of-the-channel"
BODY = {"title": "路灯不亮", "content": "3号楼前路灯不亮。", "requester_phone": "13912345678"}


def submit(key: str) -> WorkOrder:
    r = committed(
        Client().post,
        "/api/channel/requests",
        data=json.dumps(BODY),
        content_type="application/json",
        HTTP_X_CHANNEL_KEY=key,
    )
    assert r.status_code == 201, r.content
    return WorkOrder.objects.get(number=r.json()["number"])


@pytest.fixture(autouse=True)
def _commit(django_capture_on_commit_callbacks):
    """The test's transaction never commits: each request or move below runs its after-commit
    work when it returns, as a real commit would."""
    global _capture
    _capture = django_capture_on_commit_callbacks


_capture = None


def committed(fn, *args, **kwargs):
    assert _capture is not None
    with _capture(execute=True):
        return fn(*args, **kwargs)


def move(order, action, actor, **params):
    return committed(factories.move, order, action, actor, **params)


@pytest.fixture
def server():
    with http_server() as recorder:
        yield recorder


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    # The test's channel listens on 127.0.0.1: allowed here, refused by default (see below).
    settings.CHANNEL_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def channel_key(org, server):
    return make_channel(webhook_url=server.url, webhook_secret=SECRET)


def test_it_writes_an_outbox_row_for_each_requester_visible_event(org, channel_key):
    _channel, key = channel_key
    order = submit(key)
    move(order, "dispatch", org.dave, lead_unit=org.water.pk)
    move(order, "acknowledge", org.bob)  # internal: no notice
    move(order, "add_note", org.bob, note="内部备注")  # internal: no notice
    move(order, "reply", org.bob, note="已修复。")  # reviewed first: no notice yet
    move(order, "accept_reply", org.sue)
    move(order, "callback", org.carl, rating="satisfied", solved=True)
    kinds = list(WebhookDelivery.objects.order_by("event__seq").values_list("kind", flat=True))
    assert kinds == ["registered", "dispatched", "replied", "closed"]
    first = WebhookDelivery.objects.get(kind="registered")
    assert first.payload["number"] == order.number and first.payload["status"] == "registered"
    assert first.state == "pending" and first.url.endswith("/hook")


def test_it_tells_the_channel_the_reviewed_answer_and_no_internal_note(org, channel_key):
    _channel, key = channel_key
    order = submit(key)
    move(order, "dispatch", org.dave, lead_unit=org.water.pk, note="请联系张三丰（5号楼302室）")
    move(order, "acknowledge", org.bob)
    move(order, "reply", org.bob, note="张三丰您好：路灯已更换。")
    move(order, "accept_reply", org.sue, note="审核：答复完整")  # the reviewer's note: internal
    move(order, "callback", org.carl, rating="satisfied", solved=True)
    rows = list(WebhookDelivery.objects.order_by("event__seq"))
    notes = {r.kind: r.payload["note"] for r in rows}
    assert notes == {
        "registered": "",
        "dispatched": "",
        "replied": "张三丰您好：路灯已更换。",
        "closed": "张三丰您好：路灯已更换。",
    }
    # The order's version after each event, increasing: receivers may order by it.
    versions = [r.payload["version"] for r in rows]
    assert versions == [r.event.seq for r in rows] and versions == sorted(versions)
    assert versions[0] == 1


def test_it_writes_no_row_for_orders_of_other_channels(org, channel_key):
    committed(factories.dispatched, org)  # phone order
    assert WebhookDelivery.objects.count() == 0


def test_it_writes_one_row_per_event_even_if_the_signal_repeats(org, channel_key):
    _channel, key = channel_key
    order = submit(key)
    event = WorkOrderEvent.objects.get(order=order)
    # A second row for the same event (a repeated notice) is refused by the outbox's constraint.
    again = webhook_row(event=event, kind="registered", req=request_of(event))
    assert again is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()
    assert WebhookDelivery.objects.filter(event=event).count() == 1


def test_it_delivers_a_signed_notice(org, channel_key, server):
    _channel, key = channel_key
    order = submit(key)
    assert deliver_due_webhooks() == 1
    [hit] = server.received
    body = hit["body"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hit["headers"][SIGNATURE_HEADER] == expected
    notice = json.loads(body)
    assert notice["kind"] == "registered" and notice["number"] == order.number
    row = WebhookDelivery.objects.get()
    assert row.state == "delivered" and row.attempts == 1 and row.last_status == 200
    assert deliver_due_webhooks() == 0  # delivered once
    assert len(server.received) == 1


def test_it_retries_with_exponential_back_off_until_acknowledged(org, channel_key, server):
    _channel, key = channel_key
    server.statuses = [500, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        submit(key)
        assert deliver_due_webhooks() == 0
        row = WebhookDelivery.objects.get()
        assert row.attempts == 1 and row.state == "pending" and row.last_status == 500
        assert row.next_attempt_at == start + backoff(1)
        assert deliver_due_webhooks() == 0  # not due yet: nothing sent
        assert len(server.received) == 1
        clock.shift(backoff(1) + timedelta(seconds=1))
        assert deliver_due_webhooks() == 0
        row.refresh_from_db()
        assert row.attempts == 2 and row.last_status == 503
        assert backoff(2) == 2 * backoff(1)
        clock.shift(backoff(2) + timedelta(seconds=1))
        assert deliver_due_webhooks() == 1
    row.refresh_from_db()
    assert row.state == "delivered" and row.attempts == 3
    assert len(server.received) == 3


def test_it_delivers_an_orders_notices_in_order_after_a_failure(org, channel_key, server):
    _channel, key = channel_key
    server.statuses = [500]  # the first attempt (registered) fails, the rest succeed
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        order = submit(key)
        assert deliver_due_webhooks() == 0
        other = submit(key)  # another order's notices are not held up
        clock.shift(timedelta(seconds=5))
        move(order, "dispatch", org.dave, lead_unit=org.water.pk)
        assert deliver_due_webhooks() == 1  # the other order's registered only
        dispatched = WebhookDelivery.objects.get(kind="dispatched")
        assert dispatched.attempts == 0 and dispatched.state == "pending"
        first = WebhookDelivery.objects.get(kind="registered", event__order=order)
        assert dispatched.next_attempt_at == first.next_attempt_at  # waits for it
        clock.shift(backoff(1) + timedelta(seconds=1))
        assert deliver_due_webhooks() == 2
    sent = [json.loads(hit["body"]) for hit in server.received]
    mine = [(n["kind"], n["version"]) for n in sent if n["number"] == order.number]
    # The failed attempt, then the retry before the later notice, by version.
    assert mine == [("registered", 1), ("registered", 1), ("dispatched", 2)]
    assert [n["number"] for n in sent].index(other.number) == 1


def test_it_stops_holding_notices_behind_one_given_up(org, channel_key, server):
    _channel, key = channel_key
    order = submit(key)
    move(order, "dispatch", org.dave, lead_unit=org.water.pk)
    WebhookDelivery.objects.filter(kind="registered").update(state="failed")
    assert deliver_due_webhooks() == 1
    assert json.loads(server.received[0]["body"])["kind"] == "dispatched"


def test_it_refuses_to_deliver_to_a_private_address_by_default(org, server, settings):
    settings.CHANNEL_WEBHOOK_ALLOW_PRIVATE = False
    # The name resolves to 127.0.0.1 at delivery: what counts is the address connected to.
    url = server.url.replace("127.0.0.1", "localhost")
    _channel, key = make_channel(webhook_url=url, webhook_secret=SECRET)
    submit(key)
    assert deliver_due_webhooks() == 0
    assert server.received == []  # nothing reached the listener
    row = WebhookDelivery.objects.get()
    assert row.state == "pending" and row.attempts == 1
    assert "内网或本机地址 127.0.0.1" in row.last_error
    settings.CHANNEL_WEBHOOK_ALLOW_PRIVATE = True  # a partner on the intranet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert deliver_due_webhooks() == 1 and len(server.received) == 1


@pytest.mark.parametrize(
    "address,public",
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.9", False),
        ("169.254.169.254", False),  # cloud metadata
        ("::1", False),
        ("::ffff:10.0.0.1", False),
        ("fd00::1", False),
        ("8.8.8.8", True),
        ("2400:3200::1", True),
    ],
)
def test_it_tells_public_addresses_from_private_ones(settings, address, public):
    from hotline.intake.webhooks import PrivateAddress, _check_peer

    settings.CHANNEL_WEBHOOK_ALLOW_PRIVATE = False

    class Sock:
        closed = False

        def getpeername(self):
            return (address, 443)

        def close(self):
            self.closed = True

    sock = Sock()
    if public:
        _check_peer(sock)
        assert not sock.closed
    else:
        with pytest.raises(PrivateAddress):
            _check_peer(sock)
        assert sock.closed


def test_it_retries_an_unreachable_channel_and_gives_up_at_the_limit(org):
    _channel, key = make_channel(webhook_url="http://127.0.0.1:9/closed", webhook_secret=SECRET)
    submit(key)
    row = WebhookDelivery.objects.get()
    for _ in range(MAX_ATTEMPTS):
        WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        deliver_due_webhooks()
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == MAX_ATTEMPTS
    assert row.last_error


def test_it_registers_the_sweep_as_a_periodic_job():
    names = {job.name: job.task for job in periodic.jobs()}
    assert names["intake.webhooks"] == "intake.deliver_due_webhooks"
    assert names["intake.sms"] == "intake.send_queued_sms"


def test_it_shows_deliveries_in_admin(org, channel_key, admin_client):
    _channel, key = channel_key
    submit(key)
    r = admin_client.get("/admin/intake/webhookdelivery/")
    assert r.status_code == 200
    assert "已受理".encode() in r.content


def test_it_tells_the_channel_that_a_pending_post_was_declined(org, server):
    board, key = make_channel(
        name="网络问政", kind="message_board", webhook_url=server.url, webhook_secret=SECRET
    )
    r = Client().post(
        "/api/channel/requests",
        data=json.dumps(BODY | {"external_id": "post-7"}),
        content_type="application/json",
        HTTP_X_CHANNEL_KEY=key,
    )
    assert r.status_code == 201 and r.json()["state"] == "pending"
    req = ChannelRequest.objects.get(token=r.json()["token"])
    assert not WebhookDelivery.objects.exists()  # a pending post has told nobody anything yet
    agent = org.alice
    committed(channel_request_reject, request=req, actor=agent, note="重复提交")
    row = WebhookDelivery.objects.get()
    assert (row.channel, row.request, row.event, row.kind) == (board, req, None, "rejected")
    assert deliver_due_webhooks() == 1
    [hit] = server.received
    expected = "sha256=" + hmac.new(SECRET.encode(), hit["body"], hashlib.sha256).hexdigest()
    assert hit["headers"][SIGNATURE_HEADER] == expected
    notice = json.loads(hit["body"])
    assert notice["kind"] == "rejected" and notice["token"] == req.token
    assert notice["external_id"] == "post-7" and notice["note"] == "重复提交"
    assert notice["number"] is None


def test_it_pushes_no_decline_to_a_channel_without_a_webhook(org):
    _board, key = make_channel(name="网络问政", kind="message_board")
    r = Client().post(
        "/api/channel/requests",
        data=json.dumps(BODY),
        content_type="application/json",
        HTTP_X_CHANNEL_KEY=key,
    )
    req = ChannelRequest.objects.get(token=r.json()["token"])
    agent = org.alice
    committed(channel_request_reject, request=req, actor=agent, note="无效信息")
    req.refresh_from_db()
    assert req.state == "rejected" and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "https://localhost/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ],
)
def test_it_refuses_to_register_a_private_webhook_by_default(db, settings, url):
    settings.CHANNEL_WEBHOOK_ALLOW_PRIVATE = False
    channel, key = make_channel(webhook_url="https://wx.example.cn/hook")
    r = Client(HTTP_X_CHANNEL_KEY=key).put(
        "/api/channel/webhook", data=json.dumps({"url": url}), content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "url"
    assert "不允许" in r.json()["message"]
    channel.refresh_from_db()
    assert channel.webhook_url == "https://wx.example.cn/hook"
    settings.CHANNEL_WEBHOOK_ALLOW_PRIVATE = True  # the intranet partner's city
    r = Client(HTTP_X_CHANNEL_KEY=key).put(
        "/api/channel/webhook", data=json.dumps({"url": url}), content_type="application/json"
    )
    assert r.status_code == 200


def test_it_refuses_a_private_webhook_in_admin(admin_client, settings):
    settings.CHANNEL_WEBHOOK_ALLOW_PRIVATE = False
    channel, _key = make_channel()
    form = {
        "name": channel.name,
        "kind": channel.kind,
        "operations": list(channel.operations),
        "rate_limit": str(channel.rate_limit),
        "request_type": channel.request_type,
        "webhook_url": "http://192.168.1.20/hook",
        "webhook_secret": "s",
        "is_active": "on",
    }
    r = admin_client.post(f"/admin/intake/channel/{channel.pk}/change/", form)
    assert r.status_code == 200 and "指向内网或本机地址".encode() in r.content
    channel.refresh_from_db()
    assert channel.webhook_url == ""
    r = admin_client.post(
        f"/admin/intake/channel/{channel.pk}/change/",
        {**form, "webhook_url": "https://partner.example.cn/hook"},
    )
    assert r.status_code == 302
    channel.refresh_from_db()
    assert channel.webhook_url == "https://partner.example.cn/hook"
