"""The sla part of the REST API (mounted under /api/ by hotline.api): a user's notifications
and the clocks of an order they may see."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from hotline.accounts.api import ApiRequest
from hotline.workorders.errors import NotFound
from hotline.workorders.models import WorkOrder

from .selectors import notifications_for, unread_count
from .services import notification_mark_read

router = Router(tags=["sla"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    order_number: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class ClocksOut(Schema):
    number: str
    acknowledge_due_at: datetime | None
    reply_warn_at: datetime | None
    reply_due_at: datetime | None
    callback_due_at: datetime | None
    acknowledged_late: bool
    replied_late: bool


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


@router.get("/notifications", response=NotificationsOut, summary="我的通知")
def notifications(request: ApiRequest, unread_only: bool = False) -> dict:
    rows = notifications_for(request.auth, unread_only=unread_only).select_related("order")[:100]
    return {
        "unread": unread_count(request.auth),
        "items": [
            {
                "id": n.pk,
                "kind": n.kind,
                "kind_label": n.get_kind_display(),
                "title": n.title,
                "body": n.body,
                "order_number": n.order.number if n.order else None,
                "created_at": _local(n.created_at),
                "read_at": _local(n.read_at),
            }
            for n in rows
        ],
    }


@router.post("/notifications/{pk}/read", response={204: None}, summary="标为已读")
def notification_read(request: ApiRequest, pk: int) -> Status:
    if not notifications_for(request.auth).filter(pk=pk).exists():
        raise NotFound(_("通知 {pk} 不存在").format(pk=pk))
    notification_mark_read(user=request.auth, notification_id=pk)
    return Status(204, None)


@router.get("/workorders/{number}/clocks", response=ClocksOut, summary="工单时限")
def clocks(request: ApiRequest, number: str) -> dict:
    order = WorkOrder.objects.visible_to(request.auth).filter(number=number).first()
    if order is None:
        raise NotFound(_("工单 {number} 不存在").format(number=number))
    return {
        "number": order.number,
        "acknowledge_due_at": _local(order.acknowledge_due_at),
        "reply_warn_at": _local(order.reply_warn_at),
        "reply_due_at": _local(order.reply_due_at),
        "callback_due_at": _local(order.callback_due_at),
        "acknowledged_late": order.acknowledged_late,
        "replied_late": order.replied_late,
    }
