"""Celery tasks of the sla app: thin wrappers around the scans."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hotline.sla.tasks.scan_time_limits")
def scan_time_limits() -> dict[str, int]:
    """The periodic time-limit scan (registered in hotline.core.periodic)."""
    from .scans import sla_scan

    return sla_scan()
