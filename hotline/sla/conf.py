"""The time-limit settings of a city (settings.SLA overrides these defaults; env vars for the
common ones). Read through `sla_setting(name)` so tests can override settings.SLA."""

from __future__ import annotations

import os
from datetime import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .choices import LimitUnit


def _hours(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


DEFAULTS: dict[str, Any] = {
    # "next_day" (次日起): counting starts the working day after the clock starts;
    # "inclusive" (含本数): the start day counts when it is a working day and the clock starts
    # before the end of its office hours.
    "COUNTING": os.getenv("SLA_COUNTING", "next_day"),
    # A working-day deadline ends at the end of office hours of its last day.
    "OFFICE_END": os.getenv("SLA_OFFICE_END", "17:30"),
    # The reply clock turns yellow when this share of its time is used...
    "WARN_PERCENT": int(os.getenv("SLA_WARN_PERCENT", "80")),
    # ...or, when > 0, for a limit in working days: when this many working days are left.
    "WARN_WORKDAYS_LEFT": int(os.getenv("SLA_WARN_WORKDAYS_LEFT", "0")),
    # Automatic urges (催办), hours after the reply deadline passed; one urge per entry.
    "URGE_AFTER_HOURS": _hours(os.getenv("SLA_URGE_AFTER_HOURS", "0")),
    # Automatic supervision (督办), hours overdue at which level 1, 2, 3... is raised.
    "SUPERVISE_AFTER_HOURS": _hours(os.getenv("SLA_SUPERVISE_AFTER_HOURS", "24,72,168")),
    # The same points with units, e.g. "1wd,3wd,5wd" (working days) or "24h,3wd"; a bare number
    # is hours. When set it replaces SUPERVISE_AFTER_HOURS.
    "SUPERVISE_AFTER": _list(os.getenv("SLA_SUPERVISE_AFTER", "")),
    # Urge a unit automatically when it has not acknowledged within its limit.
    "URGE_UNACKNOWLEDGED": os.getenv("SLA_URGE_UNACKNOWLEDGED", "true").lower() == "true",
    # A return (退单) after the return window: refused when true; otherwise accepted and
    # recorded as late on its event.
    "REFUSE_LATE_RETURN": os.getenv("SLA_REFUSE_LATE_RETURN", "false").lower() == "true",
    # Notification channels besides the in-app inbox (always on): "sms", "email", or dotted
    # paths of classes with `deliver(notification) -> tuple[bool, str]`.
    "CHANNELS": [c for c in os.getenv("SLA_CHANNELS", "sms,email").split(",") if c],
    # How often the scan runs (minutes).
    "SCAN_EVERY_MINUTES": int(os.getenv("SLA_SCAN_EVERY_MINUTES", "5")),
}


def sla_setting(name: str) -> Any:
    overrides = getattr(settings, "SLA", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def office_end() -> time:
    hour, minute = str(sla_setting("OFFICE_END")).split(":")
    return time(int(hour), int(minute))


def supervise_after() -> list[tuple[int, str]]:
    """The overdue amounts at which supervision levels 1, 2, 3... are raised, each as (amount,
    LimitUnit.HOURS or LimitUnit.WORKING_DAYS): SUPERVISE_AFTER when set, otherwise
    SUPERVISE_AFTER_HOURS."""
    entries = list(sla_setting("SUPERVISE_AFTER") or [])
    if not entries:
        return [(int(h), LimitUnit.HOURS) for h in sla_setting("SUPERVISE_AFTER_HOURS")]
    points: list[tuple[int, str]] = []
    for entry in entries:
        text = str(entry).strip().lower()
        unit, number = LimitUnit.HOURS, text.removesuffix("h")
        if text.endswith("wd"):
            unit, number = LimitUnit.WORKING_DAYS, text.removesuffix("wd")
        if not number.isdigit() or (unit == LimitUnit.WORKING_DAYS and int(number) == 0):
            raise ImproperlyConfigured(
                f"SLA_SUPERVISE_AFTER 中的「{entry}」无法识别：应为小时数（如 24h）或工作日数（如 3wd）"
            )
        points.append((int(number), unit))
    return points
