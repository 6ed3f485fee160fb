"""Orders in a given state, built only through the services (as real orders are)."""

from __future__ import annotations

import itertools

from hotline.core.testing import Org
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_register, workorder_transition

_phones = itertools.count(13800000000)


def registered(org: Org, **overrides) -> WorkOrder:
    fields = {
        "actor": org.alice,
        "channel": "phone",
        "request_type": "complaint",
        "title": "小区停水",
        "content": "东城小区从昨晚起停水，至今没有通知。",
        "requester_name": "王先生",
        "requester_phone": str(next(_phones)),
        "region": org.street.code,
    }
    fields.update(overrides)
    return workorder_register(**fields)


def move(order: WorkOrder, action: str, actor, **params) -> WorkOrder:
    workorder_transition(order=order, action=action, actor=actor, **params)
    order.refresh_from_db()
    return order


def dispatched(org: Org, **kw) -> WorkOrder:
    return move(registered(org, **kw), "dispatch", org.dave, lead_unit=org.water.pk)


def in_progress(org: Org, **kw) -> WorkOrder:
    return move(dispatched(org, **kw), "acknowledge", org.bob)


def replied(org: Org, **kw) -> WorkOrder:
    return move(in_progress(org, **kw), "reply", org.bob, note="已抢修，恢复供水。")


def awaiting_callback(org: Org, **kw) -> WorkOrder:
    return move(replied(org, **kw), "accept_reply", org.sue)


def returned(org: Org, **kw) -> WorkOrder:
    return move(
        in_progress(org, **kw),
        "return",
        org.bob,
        note="该小区为自备井供水，不属于我公司管网",
        legal_basis="《城市供水条例》第二十二条",
    )
