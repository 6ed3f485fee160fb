"""Reads of the dispatch app. Orders are read through `visible_to`, always."""

from __future__ import annotations

from dataclasses import dataclass
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
from .models import HotTopicWarning, Suggestion


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


def suggestion_accuracy(*, model_version: int | None = None) -> dict[str, float]:
    """Served unit suggestions for orders that have since closed: share whose top unit was the
    unit that finally handled the order. Measured per model version when given."""
    rows = Suggestion.objects.filter(order__status="closed", unit__isnull=False)
    if model_version is not None:
        rows = rows.filter(model_version=model_version)
    pairs = list(rows.values_list("unit_id", "order__lead_unit_id"))
    hits = sum(1 for suggested, final in pairs if suggested == final)
    return {"suggestions": len(pairs), "top1": hits / len(pairs) if pairs else 0.0}
