"""{% load clocks %}: show an order's time status, colour-coded, the same everywhere."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from hotline.workorders.choices import Status
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
    return _chip(status, order.reply_due_at)


def _chip(status: str, due: datetime, prefix: str = "", css: str = "clock") -> str:
    """ "预警 · 剩 3 小时 20 分", or "超期 38 天" (the word once); the tooltip in local time."""
    text = describe_remaining(due)
    if status != TimeStatus.OVERDUE:
        text = gettext("{status} · {left}").format(status=TimeStatus(status).label, left=text)
    if prefix:
        text = gettext("{prefix} · {text}").format(prefix=prefix, text=text)
    return format_html(
        '<span class="{} {}" title="{}">{}</span>',
        css,
        status,
        timezone.localtime(due).isoformat(timespec="minutes"),
        text,
    )


@register.simple_tag
def acknowledge_left(order: WorkOrder) -> str:
    """The 签收 clock of an order waiting to be acknowledged: its deadline and the time left to
    it (not to the reply deadline, which the reply clock's badge counts down), or ""."""
    due = order.acknowledge_due_at
    if order.status != Status.DISPATCHED or due is None:
        return ""
    status = TimeStatus.OVERDUE if timezone.now() >= due else TimeStatus.NORMAL
    prefix = gettext("签收时限 {due}").format(due=timezone.localtime(due).strftime("%m-%d %H:%M"))
    return _chip(status, due, prefix, css="clock ack")
