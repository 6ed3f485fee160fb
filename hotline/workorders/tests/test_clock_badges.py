"""The time badges: the 待签收 row counts down to the acknowledge deadline (not the reply one),
an overdue badge says 超期 once, and every tooltip is in local time (+08:00), like the page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hotline.workorders.models import WorkOrder
from hotline.workorders.templatetags.clocks import acknowledge_left, time_left
from hotline.workorders.tests import factories as f

INBOX = "/desk/unit/"


def _row(page: str, number: str) -> str:
    return page.split(f'id="order-{number}"', 1)[1].split("</tbody>", 1)[0]


def test_it_counts_the_acknowledge_row_down_to_the_acknowledge_deadline(client, org):
    order = f.dispatched(org)
    now = timezone.now()
    WorkOrder.objects.filter(pk=order.pk).update(
        acknowledge_due_at=now + timedelta(hours=2, minutes=30),
        reply_due_at=now + timedelta(days=7, hours=8, minutes=30),
        reply_warn_at=now + timedelta(days=6),
    )
    client.force_login(org.bob)
    row = _row(client.get(INBOX, {"tab": "acknowledge"}).content.decode(), order.number)
    assert "正常 · 剩 2 小时" in row
    assert "剩 7 天" not in row
    assert "+00:00" not in row and "+08:00" in row


def test_it_says_overdue_once_and_shows_local_time(org):
    order = f.in_progress(org)
    order.reply_due_at = timezone.now() - timedelta(days=38, hours=1)
    badge = str(time_left(order))
    assert "超期 38 天" in badge and "超期 · 超期" not in badge
    assert timezone.localtime(order.reply_due_at).isoformat(timespec="minutes") in badge
    assert "+08:00" in badge


def test_it_marks_a_missed_acknowledge_deadline_overdue(org):
    order = f.dispatched(org)
    order.acknowledge_due_at = timezone.now() - timedelta(minutes=5)
    badge = str(acknowledge_left(order))
    assert 'class="clock ack overdue"' in badge and "超期 5 分钟" in badge
    assert acknowledge_left(f.in_progress(org)) == ""
