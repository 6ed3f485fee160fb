"""导出 XLSX: exactly the filtered, scoped list, masked as the list is, from the page and the API."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.workorders.exports import XLSX_CONTENT_TYPE, _headers
from hotline.workorders.tests import factories as f

URL = reverse("workorder_export")


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    body = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def _numbers(rows: list[tuple]) -> list[str]:
    return [row[0] for row in rows[1:]]


def test_it_exports_the_filtered_list_with_chinese_headers(client, org):
    dispatched = f.dispatched(org, requester_phone="13912345678", title="楼下停水")
    f.registered(org)
    client.force_login(org.dave)
    response = client.get(URL, {"status": "dispatched"})
    rows = _sheet(response)
    assert rows[0] == tuple(_headers())
    assert rows[0][:3] == ("工单编号", "受理时间", "渠道")
    assert _numbers(rows) == [dispatched.number]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["标题"] == "楼下停水"
    assert row["状态"] == "已派单"
    assert row["主办单位"] == org.water.name
    assert row["诉求类型"] == "投诉"
    # Phone masked as in every list, even for a role that sees it in full on the order page.
    assert row["联系电话"] == "139****5678"
    assert "13912345678" not in repr(rows)
    today = timezone.localdate().strftime("%Y%m%d")
    assert f"{today}.xlsx" in response["Content-Disposition"]


def test_it_writes_times_in_shanghai_time(client, org):
    at = datetime.fromisoformat("2025-05-06T23:30:00+00:00")  # 07:30 next day in Shanghai
    order = f.registered(org, at=at)
    client.force_login(org.dave)
    rows = _sheet(client.get(URL, {"q": order.number}))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["受理时间"] == datetime(2025, 5, 7, 7, 30)


def test_it_exports_only_a_units_own_orders(client, org):
    to_water = f.dispatched(org)
    to_housing = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.housing.pk)
    f.registered(org)
    client.force_login(org.bob)
    assert _numbers(_sheet(client.get(URL))) == [to_water.number]
    client.force_login(org.charlie)
    assert _numbers(_sheet(client.get(URL))) == [to_housing.number]


def test_it_hides_confidential_requesters_from_a_unit(client, org):
    f.dispatched(org, is_confidential=True, requester_phone="13711112222")
    client.force_login(org.bob)
    rows = _sheet(client.get(URL))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["诉求人"] == "保密" and row["联系电话"] == "保密"


def test_it_keeps_the_lists_sort(client, org):
    now = timezone.now()
    orders = [f.registered(org, at=now - timedelta(minutes=i)) for i in range(3)]
    client.force_login(org.dave)
    assert _numbers(_sheet(client.get(URL, {"sort": "created_at"}))) == [
        o.number for o in reversed(orders)
    ]


def test_it_refuses_more_rows_than_the_cap_with_a_message(client, org, settings):
    settings.HOTLINE = {**settings.HOTLINE, "EXPORT_MAX_ROWS": 2}
    for _ in range(3):
        f.registered(org)
    client.force_login(org.dave)
    response = client.get(URL, {"channel": "phone"}, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("workorder_list") + "?channel=phone")
    body = response.content.decode()
    assert "超过 2 条" in body and "缩小筛选范围" in body
    # Narrowed below the cap, it exports.
    order = f.registered(org, channel="web")
    assert _numbers(_sheet(client.get(URL, {"channel": "web"}))) == [order.number]


def test_it_sends_a_bad_filter_back_to_the_list(client, org):
    client.force_login(org.dave)
    response = client.get(URL, {"time_status": "late"}, follow=True)
    assert "筛选条件有误" in response.content.decode()
    assert "time_status" in response.context["form"].errors


def test_it_asks_an_anonymous_visitor_to_log_in(client, org):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


# --- API ---------------------------------------------------------------------------------------


def _token_client(client, user):
    _, key = ApiToken.issue(user=user, name="export test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_it_exports_through_the_api_with_a_token(client, org):
    to_water = f.dispatched(org)
    f.registered(org)
    api = _token_client(client, org.bob)
    rows = _sheet(api.get("/api/orders/export.xlsx"))
    assert _numbers(rows) == [to_water.number]
    api = _token_client(client, org.dave)
    assert len(_numbers(_sheet(api.get("/api/orders/export.xlsx", {"open_only": True})))) == 2
    assert _numbers(_sheet(api.get("/api/orders/export.xlsx", {"unit": org.water.pk}))) == [
        to_water.number
    ]


def test_it_answers_400_in_the_api_for_bad_filters_and_the_cap(client, org, settings):
    api = _token_client(client, org.dave)
    r = api.get("/api/orders/export.xlsx", {"time_status": "late"})
    assert r.status_code == 400 and r.json()["field"] == "time_status"
    settings.HOTLINE = {**settings.HOTLINE, "EXPORT_MAX_ROWS": 1}
    f.registered(org)
    f.registered(org)
    r = api.get("/api/orders/export.xlsx")
    assert r.status_code == 400 and "超过 1 条" in r.json()["message"]
    assert client.get("/api/orders/export.xlsx", HTTP_AUTHORIZATION="").status_code == 401


def test_it_writes_every_time_of_the_ledger_as_the_citys_clock(org):
    from hotline.workorders.exports import _ledger_headers, workorders_export
    from hotline.workorders.models import WorkOrder

    at = datetime.fromisoformat("2025-05-06T23:30:45.5+00:00")
    order = f.dispatched(org, at=at)
    # Whole milliseconds: an Excel time carries no finer (openpyxl rounds to them).
    WorkOrder.objects.filter(pk=order.pk).update(
        dispatched_at=at + timedelta(minutes=20),
        acknowledge_due_at=at + timedelta(hours=2),
        reply_due_at=at + timedelta(days=5),
        replied_at=at + timedelta(days=1, minutes=1),
        closed_at=at + timedelta(days=2, hours=17),
    )
    order.refresh_from_db()
    out = workorders_export(user=org.dave, qs=WorkOrder.objects.filter(pk=order.pk), ledger=True)
    rows = list(openpyxl.load_workbook(out, read_only=True).active.iter_rows(values_only=True))
    row = dict(zip(_headers() + _ledger_headers(), rows[1], strict=True))

    def local(value):
        return timezone.localtime(value).replace(tzinfo=None)

    assert row["受理时间"] == local(order.created_at) == datetime(2025, 5, 7, 7, 30, 45, 500000)
    assert row["派单时间"] == local(order.dispatched_at)
    assert row["办结时限"] == local(order.reply_due_at)
    assert row["答复时间"] == local(order.replied_at) and row["办结时间"] == local(order.closed_at)
    assert row["签收时限"] == local(order.acknowledge_due_at)
