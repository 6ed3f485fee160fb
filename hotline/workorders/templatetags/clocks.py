"""{% load clocks %}: show an order's time status, colour-coded, the same everywhere."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from hotline.workorders.clocks import TimeStatus, describe_remaining, time_status
from hotline.workorders.models import WorkOrder

register = template.Library()


@register.simple_tag
def time_left(order: WorkOrder) -> str:
    """A badge such as <span class="clock warning">预警 · 剩 3 小时 20 分</span>, or ""."""
    status = time_status(order)
    if not status or order.reply_due_at is None:
        return ""
    if status == TimeStatus.PAUSED and order.clock_paused_at is not None:
        since = timezone.localtime(order.clock_paused_at).strftime("%m-%d %H:%M")
        return format_html(
            '<span class="clock paused">{}</span>',
            gettext("暂停计时 · 自 {since} 起等待诉求人").format(since=since),
        )
    return format_html(
        '<span class="clock {}" title="{}">{} · {}</span>',
        status,
        order.reply_due_at.isoformat(),
        TimeStatus(status).label,
        describe_remaining(order.reply_due_at),
    )
