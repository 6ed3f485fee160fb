"""Celery tasks of the analytics app: thin wrappers that reload by id or date."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task(name="hotline.analytics.tasks.daily_report")
def daily_report() -> int:
    """The morning job: the day before's report (once; a second run changes nothing)."""
    from .choices import ReportKind
    from .reports import report_generate

    report = report_generate(kind=ReportKind.DAY, day=timezone.localdate() - timedelta(days=1))
    return report.pk
