"""The admin pages of the time limits: rules, calendar, alerts and their recompute action."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from hotline.accounts.models import User
from hotline.core.testing import PASSWORD
from hotline.sla.models import CalendarYear, SlaAlert, TimeLimitRule
from hotline.workorders.tests.factories import move, registered

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def admin_client(org):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    c = Client()
    assert c.login(username="root", password=PASSWORD)
    return c


@pytest.mark.parametrize(
    "model",
    ["timelimitrule", "calendarday", "calendaryear", "slaalert", "slaaction", "notification"],
)
def test_it_lists_each_model_in_admin(admin_client, model):
    assert admin_client.get(f"/admin/sla/{model}/").status_code == 200


def test_it_refuses_the_admin_to_a_hotline_user(org):
    c = Client()
    assert c.login(username="sue", password=PASSWORD)
    assert c.get("/admin/sla/timelimitrule/").status_code == 302


def test_it_refuses_a_zero_limit_with_a_clear_message(admin_client):
    rule = TimeLimitRule.objects.get(clock="return", is_active=True)
    before = rule.amount
    response = admin_client.post(
        f"/admin/sla/timelimitrule/{rule.pk}/change/",
        {"clock": "return", "amount": "0", "unit": "working_days", "is_active": "on", "source": ""},
    )
    assert response.status_code == 200
    assert "时限必须大于 0" in response.content.decode()
    rule.refresh_from_db()
    assert rule.amount == before


def test_it_recomputes_the_orders_of_selected_alerts(admin_client, org):
    # Five working days from Monday 28 December reach into 2027, which the calendar lacks.
    with time_machine.travel(datetime(2026, 12, 28, 10, tzinfo=SH), tick=False):
        order = move(
            registered(org, request_type="complaint"), "dispatch", org.dave, lead_unit=org.water.pk
        )
    alert = SlaAlert.objects.get(order=order)
    CalendarYear.objects.create(year=2027)
    response = admin_client.post(
        "/admin/sla/slaalert/", {"action": "recompute", "_selected_action": [alert.pk]}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.reply_due_at is not None
    assert order.events.filter(action="add_note", actor__is_system=True).exists()
    alert.refresh_from_db()
    assert alert.resolved_at is not None
