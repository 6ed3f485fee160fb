"""Reads behind the agent's intake desk (话务受理). Orders are read through
`WorkOrder.objects.visible_to(user)`; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from hotline.accounts.models import Region, Unit, User
from hotline.catalog.models import Category
from hotline.workorders.models import WorkOrder

CATEGORY_MATCHES = 20


def intake_regions(centre: Unit) -> QuerySet[Region]:
    """The regions an order taken at `centre` may be placed in: the centre's region subtree."""
    return Region.objects.subtree(centre.region).order_by("path")


@dataclass(frozen=True)
class CategoryMatch:
    id: int
    full_name: str  # 一级 / 二级 / 三级


def category_search(query: str, *, limit: int = CATEGORY_MATCHES) -> list[CategoryMatch]:
    """Leaves of the category tree under any active node whose name contains `query`.

    A match at level 1 or 2 lists the leaves below it; a node is offered only when it and every
    ancestor are active, since an order cannot be filed under a disabled branch."""
    query = query.strip()
    if not query:
        return []
    hits = list(
        Category.objects.filter(name__icontains=query, is_active=True).values_list(
            "path", flat=True
        )[:limit]
    )
    if not hits:
        return []
    under = reduce(or_, (Q(path__startswith=p) for p in hits))
    nodes = list(
        Category.objects.filter(under, is_active=True)
        .exclude(children__is_active=True)  # leaves: no active child to file under instead
        .order_by("path")
        .distinct()[:limit]
    )
    ancestor_ids = {pk for node in nodes for pk in node.ancestor_ids()}
    ancestors = {
        pk: (name, active)
        for pk, name, active in Category.objects.filter(pk__in=ancestor_ids).values_list(
            "pk", "name", "is_active"
        )
    }
    out = []
    for node in nodes:
        chain = [ancestors[pk] for pk in node.ancestor_ids() if pk in ancestors]
        if all(active for _, active in chain):
            out.append(CategoryMatch(node.pk, " / ".join(name for name, _ in chain)))
    return out


def agent_orders_today(*, user: User, limit: int = 50) -> list[WorkOrder]:
    """The orders `user` registered today (local day), newest first."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return list(
        WorkOrder.objects.visible_to(user)
        .filter(registered_by=user, created_at__gte=start)
        .order_by("-created_at", "-id")[:limit]
    )
