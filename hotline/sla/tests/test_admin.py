"""The admin pages of the time limits: rules, calendar, alerts and their recompute action."""

from __future__ import annotations

import re
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


def _columns(page: str) -> list[str]:
    head = page[page.index('id="result_list"') :]
    return re.findall(r'<th scope="col"\s+class="([^"]*)"', head[: head.index("</thead>")])


def test_the_rule_list_reads_as_one_line_a_rule(admin_client, org):
    from hotline.catalog.models import Category

    water = Category.objects.create(name="供水", level=1)
    cut = Category.objects.create(name="停水", level=2, parent=water)
    TimeLimitRule.objects.create(
        clock="reply", category=cut, region=org.county, amount=3, unit="working_days"
    )
    page = admin_client.get("/admin/sla/timelimitrule/").content.decode()
    # The tick box, the clock, what it applies to, the limit, on/off, where it came from.
    assert len(_columns(page)) == 6, _columns(page)
    assert "全部类型 · 全部紧急程度 · 供水 / 停水 · 子洲县" in page
    assert "3 工作日" in page
    assert "山东省（2020）" in page and "管理员设定" in page


def test_the_rule_list_searches_the_basis_and_filters_by_clock(admin_client, org):
    page = admin_client.get("/admin/sla/timelimitrule/", {"q": "子洲县"}).content.decode()
    assert 'name="_selected_action"' not in page
    rule = TimeLimitRule.objects.filter(clock="return", is_active=True).first()
    rule.region = org.county
    rule.save()
    page = admin_client.get("/admin/sla/timelimitrule/", {"q": "子洲县"}).content.decode()
    assert len(re.findall(r'name="_selected_action"', page)) == 1
    page = admin_client.get("/admin/sla/timelimitrule/", {"clock__exact": "callback"})
    shown = TimeLimitRule.objects.filter(clock="callback").count()
    assert len(re.findall(r'name="_selected_action"', page.content.decode())) == shown
    # The rule set is chosen by its name; 管理员设定 are the rules no rule set wrote.
    page = admin_client.get("/admin/sla/timelimitrule/").content.decode()
    assert "?preset=shandong_2020" in page and "山东省（2020）</a>" in page
    TimeLimitRule.objects.create(clock="reply", amount=3, unit="working_days")
    page = admin_client.get("/admin/sla/timelimitrule/", {"preset": "-"}).content.decode()
    assert len(re.findall(r'name="_selected_action"', page)) == 1


def test_the_rule_list_costs_the_same_queries_for_few_rules_or_many(
    admin_client, org, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hotline.catalog.models import Category

    with CaptureQueriesContext(connection) as few:
        admin_client.get("/admin/sla/timelimitrule/")
    for i in range(20):
        top = Category.objects.create(name=f"分类{i}", level=1)
        leaf = Category.objects.create(name="下级", level=2, parent=top)
        TimeLimitRule.objects.create(
            clock="reply", category=leaf, region=org.county, amount=4, unit="working_days"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get("/admin/sla/timelimitrule/").content.decode()
    assert page.count("/ 下级 · 子洲县") == 20
