"""Celery tasks of the sla app: thin wrappers around the scans and the calendar retry."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hotline.sla.tasks.scan_time_limits")
def scan_time_limits() -> dict[str, int]:
    """The periodic time-limit scan (registered in hotline.core.periodic)."""
    from .scans import sla_scan

    return sla_scan()


@shared_task(name="hotline.sla.tasks.retry_calendar_gaps")
def retry_calendar_gaps() -> int:
    """Recompute the orders the calendar left without a deadline, once it knows their dates
    (scheduled after an administrator saves calendar days or years)."""
    from .services import sla_retry_calendar_gaps

    return sla_retry_calendar_gaps()
