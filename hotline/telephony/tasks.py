"""Celery tasks of telephony; the sweep of abandoned calls is a periodic job."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

from hotline.core import periodic


@shared_task(name="telephony.missed_calls_from_records")
def missed_calls_from_records() -> int:
    from .services import missed_calls_from_records as sweep

    return sweep()


periodic.register(
    "telephony.missed_calls",
    "telephony.missed_calls_from_records",
    every=timedelta(minutes=1),
)
