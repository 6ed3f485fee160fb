"""The ledger (工单动态台账): the period's orders with state, unit, deadlines and lateness."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hotline.workorders.models import WorkOrder

from .test_kpis import history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db

WEEK = {"start": "2026-03-02", "end": "2026-03-08", "download": "1"}


def _sheet(response):
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


def test_it_exports_every_order_of_the_period_with_its_clocks(client, history):  # noqa: F811
    client.force_login(history.ann)
    r = client.get(reverse("analytics_ledger"), WEEK)
    assert r.status_code == 200
    disposition = r["Content-Disposition"]
    assert disposition.startswith("attachment") and "20260302_20260308.xlsx" in disposition
    rows = _sheet(r)
    header = list(rows[0])
    assert header[:2] == ["工单编号", "受理时间"]
    assert header[-7:] == [
        "签收时限",
        "超时签收",
        "超期办结",
        "退单次数",
        "重办次数",
        "催办次数",
        "督办级别",
    ]
    numbers = [row[0] for row in rows[1:]]
    expected = WorkOrder.objects.filter(
        created_at__date__gte="2026-03-02", created_at__date__lte="2026-03-08"
    ).order_by("created_at", "id")
    assert numbers == [o.number for o in expected]  # six orders, oldest first; o6 is earlier
    o3 = next(row for row in rows[1:] if row[0] == expected[2].number)
    assert o3[header.index("超时签收")] == "是" and o3[header.index("退单次数")] == 1
    assert all("1390000" not in str(cell) for row in rows[1:] for cell in row)  # phones masked


def test_it_keeps_a_unit_manager_to_the_orders_sent_to_the_unit(client, history):  # noqa: F811
    client.force_login(history.bella)
    rows = _sheet(client.get(reverse("analytics_ledger"), WEEK))
    assert len(rows) - 1 == 4  # o2 .. o5


def test_it_shows_the_form_and_names_a_bad_period(client, history):  # noqa: F811
    client.force_login(history.ann)
    assert client.get(reverse("analytics_ledger")).status_code == 200
    r = client.get(
        reverse("analytics_ledger"), {"start": "2026-03-08", "end": "2026-03-01", "download": "1"}
    )
    assert r.status_code == 400 and "结束日期不能早于开始日期" in r.content.decode()


def test_it_refuses_unit_handlers(client, history):  # noqa: F811
    client.force_login(history.bob)
    assert client.get(reverse("analytics_ledger"), WEEK).status_code == 403
