"""Scoped reads of work orders, shared by pages and API. Every query starts from
`WorkOrder.objects.visible_to(user)`; nothing here writes."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import Region, Unit, User

from .choices import Status
from .clocks import TimeStatus, time_status_q
from .errors import InvalidInput, NotFound
from .models import OPEN_Q, WorkOrder, WorkOrderEvent
from .privacy import sees_requester

# Sort keys a list may be ordered by; each ends with the primary key so the order is total,
# which keyset paging needs. A key may name a related field ("urgency__rank").
SORTS: dict[str, tuple[str, ...]] = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    # Soonest deadline first; orders without a reply clock come last.
    "reply_due_at": ("reply_due_at", "id"),
    "-reply_due_at": ("-reply_due_at", "-id"),
    # Most urgent first, then newest.
    "-urgency": ("-urgency__rank", "-created_at", "-id"),
    "urgency": ("urgency__rank", "created_at", "id"),
}
# Keys that may be NULL: they sort last in both directions (PostgreSQL puts NULLs first when
# descending unless told otherwise, SQLite the opposite; saying it makes both agree).
NULLABLE = frozenset({"reply_due_at"})
DATETIME_KEYS = frozenset({"created_at", "updated_at", "reply_due_at"})
# The count shown above a list stops at this many rows, never counting the table: four pages'
# worth costs about four pages' reading (measured at a million orders: 1,000 cost a unit's
# inbox over a second).
COUNT_CAP = 200


@dataclass
class OrderFilters:
    """The filters every order list offers. Empty means no filter."""

    status: list[str] | None = None
    request_type: str | None = None
    category: int | None = None  # includes the category's subtree
    unit: int | None = None  # current lead unit
    unit_subtree: bool = False  # the lead unit or any unit below it
    region: int | None = None  # includes the region's subtree
    channel: str | None = None
    urgency: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    time_status: str | None = None  # normal / warning / overdue (clocks.TimeStatus)
    overdue: bool = False  # shortcut for time_status="overdue"
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


def latest_events(orders: list[WorkOrder], action: str) -> dict[int, WorkOrderEvent]:
    """The latest event of one action for each order of a page (one query for the page)."""
    events = (
        WorkOrderEvent.objects.filter(order_id__in=[o.pk for o in orders], action=action)
        .select_related("actor", "actor_unit")
        .order_by("order_id", "-seq")
    )
    latest: dict[int, WorkOrderEvent] = {}
    for e in events:
        latest.setdefault(e.order_id, e)
    return latest


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
        # A positive list, not "not terminal": it matches the partial indexes on open orders.
        qs = qs.filter(OPEN_Q)
    if f.request_type:
        qs = qs.filter(request_type__code=f.request_type)
    if f.urgency:
        qs = qs.filter(urgency__code=f.urgency)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.unit:
        qs = _unit_filter(qs, f.unit, subtree=f.unit_subtree)
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
    for status in {f.time_status, TimeStatus.OVERDUE if f.overdue else None} - {None}:
        if status not in TimeStatus.values:
            raise InvalidInput(
                _("时限状态「{value}」不存在").format(value=status), field="time_status"
            )
        qs = qs.filter(time_status_q(status))  # type: ignore[arg-type]
    if f.phone:
        qs = qs.filter(requester_phone=f.phone)
    if f.q:
        qs = qs.filter(Q(number=f.q.strip()) | Q(title__icontains=f.q.strip()))
    return qs


def _unit_filter(qs: QuerySet[WorkOrder], pk: int, *, subtree: bool) -> QuerySet[WorkOrder]:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise InvalidInput(_("承办单位「{unit}」不存在").format(unit=pk), field="unit")
    if not subtree:
        return qs.filter(lead_unit_id=unit.pk)
    return qs.filter(lead_unit_id__in=Unit.objects.subtree(unit).values("id"))


def workorder_list(*, user: User, filters: OrderFilters | None = None) -> QuerySet[WorkOrder]:
    """The orders `user` may see that match `filters` (pages, API and export share it)."""
    f = filters or OrderFilters()
    qs: QuerySet[WorkOrder] = WorkOrder.objects.visible_to(user).select_related(
        "request_type", "urgency", "category", "region", "lead_unit"
    )
    qs = workorder_filter(qs, f)
    if f.phone and not sees_requester(user):
        # A match would tell a unit whose number a confidential order hides.
        qs = qs.exclude(is_confidential=True)
    return qs


def capped_count(
    qs: QuerySet[Any], cap: int | None = None, *, sort: str | None = None
) -> tuple[int, bool]:
    """How many rows match, counting no further than `cap` (a LIMITed subquery): (n, more).
    Given the list's sort, the subquery walks the page's own index and stops at the cap,
    where an unordered one may read every row of a unit's history first."""
    cap = cap or COUNT_CAP
    ordered = workorder_sorted(qs, sort) if sort else qs.order_by()
    n = ordered.values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass
