"""Celery tasks of the work-order app; the housekeeping of order numbers is registered as a
periodic job here, at import (WorkordersConfig.ready() imports this module)."""

from __future__ import annotations

from datetime import time

from celery import shared_task

from hotline.core import periodic


@shared_task(name="workorders.drop_old_number_sequences")
def drop_old_number_sequences() -> int:
    from .numbering import number_sequences_drop

    return len(number_sequences_drop())


periodic.register(
    "workorders.number_sequences",
    "workorders.drop_old_number_sequences",
    daily_at=time(3, 30),
)
