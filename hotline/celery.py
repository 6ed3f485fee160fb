"""The Celery app. In the embedded default tasks run eagerly in-process (no broker needed)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def beat_schedule_from_registry(sender: Celery, **kwargs: object) -> None:
    """Celery beat runs the jobs the apps registered in hotline.core.periodic."""
    from celery.schedules import crontab

    from hotline.core.periodic import jobs

    for job in jobs():
        if job.every is not None:
            schedule: object = job.every
        else:
            assert job.daily_at is not None
            schedule = crontab(hour=job.daily_at.hour, minute=job.daily_at.minute)
        sender.conf.beat_schedule[job.name] = {"task": job.task, "schedule": schedule}
