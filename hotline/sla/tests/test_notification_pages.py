"""The notification inbox page, its unread badge, and the API: each person sees only their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.core.testing import PASSWORD
from hotline.sla.models import Notification
from hotline.workorders.tests.factories import dispatched


def client_for(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def order(org):
    return dispatched(org)


def note(user, order=None, title="工单即将超期", kind="warning"):
    return Notification.objects.create(
        recipient=user, order=order, kind=kind, title=title, created_at=timezone.now()
    )


def test_it_lists_my_unread_notifications_with_the_time_left(org, order):
    note(org.bob, order, title="工单 A 即将超期")
    note(org.charlie, order, title="别人的通知")
    response = client_for(org.bob).get("/sla/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "工单 A 即将超期" in html and "别人的通知" not in html
    assert f"/orders/{order.number}/" in html
    assert 'class="clock normal"' in html  # time left, colour-coded


def test_it_shows_no_link_to_an_order_i_may_not_see(org, order):
    note(org.charlie, order, title="曾经的通知")
    html = client_for(org.charlie).get("/sla/notifications/").content.decode()
    assert "曾经的通知" in html
    assert order.number not in html


def test_it_marks_one_notification_read(org, order):
    n = note(org.bob, order)
    response = client_for(org.bob).post(f"/sla/notifications/{n.pk}/read/")
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.read_at is not None


def test_it_marks_read_by_htmx_with_an_empty_fragment(org, order):
    n = note(org.bob, order)
    response = client_for(org.bob).post(f"/sla/notifications/{n.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert Notification.objects.get(pk=n.pk).read_at is not None


def test_it_refuses_to_mark_another_persons_notification(org, order):
    n = note(org.bob, order)
    response = client_for(org.charlie).post(f"/sla/notifications/{n.pk}/read/")
    assert response.status_code == 404
    assert Notification.objects.get(pk=n.pk).read_at is None


def test_it_marks_all_mine_read_and_no_one_elses(org, order):
    mine = [note(org.bob, order), note(org.bob, None, kind="calendar")]
    other = note(org.charlie, order)
    assert client_for(org.bob).post("/sla/notifications/read-all/").status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_it_shows_read_ones_under_all(org, order):
    n = note(org.bob, order, title="旧通知")
    n.read_at = timezone.now() - timedelta(hours=1)
    n.save()
    c = client_for(org.bob)
    assert "旧通知" not in c.get("/sla/notifications/").content.decode()
    assert "旧通知" in c.get("/sla/notifications/?show=all").content.decode()


def test_it_counts_unread_in_the_nav_badge(org, order):
    c = client_for(org.bob)
    assert c.get("/sla/notifications/unread/").content == b""
    note(org.bob, order)
    note(org.bob, order)
    assert ">2</span>" in c.get("/sla/notifications/unread/").content.decode()
    # Every page carries the nav link that loads the badge.
    html = c.get("/orders/").content.decode()
    assert 'hx-get="/sla/notifications/unread/"' in html


def test_it_requires_sign_in(db):
    response = Client().get("/sla/notifications/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_it_refuses_get_on_mark_read(org, order):
    n = note(org.bob, order)
    assert client_for(org.bob).get(f"/sla/notifications/{n.pk}/read/").status_code == 405


def api(user) -> Client:
    _, key = ApiToken.issue(user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_it_lists_notifications_through_the_api(org, order):
    note(org.bob, order, title="API 通知")
    body = api(org.bob).get("/api/notifications").json()
    assert body["unread"] == 1
    assert body["items"][0]["title"] == "API 通知"
    assert body["items"][0]["order_number"] == order.number


def test_it_marks_read_through_the_api_and_refuses_others(org, order):
    n = note(org.bob, order)
    assert api(org.charlie).post(f"/api/notifications/{n.pk}/read").status_code == 404
    assert Notification.objects.get(pk=n.pk).read_at is None
    assert api(org.bob).post(f"/api/notifications/{n.pk}/read").status_code == 204
    assert Notification.objects.get(pk=n.pk).read_at is not None


def test_it_shows_an_orders_clocks_to_whoever_may_see_it(org, order):
    body = api(org.bob).get(f"/api/workorders/{order.number}/clocks").json()
    assert body["reply_due_at"] is not None and body["acknowledged_late"] is False
    assert api(org.charlie).get(f"/api/workorders/{order.number}/clocks").status_code == 404
