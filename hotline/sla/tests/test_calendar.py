"""Working-day arithmetic: properties (hypothesis) and golden cases across 2026's holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.sla.calendar import CalendarUnknown, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
END = time(17, 30)
CAL = WorkCalendar()

starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 9, 30)).map(
    lambda d: d.replace(tzinfo=SH)
)
counts = st.integers(min_value=1, max_value=40)
conventions = st.sampled_from(["next_day", "inclusive"])


@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts, counting=conventions)
def test_it_counts_back_the_days_it_added(start, n, counting):
    due = CAL.add_working_days(start, n, counting=counting, office_end=END)
    assert CAL.count_working_days(start, due, counting=counting, office_end=END) == n


@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts, counting=conventions)
def test_it_never_lands_on_a_holiday_or_rest_day(start, n, counting):
    due = CAL.add_working_days(start, n, counting=counting, office_end=END)
    local = due.astimezone(SH)
    assert local.time() == END
    assert chinese_calendar.is_workday(local.date())
    assert not chinese_calendar.is_holiday(local.date())


@settings(max_examples=300, deadline=None)
@given(start=starts, n=counts)
def test_it_counts_exactly_the_official_working_days_make_up_weekends_included(start, n):
    # Oracle independent of our code: the official calendar's working days between the day
    # after the start and the deadline, make-up Saturdays and Sundays (调休) included.
    due = CAL.add_working_days(start, n, counting="next_day", office_end=END).astimezone(SH)
    day, official = start.date() + timedelta(days=1), 0
    while day <= due.date():
        official += chinese_calendar.is_workday(day)
        day += timedelta(days=1)
    assert official == n


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.mark.parametrize(
    ("start", "days", "counting", "expected"),
    [
        # Spring Festival 2026: rest 15–23 Feb; Saturday 14 and Saturday 28 Feb are working days.
        (at(2026, 2, 12), 2, "next_day", at(2026, 2, 14, 17, 30)),
        (at(2026, 2, 13), 2, "next_day", at(2026, 2, 24, 17, 30)),
        (at(2026, 2, 13), 5, "next_day", at(2026, 2, 27, 17, 30)),
        (at(2026, 2, 13), 15, "next_day", at(2026, 3, 12, 17, 30)),
        (at(2026, 2, 13), 2, "inclusive", at(2026, 2, 14, 17, 30)),
        # After office hours the day of dispatch no longer counts, even "含本数".
        (at(2026, 2, 13, 18, 0), 2, "inclusive", at(2026, 2, 24, 17, 30)),
        # Dispatched on a holiday: counting starts on the first working day after it.
        (at(2026, 2, 17), 1, "inclusive", at(2026, 2, 24, 17, 30)),
        # National Day 2026: rest 1–7 Oct; Saturday 10 Oct is a working day.
        (at(2026, 9, 30, 16, 0), 2, "next_day", at(2026, 10, 9, 17, 30)),
        (at(2026, 9, 30, 16, 0), 5, "next_day", at(2026, 10, 13, 17, 30)),
        (at(2026, 9, 30, 16, 0), 10, "next_day", at(2026, 10, 20, 17, 30)),
        # Mid-autumn 25–27 Sep and the make-up Sunday 20 Sep.
        (at(2026, 9, 19, 9, 0), 1, "next_day", at(2026, 9, 20, 17, 30)),
        (at(2026, 9, 24, 9, 0), 1, "next_day", at(2026, 9, 28, 17, 30)),
    ],
)
def test_it_computes_the_golden_deadlines(start, days, counting, expected):
    assert CAL.add_working_days(start, days, counting=counting, office_end=END) == expected


def test_it_refuses_a_date_the_calendar_does_not_know():
    with pytest.raises(CalendarUnknown) as e:
        CAL.add_working_days(at(2026, 12, 28), 10, counting="next_day", office_end=END)
    assert e.value.day.year == 2027
    assert "2027" in str(e.value)


def test_it_uses_a_declared_year_and_its_overrides():
    cal = WorkCalendar(
        overrides={date(2027, 1, 1): False, date(2027, 1, 2): True},
        declared_years=frozenset({2027}),
    )
    assert not cal.is_workday(date(2027, 1, 1))  # Friday, New Year holiday
    assert cal.is_workday(date(2027, 1, 2))  # Saturday, make-up day
    assert not cal.is_workday(date(2027, 1, 3))  # Sunday
    # Thursday 31 Dec 2026 10:00, 2 working days: Saturday 2 Jan (make-up), Monday 4 Jan.
    due = cal.add_working_days(at(2026, 12, 31), 2, counting="next_day", office_end=END)
    assert due == at(2027, 1, 4, 17, 30)


def test_it_lets_an_override_beat_chinese_calendar():
    cal = WorkCalendar(overrides={date(2026, 3, 9): False})  # a local holiday on a Monday
    due = cal.add_working_days(at(2026, 3, 6), 1, counting="next_day", office_end=END)
    assert due == at(2026, 3, 10, 17, 30)
