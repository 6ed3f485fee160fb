"""Orders left without a deadline by a gap in the calendar are recomputed automatically once an
administrator enters the missing days (admin or import), after the commit, exactly once."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from hotline.sla.models import CalendarDay, CalendarYear, SlaAlert
from hotline.sla.services import sla_retry_calendar_gaps
from hotline.workorders.tests.factories import move, registered

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def gap_order(org):
    """Dispatched Monday 28 Dec 2026: its 5 working days (the shipped default) reach into 2027,
    which chinese-calendar does not know."""
    with time_machine.travel(datetime(2026, 12, 28, 10, tzinfo=SH), tick=False):
        order = move(registered(org), "dispatch", org.dave, lead_unit=org.water.pk)
    assert order.reply_due_at is None
    assert SlaAlert.objects.get(order=order).missing_date == date(2027, 1, 1)
    return order


def recomputations(order):
    return order.events.filter(action="add_note", actor__is_system=True).count()


def test_it_recomputes_after_the_year_is_entered_and_committed(
    gap_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕测试")
            CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
        gap_order.refresh_from_db()
        assert gap_order.reply_due_at is None  # nothing before the commit
    assert len(callbacks) == 1  # two rows saved, one retry
    callbacks[0]()
    gap_order.refresh_from_db()
    # 29, 30, 31 December, then (1 January off) 4 and 5 January.
    assert gap_order.reply_due_at == datetime(2027, 1, 5, 17, 30, tzinfo=SH)
    assert recomputations(gap_order) == 1
    assert SlaAlert.objects.get(order=gap_order).resolved_at is not None


def test_it_recomputes_after_an_import(gap_order, tmp_path, django_capture_on_commit_callbacks):
    csv = tmp_path / "2027.csv"
    csv.write_text("日期,类型,说明\n2027-01-01,休,元旦\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sla_import_calendar", str(csv), "--source", "国办发明电〔2026〕测试")
    gap_order.refresh_from_db()
    assert gap_order.reply_due_at == datetime(2027, 1, 5, 17, 30, tzinfo=SH)


def test_it_leaves_an_order_whose_date_is_still_unknown(
    gap_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        CalendarYear.objects.create(year=2028)
        CalendarDay.objects.create(date=date(2026, 12, 31), is_workday=True, name="测试")
    assert recomputations(gap_order) == 0
    assert SlaAlert.objects.get(order=gap_order).resolved_at is None


def test_it_recomputes_each_order_once(gap_order):
    CalendarYear.objects.create(year=2027)
    assert sla_retry_calendar_gaps() == 1
    assert sla_retry_calendar_gaps() == 0
    assert recomputations(gap_order) == 1


def test_it_keeps_the_new_alert_open_when_the_recomputation_meets_another_gap(gap_order):
    # 1 January is entered as a day, but not the rest of 2027: the recomputation stops at 2 January.
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    assert sla_retry_calendar_gaps() == 1
    alerts = dict(
        SlaAlert.objects.filter(order=gap_order).values_list("missing_date", "resolved_at")
    )
    assert alerts[date(2027, 1, 1)] is not None
    assert alerts[date(2027, 1, 2)] is None
    gap_order.refresh_from_db()
    assert gap_order.reply_due_at is None
