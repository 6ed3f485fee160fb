"""The order list: scoping, filters, keyset paging, masked phone numbers."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotline.catalog.models import Category
from hotline.workorders import selectors
from hotline.workorders.models import WorkOrder
from hotline.workorders.selectors import COUNT_CAP
from hotline.workorders.services import workorder_transition
from hotline.workorders.tests import factories as f


def _numbers(response):
    assert response.status_code == 200
    return [order.number for order, _ in response.context["rows"]]


def test_it_lists_only_what_the_user_may_see(client, org, water_order, register):
    other = register(title="楼道漏水")
    workorder_transition(order=other, action="dispatch", actor=org.dave, lead_unit=org.housing.pk)
    client.force_login(org.bob)
    assert _numbers(client.get(reverse("workorder_list"))) == [water_order.number]
    client.force_login(org.charlie)
    assert _numbers(client.get(reverse("workorder_list"))) == [other.number]
    client.force_login(org.dave)
    assert set(_numbers(client.get(reverse("workorder_list")))) == {
        water_order.number,
        other.number,
    }


def test_it_links_each_row_to_its_detail_page(client, org, water_order):
    client.force_login(org.bob)
    body = client.get(reverse("workorder_list")).content.decode()
    assert reverse("workorder_detail", args=[water_order.number]) in body


def test_it_filters_by_status(client, org, water_order, register):
    fresh = register()
    client.force_login(org.dave)
    url = reverse("workorder_list")
    assert _numbers(client.get(url, {"status": "registered"})) == [fresh.number]
    assert _numbers(client.get(url, {"status": ["dispatched", "registered"]})) == [
        fresh.number,
        water_order.number,
    ]


def test_it_filters_by_unit_type_channel_and_urgency(client, org, water_order, register):
    web = register(channel="web", request_type="inquiry", urgency="urgent")
    client.force_login(org.dave)
    url = reverse("workorder_list")
    assert _numbers(client.get(url, {"unit": org.water.pk})) == [water_order.number]
    assert _numbers(client.get(url, {"channel": "web"})) == [web.number]
    assert _numbers(client.get(url, {"request_type": "inquiry"})) == [web.number]
    assert _numbers(client.get(url, {"urgency": "urgent"})) == [web.number]


def test_it_filters_by_region_dates_text_and_phone(client, org, register):
    old = register(title="路灯不亮", at=timezone.now() - timedelta(days=10))
    street = register(title="噪音扰民", region=org.street.code, requester_phone="13900139000")
    client.force_login(org.dave)
    url = reverse("workorder_list")
    assert _numbers(client.get(url, {"region": org.street.pk})) == [street.number]
    today = timezone.localdate().isoformat()
    assert _numbers(client.get(url, {"created_from": today})) == [street.number]
    assert _numbers(client.get(url, {"q": "路灯"})) == [old.number]
    assert _numbers(client.get(url, {"q": old.number})) == [old.number]
    assert _numbers(client.get(url, {"phone": "139 0013 9000"})) == [street.number]


def test_it_shows_a_chinese_error_for_a_bad_filter(client, org):
    client.force_login(org.dave)
    response = client.get(reverse("workorder_list"), {"status": "nonsense", "created_from": "x"})
    assert response.status_code == 200
    assert response.context["rows"] == []
    form = response.context["form"]
    assert "status" in form.errors and "created_from" in form.errors
    assert "日期" in form.errors["created_from"][0]


def test_it_reports_a_bad_cursor_or_page_size(client, org, register):
    register()
    client.force_login(org.dave)
    response = client.get(reverse("workorder_list"), {"cursor": "garbage"})
    assert "翻页游标无效" in response.content.decode()
    response = client.get(reverse("workorder_list"), {"size": "9999"})
    assert "每页条数应为 1–500" in response.content.decode()


def test_it_pages_with_a_cursor_and_counts_no_further_than_the_cap(client, org, register):
    now = timezone.now()
    orders = [register(at=now - timedelta(minutes=i)) for i in range(5)]
    client.force_login(org.dave)
    url = reverse("workorder_list")
    seen = []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"sort": "-created_at", "size": 2})
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # One count, over a LIMITed subquery: never the whole table.
    assert len(counts) == 1 and f"LIMIT {COUNT_CAP + 1}" in counts[0]
    assert response.context["count"] == (5, False)
    assert "共 5 件工单" in response.content.decode()
    while True:
        seen += _numbers(response)
        next_url = response.context["next_url"]
        if not next_url:
            break
        assert "下一页" in response.content.decode()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + next_url)
        # Later pages do not count at all.
        assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
        assert response.context["count"] is None
    assert seen == [o.number for o in orders]
    oldest_first = client.get(url, {"sort": "created_at", "size": 2})
    assert _numbers(oldest_first) == [orders[4].number, orders[3].number]


def test_it_says_when_more_orders_match_than_it_counts(client, org, register, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(3):
        register()
    client.force_login(org.dave)
    response = client.get(reverse("workorder_list"))
    assert response.context["count"] == (2, True)
    assert "符合条件的工单超过 2 件" in response.content.decode()


def test_it_masks_phone_numbers_in_lists_for_everyone(client, org, water_order):
    for user in (org.bob, org.alice):
        client.force_login(user)
        body = client.get(reverse("workorder_list")).content.decode()
        assert "138****8000" in body and "13800138000" not in body
    # The agent, who calls people, sees the number in full on the order itself.
    detail = client.get(reverse("workorder_detail", args=[water_order.number])).content.decode()
    assert "13800138000" in detail


def test_it_hides_confidential_requesters_from_units(client, org, register):
    order = register(is_confidential=True)
    workorder_transition(order=order, action="dispatch", actor=org.dave, lead_unit=org.water.pk)
    client.force_login(org.bob)
    body = client.get(reverse("workorder_list")).content.decode()
    assert "保密" in body and "138****8000" not in body


# --- every filter narrows -------------------------------------------------------------------


def _list(client, **params):
    return _numbers(client.get(reverse("workorder_list"), params))


def test_it_filters_open_orders_only(client, org):
    open_order = f.dispatched(org)
    closed = f.registered(org)
    f.move(closed, "mark_invalid", org.alice, note="无效来电")
    client.force_login(org.dave)
    assert _list(client, open="on") == [open_order.number]
    assert set(_list(client)) == {open_order.number, closed.number}


def test_it_filters_by_category_with_its_subtree(client, org):
    root = Category.objects.create(name="列表测试一级")
    child = Category.objects.create(name="列表测试二级", parent=root, level=2)
    other = Category.objects.create(name="列表测试其他")
    in_root = f.registered(org, category=root.pk)
    in_child = f.registered(org, category=child.pk)
    f.registered(org, category=other.pk)
    client.force_login(org.dave)
    assert _list(client, category=root.pk) == [in_child.number, in_root.number]
    assert _list(client, category=child.pk) == [in_child.number]


def test_it_filters_by_lead_unit_alone_or_with_the_units_below(client, org):
    to_street = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.street_office.pk)
    to_community = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.community.pk)
    f.dispatched(org)  # to the water utility
    client.force_login(org.dave)
    assert _list(client, unit=org.street_office.pk) == [to_street.number]
    assert _list(client, unit=org.street_office.pk, unit_subtree="on") == [
        to_community.number,
        to_street.number,
    ]


def test_it_filters_by_region_with_its_subtree(client, org):
    in_street = f.registered(org, region=org.street.code)
    in_county = f.registered(org, region=org.county.code)
    in_other = f.registered(org, region=org.other_county.code)
    client.force_login(org.dave)
    assert _list(client, region=org.county.pk) == [in_county.number, in_street.number]
    assert _list(client, region=org.street.pk) == [in_street.number]
    assert _list(client, region=org.other_county.pk) == [in_other.number]


def test_it_filters_by_a_created_date_range(client, org):
    now = timezone.now()
    old = f.registered(org, at=now - timedelta(days=20))
    middle = f.registered(org, at=now - timedelta(days=10))
    f.registered(org, at=now)
    client.force_login(org.dave)
    day = timezone.localdate(now)
    span = {"created_from": day - timedelta(days=15), "created_to": day - timedelta(days=5)}
    assert _list(client, **span) == [middle.number]
    assert _list(client, created_to=day - timedelta(days=15)) == [old.number]


def _clock(order, *, due, warn):
    WorkOrder.objects.filter(pk=order.pk).update(reply_due_at=due, reply_warn_at=warn)
    return order


def test_it_filters_by_time_status_and_the_overdue_shortcut(client, org):
    now = timezone.now()
    day = timedelta(days=1)
    normal = _clock(f.dispatched(org), due=now + 3 * day, warn=now + 2 * day)
    warning = _clock(f.in_progress(org), due=now + day, warn=now - day)
    overdue = _clock(f.dispatched(org), due=now - day, warn=now - 2 * day)
    # Replied: the unit's clock has stopped, so it is in no time status even if past due.
    _clock(f.replied(org), due=now - day, warn=now - 2 * day)
    client.force_login(org.dave)
    assert _list(client, time_status="normal") == [normal.number]
    assert _list(client, time_status="warning") == [warning.number]
    assert _list(client, time_status="overdue") == [overdue.number]
    assert _list(client, overdue="on") == [overdue.number]
    body = client.get(reverse("workorder_list"), {"overdue": "on"}).content.decode()
    assert "超期" in body  # the row shows its red clock


def test_it_sorts_by_reply_deadline_across_pages_with_ties(client, org):
    now = timezone.now()
    due = now + timedelta(days=2)
    tied = [_clock(f.dispatched(org), due=due, warn=None) for _ in range(3)]
    soon = _clock(f.dispatched(org), due=now + timedelta(hours=3), warn=None)
    no_clock = f.registered(org)
    client.force_login(org.dave)
    url = reverse("workorder_list")
    response = client.get(url, {"sort": "reply_due_at", "size": 2})
    seen = _numbers(response)
    while response.context["next_url"]:
        response = client.get(url + response.context["next_url"])
        seen += _numbers(response)
    # Soonest first; ties in creation order of id; orders without a clock last.
    assert seen == [soon.number] + [o.number for o in tied] + [no_clock.number]
    response = client.get(url, {"sort": "-reply_due_at", "size": 2})
    seen = _numbers(response)
    while response.context["next_url"]:
        response = client.get(url + response.context["next_url"])
        seen += _numbers(response)
    assert seen == [o.number for o in reversed(tied)] + [soon.number, no_clock.number]


def test_it_sorts_by_urgency_then_newest_across_pages(client, org):
    now = timezone.now()
    normal = [f.registered(org, urgency="normal", at=now - timedelta(minutes=i)) for i in range(2)]
    urgent = [f.registered(org, urgency="urgent", at=now - timedelta(minutes=i)) for i in range(3)]
    critical = f.registered(org, urgency="critical", at=now - timedelta(days=3))
    client.force_login(org.dave)
    url = reverse("workorder_list")
    response = client.get(url, {"sort": "-urgency", "size": 2})
    seen = _numbers(response)
    while response.context["next_url"]:
        response = client.get(url + response.context["next_url"])
        seen += _numbers(response)
    expected = [critical, *urgent, *normal]
    assert seen == [o.number for o in expected]


def test_it_keeps_ties_in_created_time_apart_by_id(client, org):
    at = timezone.now() - timedelta(hours=1)
    same = [f.registered(org, at=at) for _ in range(5)]
    client.force_login(org.dave)
    url = reverse("workorder_list")
    response = client.get(url, {"size": 2})
    seen = _numbers(response)
    while response.context["next_url"]:
        response = client.get(url + response.context["next_url"])
        seen += _numbers(response)
    assert seen == [o.number for o in sorted(same, key=lambda o: o.pk, reverse=True)]


def test_it_shows_a_chinese_error_for_each_bad_value(client, org):
    client.force_login(org.dave)
    url = reverse("workorder_list")
    for params, field in [
        ({"time_status": "late"}, "time_status"),
        ({"sort": "title"}, "sort"),
        ({"unit": "999999"}, "unit"),
        ({"created_from": "2025-02-30"}, "created_from"),
        ({"created_from": "2025-05-10", "created_to": "2025-05-01"}, "created_to"),
    ]:
        response = client.get(url, params)
        assert response.context["rows"] == [], params
        assert field in response.context["form"].errors, params
        assert "导出 XLSX" not in response.content.decode()


def test_it_excludes_confidential_orders_from_a_units_phone_search(client, org):
    hidden = f.dispatched(org, is_confidential=True, requester_phone="13755556666")
    client.force_login(org.bob)
    assert _list(client, phone="13755556666") == []
    client.force_login(org.dave)
    assert _list(client, phone="13755556666") == [hidden.number]


def test_it_links_the_export_with_the_current_filters(client, org):
    f.dispatched(org)
    client.force_login(org.dave)
    response = client.get(reverse("workorder_list"), {"status": "dispatched", "cursor": ""})
    export_url = response.context["export_url"]
    assert export_url.startswith(reverse("workorder_export"))
    assert "status=dispatched" in export_url and "cursor" not in export_url
    assert export_url.replace("&", "&amp;") in response.content.decode()
