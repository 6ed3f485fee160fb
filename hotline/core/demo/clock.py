"""Time in the demo: when people call (hours of the day, weekdays, seasons) and when staff work.

Units work weekday office hours, so their delays are counted in working minutes; the hotline
desk answers around the clock but dispatches and calls back in the daytime. Public holidays
are not modelled: the demo needs plausible rhythms, not the legal calendar."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

LOCAL = ZoneInfo(settings.TIME_ZONE)
# Calls per hour of day, relative (a county hotline: morning and afternoon peaks).
HOUR_WEIGHTS = [
    0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 4, 7, 8, 7,
    4, 3.5, 5.5, 7, 7, 6, 4, 3.5, 3, 2.5, 1.5, 0.7,
]  # fmt: skip
WEEKDAY_WEIGHTS = [1.05, 1.0, 1.0, 1.0, 0.95, 0.7, 0.6]
MONTH_WEIGHTS = {1: 1.15, 2: 0.95, 7: 1.1, 8: 1.1, 11: 1.1, 12: 1.15}
# Unit office hours (上午 / 下午).
PERIODS = [(time(8, 30), time(12, 0)), (time(14, 30), time(18, 0))]
WORKDAY_MINUTES = 420
# The hotline's dispatch and callback desks work these hours every day.
DESK_OPEN, DESK_CLOSE = time(8, 0), time(20, 0)


def local(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=LOCAL)


def registration_times(
    rng: random.Random, n: int, end: date, days: int, until: datetime | None = None
) -> list[datetime]:
    """`n` call times over the `days` days ending with `end`, weighted by weekday, season and a
    little day-to-day noise, then by hour of day. Sorted. None is later than `until` (the
    present moment, when the demo ends today): a call drawn for later today is drawn again among
    the hours already past, so every planned order can be registered."""
    dates = [end - timedelta(days=i) for i in range(days - 1, -1, -1)]
    weights = [
        WEEKDAY_WEIGHTS[d.weekday()] * MONTH_WEIGHTS.get(d.month, 1.0) * rng.uniform(0.85, 1.15)
        for d in dates
    ]
    chosen = rng.choices(dates, weights=weights, k=n)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=n)
    times = [
        local(d, time(h, rng.randrange(60), rng.randrange(60)))
        for d, h in zip(chosen, hours, strict=True)
    ]
    if until is not None:
        times = [t if t <= until else _earlier_today(rng, until) for t in times]
    return sorted(times)


def _earlier_today(rng: random.Random, until: datetime) -> datetime:
    """A call time on `until`'s day no later than `until`, by the same hourly weights."""
    until = until.astimezone(LOCAL).replace(microsecond=0)
    hour = rng.choices(range(until.hour + 1), weights=HOUR_WEIGHTS[: until.hour + 1])[0]
    last = until.minute * 60 + until.second if hour == until.hour else 3599
    second = rng.randint(0, last)
    return local(until.date(), time(hour, second // 60, second % 60))


def _next_day(dt: datetime) -> date:
    return dt.astimezone(LOCAL).date() + timedelta(days=1)


def to_work(dt: datetime) -> datetime:
    """The first moment of unit office hours at or after `dt`."""
    dt = dt.astimezone(LOCAL)
    while True:
        d = dt.date()
        if d.weekday() < 5:
            for start, end in PERIODS:
                if dt < local(d, end):
                    return max(dt, local(d, start))
        dt = local(d + timedelta(days=1), time(0))


def add_work(dt: datetime, minutes: float) -> datetime:
    """`dt` plus `minutes` of office time (evenings, lunch and weekends do not count)."""
    dt = to_work(dt)
    left = timedelta(minutes=minutes)
    while True:
        end = next(local(dt.date(), e) for s, e in PERIODS if dt < local(dt.date(), e))
        if dt + left <= end:
            return dt + left
        left -= end - dt
        dt = to_work(end)


def to_desk(dt: datetime) -> datetime:
    """The first moment the dispatch/callback desk is staffed at or after `dt`."""
    dt = dt.astimezone(LOCAL)
    d = dt.date()
    if dt < local(d, DESK_OPEN):
        return local(d, DESK_OPEN)
    if dt >= local(d, DESK_CLOSE):
        return local(_next_day(dt), DESK_OPEN)
    return dt


def minutes(m: float) -> timedelta:
    return timedelta(minutes=m)


def skewed_days(rng: random.Random, median: float, low: float, high: float) -> float:
    """A right-skewed duration in working days: most near the median, a long tail."""
    return min(high, max(low, rng.lognormvariate(0, 0.6) * median))
