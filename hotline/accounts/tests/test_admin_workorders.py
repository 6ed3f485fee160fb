"""The work order admin is for looking: these tests live here because the workorders app's tests
belong to another team; the admin module is ours (hotline/workorders/admin.py)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories


@pytest.fixture
def order(org) -> WorkOrder:
    return factories.dispatched(org, requester_name="张三丰", requester_phone="13800138000")


def test_it_shows_an_order_with_masked_phone_events_and_assignments(admin_client, order):
    response = admin_client.get(reverse("admin:workorders_workorder_change", args=[order.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert order.number in body and "138****8000" in body and "张**" in body
    assert "13800138000" not in body and "张三丰" not in body
    assert "县自来水公司" in body  # the assignment inline
    assert 'name="_save"' not in body  # no save button


def test_it_finds_orders_by_number_and_phone(admin_client, order):
    url = reverse("admin:workorders_workorder_changelist")
    assert order.number in admin_client.get(url, {"q": order.number}).content.decode()
    assert order.number in admin_client.get(url, {"q": "13800138000"}).content.decode()
    assert order.number not in admin_client.get(url, {"q": "13900000000"}).content.decode()


def test_it_refuses_to_change_an_order(admin_client, order):
    before = (order.title, order.status, order.version)
    url = reverse("admin:workorders_workorder_change", args=[order.pk])
    response = admin_client.post(url, {"title": "改过了", "status": "closed"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert (order.title, order.status, order.version) == before == ("小区停水", "dispatched", 2)


def test_it_refuses_to_add_or_delete_orders(admin_client, order):
    assert admin_client.get(reverse("admin:workorders_workorder_add")).status_code == 403
    delete = reverse("admin:workorders_workorder_delete", args=[order.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        reverse("admin:workorders_workorder_changelist"),
        {"action": "delete_selected", "_selected_action": [order.pk], "post": "yes"},
    )
    assert WorkOrder.objects.filter(pk=order.pk).exists()
    assert response.status_code in (200, 302)


def test_it_refuses_to_change_or_delete_events(admin_client, order):
    event = WorkOrderEvent.objects.filter(order=order).first()
    url = reverse("admin:workorders_workorderevent_change", args=[event.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"note": "改写历史"}).status_code == 403
    delete = reverse("admin:workorders_workorderevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:workorders_workorderevent_add")).status_code == 403
    event.refresh_from_db()
    assert event.note != "改写历史"
    assert WorkOrderEvent.objects.filter(order=order).count() == 2


def test_it_scopes_the_admin_to_what_the_user_may_see(client, org, order):
    # A staff user at the housing bureau with view rights still sees only its own orders.
    org.charlie.is_staff = True
    org.charlie.save()
    org.charlie.user_permissions.add(Permission.objects.get(codename="view_workorder"))
    client.force_login(org.charlie)
    listing = client.get(reverse("admin:workorders_workorder_changelist"))
    assert listing.status_code == 200 and order.number not in listing.content.decode()
    detail = client.get(reverse("admin:workorders_workorder_change", args=[order.pk]))
    assert detail.status_code == 302  # admin redirects a missing object to the index
    assert WorkOrder.objects.visible_to(org.charlie).count() == 0
    # The water utility's handler, who holds it, can see it.
    bob = org.bob
    bob.is_staff = True
    bob.save()
    bob.user_permissions.add(Permission.objects.get(codename="view_workorder"))
    client.force_login(bob)
    assert (
        order.number
        in client.get(reverse("admin:workorders_workorder_changelist")).content.decode()
    )
