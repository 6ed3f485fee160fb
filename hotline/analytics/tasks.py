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


@shared_task(name="hotline.analytics.tasks.refresh_facts")
def refresh_facts(full: bool = False) -> int:
    """Keep the KPI facts (orders and events) fresh between page views (every minute), and once
    a night compare every order's version and copy every event again (`full`), so a figure
    rarely has to refresh many rows itself. Returns the rows written."""
    from .facts import event_facts_refresh, facts_refresh

    return facts_refresh(full=full).orders + event_facts_refresh(full=full).orders


@shared_task(name="hotline.analytics.tasks.refresh_facts_full")
def refresh_facts_full() -> int:
    return refresh_facts(full=True)
