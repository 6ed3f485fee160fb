from datetime import timedelta

import time_machine
from django.utils import timezone

from hotline.workorders.tests import factories as f


def numbers(response) -> list[str]:
    return [item["number"] for item in response.json()["items"]]


def test_it_lists_orders_newest_first_with_masked_phones(org, client):
    first = f.registered(org, requester_phone="13912345678")
    second = f.dispatched(org)
    client.force_login(org.alice)
    r = client.get("/api/workorders")
    assert r.status_code == 200
    assert numbers(r) == [second.number, first.number]
    item = r.json()["items"][1]
    # Even alice, who sees the number in full in the detail, sees it masked in lists.
    assert item["requester"]["phone"] == "139****5678"
    assert item["status_label"] == "已受理"
    assert r.json()["next_cursor"] is None
    assert r.json()["items"][0]["lead_unit"]["code"] == "U-WATER"


def test_it_shows_a_unit_only_what_was_sent_to_it(org, client):
    to_water = f.dispatched(org)
    f.registered(org)
    client.force_login(org.charlie)
    assert numbers(client.get("/api/workorders")) == []
    client.force_login(org.bob)
    assert numbers(client.get("/api/workorders")) == [to_water.number]


def test_it_filters_by_a_comma_list_of_states(org, client):
    registered = f.registered(org)
    dispatched = f.dispatched(org)
    in_progress = f.in_progress(org)
    client.force_login(org.dave)
    r = client.get("/api/workorders", {"status": "registered, in_progress"})
    assert set(numbers(r)) == {registered.number, in_progress.number}
    r = client.get("/api/workorders", {"status": "dispatched", "unit": org.water.pk})
    assert numbers(r) == [dispatched.number]


def test_it_filters_by_phone_channel_and_words(org, client):
    mine = f.registered(org, requester_phone="13711112222", channel="wechat", title="路灯不亮")
    f.registered(org)
    client.force_login(org.dave)
    assert numbers(client.get("/api/workorders", {"phone": "13711112222"})) == [mine.number]
    assert numbers(client.get("/api/workorders", {"channel": "wechat"})) == [mine.number]
    assert numbers(client.get("/api/workorders", {"q": "路灯"})) == [mine.number]
    assert numbers(client.get("/api/workorders", {"q": mine.number})) == [mine.number]


def test_it_filters_by_creation_date(org, client):
    now = timezone.now()
    old = f.registered(org, at=now - timedelta(days=10))
    new = f.registered(org, at=now)
    client.force_login(org.dave)
    today = timezone.localdate(now).isoformat()
    assert numbers(client.get("/api/workorders", {"created_from": today})) == [new.number]
    before = (timezone.localdate(now) - timedelta(days=5)).isoformat()
    assert numbers(client.get("/api/workorders", {"created_to": before})) == [old.number]


def test_it_pages_with_a_cursor(org, client):
    with time_machine.travel("2025-05-06 10:00:00+08:00", tick=True):
        orders = [f.registered(org) for _ in range(5)]
    client.force_login(org.dave)
    r = client.get("/api/workorders", {"size": 2})
    assert numbers(r) == [orders[4].number, orders[3].number]
    r = client.get("/api/workorders", {"size": 2, "cursor": r.json()["next_cursor"]})
    assert numbers(r) == [orders[2].number, orders[1].number]
    r = client.get("/api/workorders", {"size": 2, "cursor": r.json()["next_cursor"]})
    assert numbers(r) == [orders[0].number]
    assert r.json()["next_cursor"] is None
    r = client.get("/api/workorders", {"size": 3, "sort": "created_at"})
    assert numbers(r) == [o.number for o in orders[:3]]


def test_it_refuses_bad_filters_naming_the_field(org, client):
    client.force_login(org.dave)
    cases = [
        ({"status": "registered,lost"}, "status"),
        ({"size": "abc"}, "size"),
        ({"size": 0}, "size"),
        ({"sort": "title"}, "sort"),
        ({"cursor": "garbage"}, "cursor"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"category": 99999}, "category"),
        ({"open_only": "perhaps"}, "open_only"),
    ]
    for params, field in cases:
        r = client.get("/api/workorders", params)
        assert r.status_code == 400, params
        assert r.json()["field"] == field, params
        assert r.json()["code"] == "invalid"


def test_it_filters_by_time_status_overdue_and_unit_subtree(org, client):
    from hotline.workorders.models import WorkOrder

    now = timezone.now()
    late = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.community.pk)
    WorkOrder.objects.filter(pk=late.pk).update(
        reply_due_at=now - timedelta(hours=1), reply_warn_at=now - timedelta(days=1)
    )
    on_time = f.dispatched(org)
    WorkOrder.objects.filter(pk=on_time.pk).update(
        reply_due_at=now + timedelta(days=3), reply_warn_at=now + timedelta(days=2)
    )
    client.force_login(org.dave)
    assert numbers(client.get("/api/workorders", {"time_status": "overdue"})) == [late.number]
    assert numbers(client.get("/api/workorders", {"time_status": "normal"})) == [on_time.number]
    assert numbers(client.get("/api/workorders", {"overdue": True})) == [late.number]
    street = {"unit": org.street_office.pk}
    assert numbers(client.get("/api/workorders", street)) == []
    assert numbers(client.get("/api/workorders", {**street, "unit_subtree": True})) == [late.number]


def test_it_sorts_by_deadline_and_urgency_over_the_api(org, client):
    plain = f.registered(org, urgency="normal")
    critical = f.registered(org, urgency="critical")
    client.force_login(org.dave)
    r = client.get("/api/workorders", {"sort": "-urgency", "size": 1})
    assert numbers(r) == [critical.number]
    r = client.get("/api/workorders", {"sort": "-urgency", "cursor": r.json()["next_cursor"]})
    assert numbers(r) == [plain.number]


def test_it_refuses_bad_new_filters_naming_the_field(org, client):
    client.force_login(org.dave)
    for params, field in [
        ({"time_status": "late"}, "time_status"),
        ({"unit": 999999}, "unit"),
        ({"sort": "-urgency", "cursor": "WyJ4Il0="}, "cursor"),
    ]:
        r = client.get("/api/workorders", params)
        assert r.status_code == 400, params
        assert r.json()["field"] == field, params
