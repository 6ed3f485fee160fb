"""The registry of periodic jobs (time-limit scans, callbacks due, the daily report...).

Apps call `register(...)` from AppConfig.ready() with the dotted name of a Celery task. The same
registry feeds Celery beat in production (`hotline.celery` builds `beat_schedule` from it) and the
in-process runner of the embedded default, so a job is declared once and runs in both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    # Either a fixed interval or a daily time of day (Asia/Shanghai); exactly one is set.
    every: timedelta | None = None
    daily_at: time | None = None


_JOBS: dict[str, PeriodicJob] = {}


def register(
    name: str, task: str, *, every: timedelta | None = None, daily_at: time | None = None
) -> None:
    if (every is None) == (daily_at is None):
        raise ValueError(f"periodic job {name}: give exactly one of every= or daily_at=")
    _JOBS[name] = PeriodicJob(name, task, every, daily_at)


def jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda j: j.name)
