"""The in-process periodic runner of the embedded default (no Celery beat, no broker).

It runs the jobs registered in hotline.core.periodic — the same registry Celery beat reads in
production — by calling each task's `delay()`: with CELERY_TASK_ALWAYS_EAGER (the embedded
default) the task runs right here; with a broker configured it is queued for the workers.
Its schedule lives in this one process; run one runner per deployment (as with beat)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .periodic import PeriodicJob, jobs

logger = logging.getLogger("hotline.periodic")


def next_run(job: PeriodicJob, after: datetime) -> datetime:
    """When `job` is next due after `after` (an aware datetime)."""
    if job.every is not None:
        return after + job.every
    assert job.daily_at is not None
    local = after.astimezone(ZoneInfo(settings.TIME_ZONE))
    candidate = datetime.combine(local.date(), job.daily_at, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def send(job: PeriodicJob) -> None:
    """Run (eager) or queue (broker) one job's task."""
    from hotline.celery import app

    # Celery imports the apps' tasks modules lazily (autodiscover); make sure they are loaded.
    app.loader.import_default_modules()
    app.tasks[job.task].delay()


class Runner:
    """Due times per job; `tick(now)` runs what is due. Interval jobs run at start, daily
    jobs at their next time of day."""

    def __init__(
        self,
        registered: list[PeriodicJob] | None = None,
        *,
        now: datetime | None = None,
        run: Callable[[PeriodicJob], None] = send,
    ) -> None:
        now = now or timezone.now()
        self.jobs = registered if registered is not None else jobs()
        self.run = run
        self.due: dict[str, datetime] = {
            j.name: now if j.every is not None else next_run(j, now) for j in self.jobs
        }

    def tick(self, now: datetime | None = None) -> list[str]:
        """Run every job that is due; a failing job is logged and retried at its next time."""
        now = now or timezone.now()
        ran = []
        for job in self.jobs:
            if self.due[job.name] > now:
                continue
            try:
                self.run(job)
                ran.append(job.name)
            except Exception:
                logger.exception("periodic job %s failed", job.name)
            self.due[job.name] = next_run(job, now)
        return ran

    def run_forever(self, stop: threading.Event, poll_seconds: float = 15.0) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(poll_seconds)
