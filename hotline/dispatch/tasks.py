"""Background jobs of the dispatch app (thin: the work is in `hot`)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="hotline.dispatch.tasks.hot_topic_scan")
def hot_topic_scan() -> int:
    """Raise early warnings for hot topics of the last days; returns how many were new."""
    from .hot import hot_topic_warnings_raise

    return len(hot_topic_warnings_raise())