class Page:
    items: list[WorkOrder]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str, fields: list[str]) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(values, list) or len(values) != len(fields):
            raise ValueError(cursor)
        return [_cursor_value(f, v) for f, v in zip(fields, values, strict=True)]
    except (ValueError, TypeError, json.JSONDecodeError):
        raise InvalidInput(_("翻页游标无效"), field="cursor") from None


def _cursor_value(field: str, value: Any) -> Any:
    if value is None and field in NULLABLE:
        return None
    if field in DATETIME_KEYS:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(value)
        return parsed
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(value)
    return value


def _value(row: Any, field: str) -> Any:
    for part in field.split("__"):
        row = getattr(row, part)
    return row


def _after(keys: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order of `keys`: for keys k1, k2, k3 that is
    k1 > v1 OR (k1 = v1 AND k2 > v2) OR (k1 = v1 AND k2 = v2 AND k3 > v3), with < for
    descending keys, and NULLs (nullable keys only) sorting after every value."""
    result = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        field = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        if value is None:  # already among the NULLs: only the next key can move forward
            equal &= Q(**{f"{field}__isnull": True})
            continue
        step = Q(**{f"{field}__{op}": value})
        if field in NULLABLE:
            step |= Q(**{f"{field}__isnull": True})
        result |= equal & step
        equal &= Q(**{field: value})
    return result


def _ordering(keys: tuple[str, ...]) -> list[Any]:
    out: list[Any] = []
    for key in keys:
        field = key.lstrip("-")
        if field in NULLABLE:
            expr = F(field)
            out.append(
                expr.desc(nulls_last=True) if key.startswith("-") else expr.asc(nulls_last=True)
            )
        else:
            out.append(key)
    return out


def _check_sort(sort: str) -> tuple[str, ...]:
    if sort not in SORTS:
        raise InvalidInput(
            _("排序「{sort}」不支持，可用：{values}").format(sort=sort, values=_("、").join(SORTS)),
            field="sort",
        )
    return SORTS[sort]


def workorder_sorted(qs: QuerySet[WorkOrder], sort: str) -> QuerySet[WorkOrder]:
    """`qs` in the total order of `sort` (one of SORTS), as the list pages it."""
    return qs.order_by(*_ordering(_check_sort(sort)))


def paginate(
    qs: QuerySet[WorkOrder], *, sort: str = "-created_at", cursor: str | None = None, size: int = 50
) -> Page:
    """Keyset paging: the next page starts after the last row seen, so page 1,000 costs what
    page 1 does and nothing counts the whole table."""
    keys = _check_sort(sort)
    if not 1 <= size <= 500:
        raise InvalidInput(_("每页条数应为 1–500"), field="size")
    fields = [k.lstrip("-") for k in keys]
    if cursor:
        qs = qs.filter(_after(keys, _decode(cursor, fields)))
    rows = list(workorder_sorted(qs, sort)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = _encode([_value(rows[-1], f) for f in fields]) if more and rows else None
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
