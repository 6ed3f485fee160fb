"""The dashboard and the wall display: figures from the same definitions, links to the orders."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hotline.workorders.models import WorkOrder

from .test_kpis import history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db

WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


def _data(client, **extra):
    r = client.get("/api/analytics/dashboard", {**WEEK, **extra})
    assert r.status_code == 200, r.content
    return r.json()


def test_it_counts_the_week_by_day_channel_type_and_category(client, history):  # noqa: F811
    client.force_login(history.ann)
    data = _data(client)
    assert data["volume"]["days"][0] == "2026-03-02" and len(data["volume"]["days"]) == 7
    phone = next(s for s in data["volume"]["series"] if s["name"] == "电话")
    assert [p["value"] for p in phone["data"]] == [2, 1, 1, 1, 1, 0, 0]
    assert sum(t["value"] for t in data["types"]) == 6
    assert data["categories"][0]["value"] == 2  # o2 and o7 share a category
    headline = {h["code"]: h for h in data["headline"]}
    assert headline["registered"]["numerator"] == 6
    assert headline["on_time_reply"]["numerator"] == 1
    assert headline["on_time_reply"]["denominator"] == 3


def test_it_ranks_units_with_the_kpi_figures(client, history):  # noqa: F811
    client.force_login(history.ann)
    units = {u["unit"]: u for u in _data(client)["units"]}
    water = units[history.water.name]
    assert water["orders"] == 3
    assert water["return_rate"] == 0.25
    assert units[history.housing.name]["return_rate"] == 0


def test_it_links_each_point_to_the_orders_behind_it(client, history):  # noqa: F811
    client.force_login(history.ann)
    data = _data(client)
    day = data["volume"]["series"][0]["data"][0]  # phone, 2026-03-02
    page = client.get(day["href"]).content.decode()
    numbers = set(
        WorkOrder.objects.filter(
            created_at__date=timezone.datetime(2026, 3, 2).date(), channel="phone"
        ).values_list("number", flat=True)
    )
    assert len(numbers) == 2
    assert all(n in page for n in numbers)


def test_it_lists_orders_overdue_now(client, history):  # noqa: F811
    client.force_login(history.ann)
    o4 = WorkOrder.objects.get(requester_phone="13900000004")  # redone, due 03-09
    o5 = WorkOrder.objects.get(requester_phone="13900000005")  # never acknowledged, due 03-06
    assert [o["number"] for o in _data(client)["overdue"]] == [o5.number, o4.number]
    WorkOrder.objects.filter(pk=o5.pk).update(reply_due_at=timezone.now() + timedelta(days=1))
    assert [o["number"] for o in _data(client)["overdue"]] == [o4.number]


def test_it_renders_the_page_with_its_data_and_local_echarts(client, history):  # noqa: F811
    client.force_login(history.ann)
    page = client.get(reverse("analytics_dashboard"), WEEK).content.decode()
    assert "/static/analytics/vendor/echarts/echarts.min.js" in page
    assert "http://" not in page.split("<body", 1)[0]  # nothing from outside
    start = page.index('<script id="dashboard-data" type="application/json">')
    payload = json.loads(page[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert payload["period"] == {"start": "2026-03-02", "end": "2026-03-08"}


def test_it_renders_the_wall_display_refreshing_from_the_api(client, history):  # noqa: F811
    client.force_login(history.sue)
    page = client.get(reverse("analytics_wall"), WEEK).content.decode()
    assert 'data-refresh-url="/api/analytics/dashboard?' in page
    assert 'data-refresh-seconds="60"' in page


def test_it_scopes_a_unit_manager_and_hides_call_figures(client, history):  # noqa: F811
    client.force_login(history.bella)
    data = _data(client)
    assert sum(t["value"] for t in data["types"]) == 4  # orders sent to water: o2 .. o5
    codes = {h["code"] for h in data["headline"]}
    assert not codes & {"answer_rate", "answer_within", "quality_pass"}
    assert "response" in codes


def test_the_headline_carries_the_response_rate_quality_and_the_named_n_second_rate(
    client,
    history,  # noqa: F811
):
    client.force_login(history.ann)
    headline = {h["code"]: h for h in _data(client)["headline"]}
    assert {"response", "answer_within", "quality_pass", "answer_rate"} <= set(headline)
    assert headline["answer_within"]["name"] == "15 秒接通率"
    assert headline["response"]["name"] == "响应率"
    page = client.get(reverse("analytics_dashboard"), WEEK).content.decode()
    assert 'id="headline-quality_pass"' in page and "15 秒接通率" in page


def test_it_refuses_unit_handlers(client, history):  # noqa: F811
    client.force_login(history.bob)
    assert client.get(reverse("analytics_dashboard"), WEEK).status_code == 403
    assert client.get(reverse("analytics_wall"), WEEK).status_code == 403
    assert client.get("/api/analytics/dashboard", WEEK).status_code == 403


def test_it_names_a_bad_period_in_the_api(client, history):  # noqa: F811
    client.force_login(history.ann)
    r = client.get("/api/analytics/dashboard", {"start": "2026-03-09", "end": "2026-03-01"})
    assert r.status_code == 400 and r.json()["field"] == "end"


@time_machine.travel("2026-03-05 10:00 +08:00", tick=False)
def test_it_shows_the_period_in_date_fields_the_browser_reads(client, history):  # noqa: F811
    # <input type="date"> takes only ISO dates (2026/03/01 would show a blank, required field).
    client.force_login(history.ann)
    page = client.get(reverse("analytics_dashboard")).content.decode()
    assert 'name="start" value="2026-03-01"' in page
    assert 'name="end" value="2026-03-05"' in page


def test_it_lays_the_filters_out_in_a_grid_with_chinese_labels(client, history):  # noqa: F811
    # Stacked one per line, the nine filters filled the first screen and hid the figures; a
    # Chinese label takes no ASCII colon.
    client.force_login(history.ann)
    for name in ("analytics_dashboard", "analytics_kpis"):
        page = client.get(reverse(name)).content.decode()
        form = page.split('class="filters card"', 1)[1].split("</form>", 1)[0]
        assert '<div class="grid">' in form, name
        assert ">开始日期</label>" in form and "开始日期:" not in form, name


def test_it_counts_the_charts_in_one_pass_as_five_group_bys(org, history):  # noqa: F811
    from collections import Counter
    from datetime import date, datetime

    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from hotline.analytics.dashboard import chart_counts
    from hotline.analytics.kpis import KpiFilters, cohort
    from hotline.workorders.tests.factories import registered

    tz = timezone.get_default_timezone()
    # Another region, another channel, and a day's edge in Shanghai time.
    registered(
        org, region=org.other_county.code, channel="web", at=datetime(2026, 3, 4, 0, 5, tzinfo=tz)
    )
    registered(org, channel="web", at=datetime(2026, 3, 3, 23, 55, tzinfo=tz))
    orders = cohort(KpiFilters(start=date(2026, 3, 1), end=date(2026, 3, 31)), WorkOrder.objects)
    counts = chart_counts(orders)

    def grouped(*columns, qs=orders):
        return Counter(
            {
                (row[:-1] if len(columns) > 1 else row[0]): row[-1]
                for row in qs.values_list(*columns).annotate(n=Count("pk")).order_by()
            }
        )

    by_day = orders.annotate(day=TruncDate("created_at", tzinfo=tz))
    assert counts.by_day == grouped("day", "channel", qs=by_day)
    assert counts.by_type == grouped("request_type_id")
    assert counts.by_category == grouped("category_id")
    assert counts.by_region == grouped("region_id")
    assert counts.by_unit == grouped("lead_unit_id")
    assert None in counts.by_unit and len(counts.by_unit) > 2
    assert None in counts.by_category and len(counts.by_region) == 2
    assert counts.by_day[(date(2026, 3, 4), "web")] == 1
    assert sum(counts.by_day.values()) == orders.count() > 6
    assert chart_counts(orders.none()) == type(counts)()
