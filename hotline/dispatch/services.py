"""Writes of the dispatch app: the record of suggestions served, acknowledging warnings."""

from __future__ import annotations

from django.utils import timezone

from hotline.accounts.models import User
from hotline.workorders.models import WorkOrder

from .models import Context, HotTopicWarning, Source, Suggestion
from .suggest import Suggestions


def _served_id(served: str) -> int | None:
    served = (served or "").strip()
    return int(served) if served.isdigit() and len(served) < 19 else None


def suggestion_record(
    *,
    user: User,
    context: str,
    order: WorkOrder | None,
    result: Suggestions,
    replaces: str = "",
) -> Suggestion | None:
    """Record one suggestion as served (model version, top category and unit, the lists), so
    accuracy can be measured later against the unit that finally handled the order. Nothing is
    recorded when nothing was suggested.

    For an order, one row per order, context and model version: a page shown again (the
    dispatch queue renders its rows often) reuses the first row. At intake, `replaces` is the
    id of the row the desk showed before for the same call (the agent typed on): that row of
    the same user, not yet tied to an order, is rewritten, so a call leaves one row, the last
    suggestion shown, which `suggestion_link` ties to the order once registered."""
    if not result.categories and not result.units:
        return None
    if order is not None:
        found = Suggestion.objects.filter(
            order=order, context=context, model_version=result.model_version
        ).first()
        if found is not None:
            return found
    top_category = result.categories[0] if result.categories else None
    top_unit = result.units[0] if result.units else None
    fields = dict(
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
    previous = _served_id(replaces) if order is None else None
    if previous is not None:
        earlier = Suggestion.objects.filter(
            pk=previous, user=user, context=context, order__isnull=True
        )
        if earlier.update(**fields):
            return Suggestion.objects.get(pk=previous)
    return Suggestion.objects.create(**fields)


def suggestion_link(*, user: User, served: str, order: WorkOrder) -> bool:
    """Tie the intake suggestion `served` (its id as the desk posted it) that `user` was shown
    to the order just registered from that call; a wrong, foreign or already tied id links
    nothing (the registration itself never depends on it)."""
    pk = _served_id(served)
    if pk is None:
        return False
    return bool(
        Suggestion.objects.filter(
            pk=pk, user=user, context=Context.INTAKE, order__isnull=True
        ).update(order=order)
    )


def hot_topic_warning_acknowledge(*, warning: HotTopicWarning, user: User) -> HotTopicWarning:
    """Record that a supervisor has seen a warning (the first confirmation stands)."""
    updated = HotTopicWarning.objects.filter(pk=warning.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=user, acknowledged_at=timezone.now()
    )
    if updated:
        warning.refresh_from_db()
    return warning
