"""An order's time status (时限状态), derived from the clocks the time-limit rules set.

The deadlines live on the order (`acknowledge_due_at`, `reply_due_at`, `reply_warn_at`); `sla`
computes and moves them. Everything that shows or filters on time status reads it here, so a
list, an inbox tab and the order page never disagree."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import WITH_UNIT, Status

if TYPE_CHECKING:
    from .models import WorkOrder


class TimeStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("预警")
    OVERDUE = "overdue", _("超期")
    # Waiting on the requester where the city stops the clock for it.
    PAUSED = "paused", _("暂停计时")


# States in which the unit's reply clock runs. A replied order waits on the hotline's review:
# its unit is no longer late (a late reply was recorded on `replied_late`).
CLOCK_RUNNING = frozenset(WITH_UNIT - {Status.REPLIED})


def time_status(order: WorkOrder, now: datetime | None = None) -> str:
    """normal / warning / overdue for an order whose reply clock runs; "" otherwise."""
    if order.status not in CLOCK_RUNNING or order.reply_due_at is None:
        return ""
    if order.clock_paused_at is not None:
        return TimeStatus.PAUSED
    now = now or timezone.now()
    if now >= order.reply_due_at:
        return TimeStatus.OVERDUE
    if order.reply_warn_at is not None and now >= order.reply_warn_at:
        return TimeStatus.WARNING
    return TimeStatus.NORMAL


def time_status_q(status: str, now: datetime | None = None) -> Q:
    """The filter matching orders in one time status (uses the status/reply_due_at index)."""
    now = now or timezone.now()
    running = Q(status__in=CLOCK_RUNNING, reply_due_at__isnull=False)
    if status == TimeStatus.PAUSED:
        return running & Q(clock_paused_at__isnull=False)
    running &= Q(clock_paused_at__isnull=True)
    if status == TimeStatus.OVERDUE:
        return running & Q(reply_due_at__lte=now)
    if status == TimeStatus.WARNING:
        return running & Q(reply_due_at__gt=now, reply_warn_at__lte=now)
    if status == TimeStatus.NORMAL:
        return (
            running
            & Q(reply_due_at__gt=now)
            & (Q(reply_warn_at__isnull=True) | Q(reply_warn_at__gt=now))
        )
    raise ValueError(status)


def describe_remaining(due: datetime, now: datetime | None = None) -> str:
    """ "剩 2 天 3 小时" / "超期 5 小时" — the time left (or past) in words."""
    now = now or timezone.now()
    delta = due - now
    late = delta < timedelta(0)
    delta = abs(delta)
    days, rest = divmod(int(delta.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = gettext("{days} 天 {hours} 小时").format(days=days, hours=hours)
    elif hours:
        span = gettext("{hours} 小时 {minutes} 分").format(hours=hours, minutes=minutes)
    else:
        span = gettext("{minutes} 分钟").format(minutes=minutes)
    return (
        gettext("超期 {span}").format(span=span) if late else gettext("剩 {span}").format(span=span)
    )
