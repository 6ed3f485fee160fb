"""Writes of the dispatch app: the record of suggestions served, acknowledging warnings."""

from __future__ import annotations

from django.utils import timezone

from hotline.accounts.models import User
from hotline.workorders.models import WorkOrder

from .models import HotTopicWarning, Source, Suggestion
from .suggest import Suggestions


def suggestion_record(
    *, user: User, context: str, order: WorkOrder | None, result: Suggestions
) -> Suggestion | None:
    """Record one suggestion as served (model version, top category and unit, the lists), so
    accuracy can be measured later against the unit that finally handled the order. Nothing is
    recorded when nothing was suggested."""
    if not result.categories and not result.units:
        return None
    top_category = result.categories[0] if result.categories else None
    top_unit = result.units[0] if result.units else None
    return Suggestion.objects.create(
        served_at=timezone.now(),
        user=user,
        context=context,
        order=order,
        model_version=result.model_version,
        category_id=top_category.obj.pk if top_category else None,
        category_confidence=top_category.confidence if top_category else None,
        unit_id=top_unit.obj.pk if top_unit else None,
        unit_confidence=top_unit.confidence if top_unit else None,
        unit_source=top_unit.source if top_unit else Source.NONE,
        payload={
            "categories": [[c.obj.pk, round(c.confidence, 4), c.source] for c in result.categories],
            "units": [[u.obj.pk, round(u.confidence, 4), u.source] for u in result.units],
        },
    )


def hot_topic_warning_acknowledge(*, warning: HotTopicWarning, user: User) -> HotTopicWarning:
    """Record that a supervisor has seen a warning (the first confirmation stands)."""
    updated = HotTopicWarning.objects.filter(pk=warning.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=user, acknowledged_at=timezone.now()
    )
    if updated:
        warning.refresh_from_db()
    return warning
