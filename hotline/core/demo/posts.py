"""A few message-board posts (网络问政) waiting for an agent's confirmation, so the 待确认留言
page of the demo has work on it. They come in through the channel service like any board post;
their text is taken from recent demo orders, so some of them are likely repeats of those."""

from __future__ import annotations

import random

from hotline.intake.channel_services import Submission, channel_submit
from hotline.intake.models import Channel, Operation
from hotline.workorders.choices import Channel as ChannelKind
from hotline.workorders.models import WorkOrder

BOARD_NAME = "政府网站留言板（网络问政）"


def seed_posts(*, count: int = 8, seed: int = 12345) -> int:
    """Submit `count` pending posts on the demo's message-board channel; returns how many."""
    rng = random.Random(seed)
    board, _created = Channel.objects.get_or_create(
        name=BOARD_NAME,
        defaults={
            "kind": ChannelKind.MESSAGE_BOARD,
            "operations": [str(Operation.CREATE), str(Operation.READ)],
        },
    )
    recent = list(
        WorkOrder.objects.filter(is_confidential=False)
        .select_related("region", "request_type")
        .order_by("-created_at")[:200]
    )
    rng.shuffle(recent)
    made = 0
    for i, order in enumerate(recent[:count]):
        fields = {
            "title": order.title,
            "content": order.content,
            "requester_name": "网友",
            "requester_phone": f"139{rng.randrange(10**8):08d}",
            "region": order.region.code,
            "address": order.address,
            "request_type": order.request_type.code,
        }
        _req, created = channel_submit(
            channel=board,
            submission=Submission(fields=fields, external_id=f"demo-post-{i}"),
            idempotency_key=f"demo-post-{seed}-{i}",
        )
        made += int(created)
    return made
