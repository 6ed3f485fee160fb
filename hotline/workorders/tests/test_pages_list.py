"""The order list: scoping, filters, keyset paging, masked phone numbers."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotline.workorders.services import workorder_transition


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


def test_it_pages_with_a_cursor_and_no_count(client, org, register):
    now = timezone.now()
    orders = [register(at=now - timedelta(minutes=i)) for i in range(5)]
    client.force_login(org.dave)
    url = reverse("workorder_list")
    seen = []
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"sort": "-created_at", "size": 2})
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    while True:
        seen += _numbers(response)
        next_url = response.context["next_url"]
        if not next_url:
            break
        assert "下一页" in response.content.decode()
        response = client.get(url + next_url)
    assert seen == [o.number for o in orders]
    oldest_first = client.get(url, {"sort": "created_at", "size": 2})
    assert _numbers(oldest_first) == [orders[4].number, orders[3].number]


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
