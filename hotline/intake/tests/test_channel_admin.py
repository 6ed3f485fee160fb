"""Channels in admin (key shown once, rotated, revoked), pending posts confirmed there, and
the webhook a channel registers itself."""

from __future__ import annotations

import json
import re

from django.contrib.messages import get_messages
from django.test import Client

from hotline.intake.channel_auth import channel_for_key
from hotline.intake.channel_testing import make_channel
from hotline.intake.models import Channel, ChannelRequest, Operation
from hotline.workorders.models import WorkOrder

BODY = {"title": "路灯不亮", "content": "3号楼前路灯不亮。", "requester_phone": "13912345678"}


def shown_key(response) -> str:
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    keys = [m for t in texts for m in re.findall(r"ch_[\w-]+", t)]
    assert len(keys) == 1, texts
    return keys[0]


def test_it_issues_the_key_once_when_a_channel_is_added(admin_client, db):
    r = admin_client.post(
        "/admin/intake/channel/add/",
        {
            "name": "政务App",
            "kind": "app",
            "operations": ["create", "read"],
            "rate_limit": "60",
            "request_type": "help",
            "webhook_url": "",
            "webhook_secret": "",
            "is_active": "on",
        },
        follow=True,
    )
    assert r.status_code == 200
    key = shown_key(r)
    channel = Channel.objects.get(name="政务App")
    assert channel.key_hash == Channel.hash_key(key) and key not in channel.key_hash
    assert channel.operations == ["create", "read"]
    assert channel_for_key(key) == channel
    page = admin_client.get(f"/admin/intake/channel/{channel.pk}/change/")
    assert key.encode() not in page.content  # never shown again


def test_it_rotates_and_revokes_keys_in_admin(admin_client, db):
    channel, old = make_channel()
    r = admin_client.post(
        "/admin/intake/channel/",
        {"action": "rotate_key", "_selected_action": [channel.pk]},
        follow=True,
    )
    new = shown_key(r)
    assert new != old
    assert channel_for_key(old) is None and channel_for_key(new) == channel
    admin_client.post(
        "/admin/intake/channel/", {"action": "revoke_key", "_selected_action": [channel.pk]}
    )
    assert channel_for_key(new) is None
    channel.refresh_from_db()
    assert channel.revoked_at is not None


def test_it_confirms_a_pending_post_from_admin(admin_client, org):
    _channel, key = make_channel(name="网络问政", kind="message_board")
    token = (
        Client()
        .post(
            "/api/channel/requests",
            data=json.dumps(BODY),
            content_type="application/json",
            HTTP_X_CHANNEL_KEY=key,
        )
        .json()["token"]
    )
    req = ChannelRequest.objects.get(token=token)
    listing = admin_client.get("/admin/intake/channelrequest/?state=pending")
    assert "路灯不亮".encode() in listing.content
    admin_client.post(
        "/admin/intake/channelrequest/", {"action": "confirm", "_selected_action": [req.pk]}
    )
    req.refresh_from_db()
    assert req.state == "created" and req.order is not None
    assert WorkOrder.objects.get().channel == "message_board"
    # Confirming twice makes no second order.
    admin_client.post(
        "/admin/intake/channelrequest/", {"action": "confirm", "_selected_action": [req.pk]}
    )
    assert WorkOrder.objects.count() == 1


def test_it_lets_a_channel_register_its_webhook(db):
    channel, key = make_channel()
    c = Client(HTTP_X_CHANNEL_KEY=key)
    r = c.put(
        "/api/channel/webhook",
        data=json.dumps({"url": "https://wx.example.cn/hook"}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    channel.refresh_from_db()
    assert channel.webhook_url == "https://wx.example.cn/hook"
    assert r.json()["secret"] == channel.webhook_secret and len(channel.webhook_secret) == 64
    r = c.put(
        "/api/channel/webhook",
        data=json.dumps({"url": "not a url"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "url"
    channel.refresh_from_db()
    assert channel.webhook_url == "https://wx.example.cn/hook"


def test_it_refuses_a_webhook_to_a_channel_not_allowed(db):
    channel, key = make_channel(operations=[Operation.CREATE])
    r = Client(HTTP_X_CHANNEL_KEY=key).put(
        "/api/channel/webhook",
        data=json.dumps({"url": "https://wx.example.cn/hook"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    channel.refresh_from_db()
    assert channel.webhook_url == ""
