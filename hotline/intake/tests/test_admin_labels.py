"""Admin lists read in Chinese: every field of the intake models that admin shows has its own
verbose name, never the one Django makes up from the attribute ("channel" shown as CHANNEL)."""

from __future__ import annotations

import re

import pytest

from hotline.intake.channel_testing import make_channel
from hotline.intake.models import ChannelRequest, SmsMessage, WebhookDelivery

# The admin lists' model, with the fields whose names are internal by design.
INTERNAL = {"id", "key_hash"}


@pytest.mark.parametrize("model", [ChannelRequest, WebhookDelivery, SmsMessage])
def test_every_field_has_a_chinese_name(model):
    for field in model._meta.fields:
        if field.name in INTERNAL:
            continue
        made_up = field.name.replace("_", " ")
        assert str(field.verbose_name) != made_up, f"{model.__name__}.{field.name}"


@pytest.mark.parametrize(
    "path,column,label",
    [
        ("/admin/intake/webhookdelivery/", "channel", "渠道"),
        ("/admin/intake/smsmessage/", "order", "工单"),
        ("/admin/intake/channelrequest/", "channel", "渠道"),
        ("/admin/intake/channelrequest/", "decided_by", "处理人"),
    ],
)
def test_admin_lists_head_their_columns_in_chinese(org, admin_client, path, column, label):
    channel, _key = make_channel(webhook_url="https://partner.example/hook")
    req = ChannelRequest.objects.create(channel=channel, token="t0ken", state="rejected")
    WebhookDelivery.objects.create(
        channel=channel, request=req, kind="rejected", url=channel.webhook_url, payload={}
    )
    SmsMessage.objects.create(phone="13912345678", kind="registered", text="已受理")
    page = admin_client.get(path).content.decode()
    head = re.search(rf'<th scope="col" class="[^"]*column-{column}[^"]*">(.*?)</th>', page, re.S)
    assert head is not None, column
    assert label in head.group(1)
