from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.workorders.clocks import TimeStatus, describe_remaining, time_status, time_status_q
from hotline.workorders.models import WorkOrder

from .factories import dispatched, registered

pytestmark = pytest.mark.django_db


def _set(order, *, due, warn):
    WorkOrder.objects.filter(pk=order.pk).update(reply_due_at=due, reply_warn_at=warn)
    order.refresh_from_db()


def test_time_status_follows_the_clock(org):
    now = timezone.now()
    order = dispatched(org)
    _set(order, due=None, warn=None)
    assert time_status(order, now) == ""  # no deadline (a calendar gap, say)
    _set(order, due=now + timedelta(days=2), warn=now + timedelta(days=1))
    assert time_status(order, now) == TimeStatus.NORMAL
    assert time_status(order, now + timedelta(days=1)) == TimeStatus.WARNING
    assert time_status(order, now + timedelta(days=2)) == TimeStatus.OVERDUE
    for status, at in [
        (TimeStatus.NORMAL, now),
        (TimeStatus.WARNING, now + timedelta(days=1, minutes=1)),
        (TimeStatus.OVERDUE, now + timedelta(days=3)),
    ]:
        matches = set(
            WorkOrder.objects.filter(time_status_q(status, at)).values_list("pk", flat=True)
        )
        assert matches == {order.pk}, status


def test_an_order_not_with_a_unit_has_no_time_status(org):
    now = timezone.now()
    order = registered(org)
    _set(order, due=now - timedelta(days=1), warn=now - timedelta(days=2))
    assert time_status(order, now) == ""
    assert not WorkOrder.objects.filter(time_status_q(TimeStatus.OVERDUE, now)).exists()


def test_remaining_time_in_words():
    now = timezone.now()
    assert describe_remaining(now + timedelta(days=2, hours=3, minutes=5), now) == "剩 2 天 3 小时"
    assert describe_remaining(now - timedelta(hours=5, minutes=2), now) == "超期 5 小时 2 分"
    assert describe_remaining(now + timedelta(minutes=7), now) == "剩 7 分钟"
