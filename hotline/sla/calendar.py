"""Working-day arithmetic (pure: no database; `load_calendar()` builds one from the tables).

A day is a working day by, in order: an administrator's override (CalendarDay), then
chinese-calendar (which follows the State Council's yearly notices, to 2026), then — for a year
an administrator has declared (CalendarYear) — Monday to Friday. Any other day is unknown and
raises CalendarUnknown: a deadline is never silently wrong."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils.translation import gettext as _

from .choices import Counting

ONE_DAY = timedelta(days=1)
# The longest run of rest days we accept before assuming the calendar is broken.
_MAX_REST_RUN = 40


class CalendarUnknown(Exception):
    """A date outside what the working-day calendar knows."""

    def __init__(self, day: date) -> None:
        self.day = day
        super().__init__(
            _("工作日历未包含 {day}（{year} 年的节假日安排尚未录入），无法计算时限").format(
                day=day.isoformat(), year=day.year
            )
        )


@dataclass
class WorkCalendar:
    overrides: dict[date, bool] = field(default_factory=dict)
    declared_years: frozenset[int] = frozenset()
    _cache: dict[date, bool] = field(default_factory=dict, repr=False)

    def is_workday(self, day: date) -> bool:
        known = self._cache.get(day)
        if known is not None:
            return known
        if day in self.overrides:
            result = self.overrides[day]
        else:
            try:
                result = chinese_calendar.is_workday(day)
            except NotImplementedError:
                if day.year not in self.declared_years:
                    raise CalendarUnknown(day) from None
                result = day.weekday() < 5
        self._cache[day] = result
        return result

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        for _i in range(_MAX_REST_RUN):
            day += ONE_DAY
            if self.is_workday(day):
                return day
        raise CalendarUnknown(day)

    def first_counted_day(self, start: datetime, counting: str, office_end: time) -> date:
        """The day that counts as working day 1 for a clock started at `start` (local time)."""
        day = start.date()
        if counting == Counting.INCLUSIVE and self.is_workday(day) and start.time() < office_end:
            return day
        return self.next_workday(day)

    def add_working_days(
        self, start: datetime, days: int, *, counting: str, office_end: time
    ) -> datetime:
        """The end of office hours of the `days`-th working day counted from `start`."""
        if days < 1:
            raise ValueError("days must be >= 1")
        tz = start.tzinfo or ZoneInfo(settings.TIME_ZONE)
        local = start.astimezone(_local_tz())
        day = self.first_counted_day(local, counting, office_end)
        for _i in range(days - 1):
            day = self.next_workday(day)
        return datetime.combine(day, office_end, tzinfo=_local_tz()).astimezone(tz)

    def count_working_days(
        self, start: datetime, end: datetime, *, counting: str, office_end: time
    ) -> int:
        """How many working days a clock started at `start` has used by `end` (inclusive of
        the end's day): the inverse of add_working_days."""
        local = start.astimezone(_local_tz())
        last = end.astimezone(_local_tz()).date()
        day = self.first_counted_day(local, counting, office_end)
        count = 0
        while day <= last:
            count += 1
            day = self.next_workday(day)
        return count

    def workdays(self, days: Iterable[date]) -> list[date]:
        return [d for d in days if self.is_workday(d)]


def _local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def load_calendar() -> WorkCalendar:
    """The calendar as the administrators have configured it now (two small queries)."""
    from .models import CalendarDay, CalendarYear

    overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return WorkCalendar(overrides=overrides, declared_years=years)
