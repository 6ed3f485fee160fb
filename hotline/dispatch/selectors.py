"""Reads of the dispatch app. Orders are read through `visible_to`, always."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from hotline.accounts.choices import CENTRE_KINDS, HOTLINE_ROLES, RegionLevel
from hotline.accounts.models import Region, User
from hotline.catalog.models import Category, RequestType
from hotline.core.conf import hotline_int
from hotline.workorders.models import WorkOrder

from .errors import BadParameter
from .models import Context, HotTopicWarning, Suggestion


@dataclass
class SuggestionInput:
    title: str = ""
    content: str = ""
    region: Region | None = None
    category: Category | None = None
    request_type: RequestType | None = None
    phone: str = ""
    address: str = ""
    order: WorkOrder | None = None
    # An order was asked for but the user may not see it (or it does not exist): 404.
    missing_order: bool = False


def _int(value: str, field: str, message: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise BadParameter(field, message) from None


def _region(value: str) -> Region | None:
    value = value.strip()
    if not value:
        return None
    region = Region.objects.filter(code=value).first()
    if region is None and value.isdigit():
        region = Region.objects.filter(pk=int(value)).first()
    if region is None:
        raise BadParameter("region", _("区划：不存在“%s”") % value)
    return region


def _category(value: str) -> Category | None:
    value = value.strip()
    if not value:
        return None
    pk = _int(value, "category", _("诉求分类：应为分类编号"))
    category = Category.objects.filter(pk=pk, is_active=True).first()
    if category is None:
        raise BadParameter("category", _("诉求分类：不存在或已停用"))
    return category


def _request_type(value: str) -> RequestType | None:
    value = value.strip()
    if not value:
        return None
    found = RequestType.objects.filter(code=value).first()
    if found is None and value.isdigit():
        found = RequestType.objects.filter(pk=int(value)).first()
    if found is None:
        raise BadParameter("request_type", _("诉求类型：不存在“%s”") % value)
    return found


def suggestion_input(*, user: User, params: Any) -> SuggestionInput:
    """What to suggest for: an order the user may see (?order=<number>), or the intake form."""
    number = params.get("order", "").strip()
    if number:
        order = (
            WorkOrder.objects.visible_to(user)
            .select_related("region", "category", "request_type")
            .filter(number=number)
            .first()
        )
        if order is None:
            return SuggestionInput(missing_order=True)
        return SuggestionInput(
            title=order.title,
            content=order.content,
            region=order.region,
            category=order.category,
            request_type=order.request_type,
            order=order,
        )
    return SuggestionInput(
        title=params.get("title", "")[: hotline_int("TITLE_MAX_LENGTH")],
        content=params.get("content", "")[: hotline_int("CONTENT_MAX_LENGTH")],
        region=_region(params.get("region", "")),
        category=_category(params.get("category", "")),
        request_type=_request_type(params.get("request_type", "")),
        phone=params.get("requester_phone", "")[:20],
        address=params.get("address", "")[:200],
    )


def centre_region_paths(user: User) -> set[str]:
    """Paths of the regions of the hotline centres where the user holds a hotline role."""
    return {
        m.unit.region.path
        for m in user.active_memberships()
        if m.role in HOTLINE_ROLES and m.unit.kind in CENTRE_KINDS
    }


def visible_regions(user: User) -> list[Region]:
    """Regions a hotline user may look at hot topics in: their centres' regions and below, down
    to streets (communities are too small to show a trend)."""
    paths = centre_region_paths(user)
    if not paths:
        return []
    q = reduce(or_, (Q(path__startswith=p) for p in sorted(paths)))
    return list(Region.objects.filter(q, level__lte=RegionLevel.STREET).order_by("path"))


def orders_in_region(
    *, user: User, region: str, regions: list[Region]
) -> tuple[Region | None, QuerySet[WorkOrder]]:
    orders = WorkOrder.objects.visible_to(user)
    if not region:
        return None, orders
    chosen = next((r for r in regions if str(r.pk) == region), None)
    if chosen is None:
        raise BadParameter("region", _("区划：不存在或不在您的范围内"))
    return chosen, orders.filter(region__path__startswith=chosen.path)


def warnings_for(user: User) -> QuerySet[HotTopicWarning]:
    paths = centre_region_paths(user)
    if not paths:
        return HotTopicWarning.objects.none()
    q = reduce(or_, (Q(region__path__startswith=p) for p in sorted(paths)))
    return HotTopicWarning.objects.filter(q).select_related("region", "acknowledged_by")


def _closed_suggestions(*, user: User, start: datetime, end: datetime) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(
        order__status="closed",
        order__in=WorkOrder.objects.visible_to(user).values("pk"),
        unit__isnull=False,
        served_at__gte=start,
        served_at__lt=end,
    )


@dataclass
class AccuracyRow:
    """Suggested against final unit for one model version (None: no trained model, the
    catalogue and category names only) and one place (intake, dispatch, API)."""

    model_version: int | None
    context: str
    suggestions: int
    top1: float
    top3: float

    @property
    def context_label(self) -> str:
        return str(Context(self.context).label)


def suggestion_accuracy_table(*, user: User, start: datetime, end: datetime) -> list[AccuracyRow]:
    """Served unit suggestions against the unit that finally handled the order, per model
    version and context: top-1, and top-3 (the final unit among the three served), over suggestions served in [start, end) for closed orders `user` may
    see. Newest model first."""
    counts: dict[tuple[int | None, str], list[int]] = {}
    rows = _closed_suggestions(user=user, start=start, end=end).values_list(
        "model_version", "context", "unit_id", "payload", "order__lead_unit_id"
    )
    for version, context, unit, payload, final in rows.iterator(chunk_size=2000):
        served = [u[0] for u in (payload or {}).get("units", [])[:3]]
        n = counts.setdefault((version, context), [0, 0, 0])
        n[0] += 1
        n[1] += unit == final
        n[2] += final in served
    return [
        AccuracyRow(version, context, n, top1 / n, top3 / n)
        for (version, context), (n, top1, top3) in sorted(
            counts.items(), key=lambda kv: (-(kv[0][0] or 0), kv[0][1])
        )
    ]
