"""Scoped reads of work orders, shared by pages and API. Every query starts from
`WorkOrder.objects.visible_to(user)`; nothing here writes."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import Region, Unit, User

from .choices import TERMINAL, Status
from .errors import InvalidInput, NotFound
from .models import WorkOrder, WorkOrderEvent

# Sort keys a list may be ordered by; each ends with the primary key so the order is total,
# which keyset paging needs.
SORTS: dict[str, tuple[str, ...]] = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
}


@dataclass
class OrderFilters:
    """The filters every order list offers. Empty means no filter."""

    status: list[str] | None = None
    request_type: str | None = None
    category: int | None = None  # includes the category's subtree
    unit: int | None = None  # current lead unit
    region: int | None = None  # includes the region's subtree
    channel: str | None = None
    urgency: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    phone: str | None = None
    q: str | None = None  # number or words of the title
    open_only: bool = False


def workorder_get(*, user: User, number: str) -> WorkOrder:
    """One order by number, or NotFound when it does not exist or is not the user's to see."""
    order = (
        WorkOrder.objects.visible_to(user)
        .select_related(
            "request_type", "urgency", "category", "region", "centre", "lead_unit", "master"
        )
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound(_("工单 {number} 不存在").format(number=number))
    return order


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def workorder_filter(qs: QuerySet[WorkOrder], f: OrderFilters) -> QuerySet[WorkOrder]:
    from hotline.catalog.models import Category

    if f.status:
        unknown = set(f.status) - set(Status.values)
        if unknown:
            raise InvalidInput(
                _("状态「{values}」不存在").format(values=_("、").join(sorted(unknown))),
                field="status",
            )
        qs = qs.filter(status__in=f.status)
    if f.open_only:
        qs = qs.exclude(status__in=TERMINAL)
    if f.request_type:
        qs = qs.filter(request_type__code=f.request_type)
    if f.urgency:
        qs = qs.filter(urgency__code=f.urgency)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.unit:
        qs = qs.filter(lead_unit_id=f.unit)
    if f.category:
        node = Category.objects.filter(pk=f.category).first()
        if node is None:
            raise InvalidInput(
                _("诉求分类「{category}」不存在").format(category=f.category), field="category"
            )
        qs = qs.filter(category_id__in=Category.objects.subtree(node).values("id"))
    if f.region:
        region = Region.objects.filter(pk=f.region).first()
        if region is None:
            raise InvalidInput(_("区划「{region}」不存在").format(region=f.region), field="region")
        qs = qs.filter(region_id__in=Region.objects.subtree(region).values("id"))
    if f.created_from:
        qs = qs.filter(created_at__gte=_day_start(f.created_from))
    if f.created_to:
        qs = qs.filter(created_at__lt=_day_start(f.created_to + timedelta(days=1)))
    if f.phone:
        qs = qs.filter(requester_phone=f.phone)
    if f.q:
        qs = qs.filter(Q(number=f.q.strip()) | Q(title__icontains=f.q.strip()))
    return qs


def workorder_list(*, user: User, filters: OrderFilters | None = None) -> QuerySet[WorkOrder]:
    qs = WorkOrder.objects.visible_to(user).select_related(
        "request_type", "urgency", "category", "region", "lead_unit"
    )
    return workorder_filter(qs, filters or OrderFilters())


@dataclass
class Page:
    items: list[WorkOrder]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return [values[0] and datetime.fromisoformat(values[0]), int(values[1])]
    except (ValueError, TypeError, IndexError, json.JSONDecodeError):
        raise InvalidInput(_("翻页游标无效"), field="cursor") from None


def paginate(
    qs: QuerySet[WorkOrder], *, sort: str = "-created_at", cursor: str | None = None, size: int = 50
) -> Page:
    """Keyset paging: the next page starts after the last row seen, so page 1,000 costs what
    page 1 does and nothing counts the whole table."""
    if sort not in SORTS:
        raise InvalidInput(
            _("排序「{sort}」不支持，可用：{values}").format(sort=sort, values=_("、").join(SORTS)),
            field="sort",
        )
    if not 1 <= size <= 500:
        raise InvalidInput(_("每页条数应为 1–500"), field="size")
    keys = SORTS[sort]
    field = keys[0].lstrip("-")
    descending = keys[0].startswith("-")
    if cursor:
        value, pk = _decode(cursor)
        op = "lt" if descending else "gt"
        qs = qs.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": pk}))
    rows = list(qs.order_by(*keys)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = _encode([getattr(rows[-1], field), rows[-1].pk]) if more and rows else None
    return Page(items=rows, next_cursor=nxt)


def workorder_events(order: WorkOrder, *, public_only: bool = False) -> QuerySet[WorkOrderEvent]:
    qs = order.events.select_related("actor", "actor_unit", "unit").order_by("seq")
    return qs.filter(is_public=True) if public_only else qs


def workorders_by_phone(*, user: User, phone: str, limit: int = 20) -> list[WorkOrder]:
    """The requester's earlier orders that the user may see, newest first."""
    return list(
        WorkOrder.objects.visible_to(user)
        .filter(requester_phone=phone)
        .select_related("request_type", "lead_unit")
        .order_by("-created_at", "-id")[:limit]
    )


def units_below(unit: Unit) -> QuerySet[Unit]:
    """Units a unit may re-dispatch to: its active descendants."""
    return Unit.objects.subtree(unit).exclude(pk=unit.pk).filter(is_active=True)
