"""The dashboard's data (数据看板 and the wall display 数据驾驶舱): one JSON document per period
and slice, every point carrying the link to the filtered order list behind it.

All counts come from the viewer's scope (`visible_to`) and the KPI definitions of `kpis`, so the
dashboard, the KPI page and the reports agree."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.models import Region
from hotline.catalog.models import Category, RequestType
from hotline.workorders.choices import Channel
from hotline.workorders.clocks import TimeStatus, time_status_q
from hotline.workorders.models import WorkOrder

from .kpis import KPIS, KpiFilters, cohort, kpi_table
from .rankings import RANKING_CODES, unit_figures

TOP = 10
OVERDUE_ROWS = 20
HEADLINE = (
    "registered",
    "daily_average",
    "on_time_reply",
    "response",
    "satisfaction",
    "answer_rate",
    "answer_within",
    "quality_pass",
)
# Read from the centre's own records (calls, inspections): shown to hotline staff only.
HOTLINE_ONLY = frozenset({"answer_rate", "answer_within", "quality_pass"})


def _list_url(f: KpiFilters, **params: Any) -> str:
    """The order list filtered as a chart point: the period, the slice, and the point's own
    filter."""
    query: dict[str, Any] = {
        "created_from": f.start.isoformat(),
        "created_to": f.end.isoformat(),
    }
    if f.region is not None:
        query["region"] = f.region.pk
    if f.channel:
        query["channel"] = f.channel
    if f.request_type:
        query["request_type"] = f.request_type
    if f.category is not None:
        query["category"] = f.category.pk
    if f.unit is not None:
        query["unit"] = f.unit.pk
    query.update({k: v for k, v in params.items() if v is not None})
    return f"{reverse('workorder_list')}?{urlencode(query, doseq=True)}"


def volume_by_day(f: KpiFilters, orders: QuerySet[WorkOrder]) -> dict[str, Any]:
    """Orders per day and channel (stacked), every day of the period present."""
    rows = (
        orders.annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
        .values("day", "channel")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        counts[r["channel"]][r["day"].isoformat()] += r["n"]
    days = [(f.start + timedelta(days=i)).isoformat() for i in range(f.days)]
    series = []
    for value, label in Channel.choices:
        if value not in counts:
            continue
        series.append(
            {
                "name": str(label),
                "data": [
                    {
                        "value": counts[value][d],
                        "href": _list_url(f, channel=value, created_from=d, created_to=d),
                    }
                    for d in days
                ],
            }
        )
    return {"days": days, "series": series}


def type_mix(f: KpiFilters, orders: QuerySet[WorkOrder]) -> list[dict[str, Any]]:
    names = dict(RequestType.objects.values_list("pk", "name"))
    codes = dict(RequestType.objects.values_list("pk", "code"))
    rows = orders.values("request_type").annotate(n=Count("pk")).order_by("-n")
    return [
        {
            "name": names[r["request_type"]],
            "value": r["n"],
            "href": _list_url(f, request_type=codes[r["request_type"]]),
        }
        for r in rows
    ]


def top_categories(f: KpiFilters, orders: QuerySet[WorkOrder]) -> list[dict[str, Any]]:
    rows = list(
        orders.filter(category__isnull=False)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")[:TOP]
    )
    categories = Category.objects.in_bulk([r["category"] for r in rows])
    return [
        {
            "name": categories[r["category"]].name,
            "full_name": categories[r["category"]].full_name,
            "value": r["n"],
            "href": _list_url(f, category=r["category"]),
        }
        for r in rows
    ]


def region_comparison(
    f: KpiFilters, orders: QuerySet[WorkOrder], around: Region
) -> list[dict[str, Any]]:
    """Orders per region one level below `around` (each with its subtree)."""
    children = list(Region.objects.filter(parent=around).order_by("code"))
    counts = Counter(dict(orders.values_list("region__path").annotate(n=Count("pk"))))
    out = []
    for child in children:
        n = sum(v for path, v in counts.items() if path.startswith(child.path))
        out.append({"name": child.name, "value": n, "href": _list_url(f, region=child.pk)})
    return sorted(out, key=lambda r: -r["value"])


def unit_ranking(f: KpiFilters, base: QuerySet[WorkOrder]) -> list[dict[str, Any]]:
    rows = unit_figures(f, base, RANKING_CODES)
    volume = dict(
        cohort(f, base).values("lead_unit").annotate(n=Count("pk")).values_list("lead_unit", "n")
    )
    out: list[dict[str, Any]] = []
    for row in rows:
        figures = {
            code: (None if fig.value is None else round(float(fig.value), 4))
            for code, fig in row.figures.items()
        }
        out.append(
            {
                "unit": row.unit.name,
                "orders": volume.get(row.unit.pk, 0),
                **figures,
                "href": _list_url(f, unit=row.unit.pk),
            }
        )
    return sorted(out, key=lambda r: -r["orders"])[: TOP * 2]


def overdue_orders(base: QuerySet[WorkOrder], f: KpiFilters) -> list[dict[str, Any]]:
    """Orders overdue now (not only those of the period): what needs chasing today."""
    qs = base.filter(time_status_q(TimeStatus.OVERDUE)).select_related("lead_unit")
    if f.region is not None:
        qs = qs.filter(region__path__startswith=f.region.path)
    qs = qs.order_by("reply_due_at", "pk")[:OVERDUE_ROWS]
    return [
        {
            "number": o.number,
            "title": o.title,
            "unit": o.lead_unit.name if o.lead_unit else "",
            "due": timezone.localtime(o.reply_due_at).strftime("%Y-%m-%d %H:%M")
            if o.reply_due_at
            else "",
            "href": reverse("workorder_detail", args=[o.number]),
        }
        for o in qs
    ]


def dashboard_data(
    f: KpiFilters, base: QuerySet[WorkOrder], *, around: Region, telephony: bool
) -> dict[str, Any]:
    orders = cohort(f, base)
    headline = []
    codes = [c for c in HEADLINE if telephony or c not in HOTLINE_ONLY]
    for kpi, fig in kpi_table(f, base, codes):
        code = kpi.code
        headline.append(
            {
                "code": code,
                "name": str(KPIS[code].name),
                "kind": KPIS[code].kind,
                "value": None if fig.value is None else float(fig.value),
                "numerator": float(fig.numerator),
                "denominator": None if fig.denominator is None else float(fig.denominator),
            }
        )
    return {
        "period": {"start": f.start.isoformat(), "end": f.end.isoformat()},
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "headline": headline,
        "volume": volume_by_day(f, orders),
        "types": type_mix(f, orders),
        "categories": top_categories(f, orders),
        "regions": region_comparison(f, orders, around),
        "units": unit_ranking(f, base),
        "overdue": overdue_orders(base, f),
        "list_url": _list_url(f),
    }
