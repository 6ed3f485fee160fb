"""Reads of the sla app for people: their own notifications only."""

from __future__ import annotations

from django.db.models import QuerySet

from hotline.accounts.models import User
from hotline.workorders.models import WorkOrder

from .models import Notification


def notifications_for(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def visible_orders(user: User, notifications: list[Notification]) -> dict[int, WorkOrder]:
    """The orders of these notifications that the user may still see (the scoping rule)."""
    ids = {n.order_id for n in notifications if n.order_id}
    return {
        o.pk: o
        for o in WorkOrder.objects.visible_to(user).filter(pk__in=ids).select_related("lead_unit")
    }
