"""The dashboard's data (数据看板 and the wall display 数据驾驶舱): one JSON document per period
and slice, every point carrying the link to the filtered order list behind it.

All counts come from the viewer's scope (`visible_to`) and the KPI definitions of `kpis`, so the
dashboard, the KPI page and the reports agree."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.models import Region
from hotline.catalog.models import Category, RequestType, reference_label
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


@dataclass
class ChartCounts:
    """The period's orders counted five ways for the charts and the unit table: by day and
    channel, by request type, by category (None: not yet classified), by region and by lead
    unit (None: not dispatched)."""

    by_day: Counter[tuple[date, str]] = field(default_factory=Counter)
    by_type: Counter[int] = field(default_factory=Counter)
    by_category: Counter[int | None] = field(default_factory=Counter)
    by_region: Counter[int] = field(default_factory=Counter)
    by_unit: Counter[int | None] = field(default_factory=Counter)


_CHART_COLUMNS = ("day", "channel", "request_type_id", "category_id", "region_id", "lead_unit_id")


def chart_counts(orders: QuerySet[WorkOrder]) -> ChartCounts:
    """One pass over the period's orders for all the counts. PostgreSQL counts the five
    groupings in one scan (GROUPING SETS); elsewhere the orders are grouped by all six
    columns at once and added up here. Either way the sums are those of five GROUP BYs."""
    rows = orders.annotate(
        day=TruncDate("created_at", tzinfo=timezone.get_default_timezone())
    ).values_list(*_CHART_COLUMNS)
    counts = ChartCounts()
    if connection.vendor == "postgresql":
        try:
            inner, params = rows.order_by().query.sql_with_params()
        except EmptyResultSet:  # a scope or slice that holds nothing (`.none()`)
            return counts
        columns = ", ".join(_CHART_COLUMNS)
        # GROUPING(...) tells the sets apart: a bit is set for each column not grouped by,
        # the first column the highest bit.
        sql = (
            f"SELECT GROUPING({columns}), {columns}, COUNT(*) FROM ({inner}) AS period "
            "GROUP BY GROUPING SETS ((day, channel), (request_type_id), (category_id), "
            "(region_id), (lead_unit_id))"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for sets, day, channel, type_id, category_id, region_id, unit_id, n in cursor:
                if sets == 0b001111:
                    counts.by_day[(day, channel)] += n
                elif sets == 0b110111:
                    counts.by_type[type_id] += n
                elif sets == 0b111011:
                    counts.by_category[category_id] += n
                elif sets == 0b111101:
                    counts.by_region[region_id] += n
                else:
                    counts.by_unit[unit_id] += n
        return counts
    for day, channel, type_id, category_id, region_id, unit_id, n in rows.annotate(
        n=Count("pk")
    ).values_list(*_CHART_COLUMNS, "n"):
        counts.by_day[(day, channel)] += n
        counts.by_type[type_id] += n
        counts.by_category[category_id] += n
        counts.by_region[region_id] += n
        counts.by_unit[unit_id] += n
    return counts


def volume_by_day(f: KpiFilters, counts: ChartCounts) -> dict[str, Any]:
    """Orders per day and channel (stacked), every day of the period present."""
    by_channel: dict[str, Counter[str]] = defaultdict(Counter)
    for (day, channel), n in counts.by_day.items():
        by_channel[channel][day.isoformat()] += n
    days = [(f.start + timedelta(days=i)).isoformat() for i in range(f.days)]
    series = []
    for value, label in Channel.choices:
        if value not in by_channel:
            continue
        series.append(
            {
                "name": str(label),
                "data": [
                    {
                        "value": by_channel[value][d],
                        "href": _list_url(f, channel=value, created_from=d, created_to=d),
                    }
                    for d in days
                ],
            }
        )
    return {"days": days, "series": series}


def type_mix(f: KpiFilters, counts: ChartCounts) -> list[dict[str, Any]]:
    """Request types, most orders first (ties in the catalogue's order of ids)."""
    names = {pk: reference_label(n) for pk, n in RequestType.objects.values_list("pk", "name")}
    codes = dict(RequestType.objects.values_list("pk", "code"))
    rows = sorted(counts.by_type.items(), key=lambda r: (-r[1], r[0]))
    return [
        {"name": names[pk], "value": n, "href": _list_url(f, request_type=codes[pk])}
        for pk, n in rows
    ]


def top_categories(f: KpiFilters, counts: ChartCounts) -> list[dict[str, Any]]:
    rows = sorted(
        ((pk, n) for pk, n in counts.by_category.items() if pk is not None),
        key=lambda r: (-r[1], r[0]),
    )[:TOP]
    categories = Category.objects.in_bulk([pk for pk, _n in rows])
    return [
        {
            "name": categories[pk].name,
            "full_name": categories[pk].full_name,
            "value": n,
            "href": _list_url(f, category=pk),
        }
        for pk, n in rows
    ]


def region_comparison(f: KpiFilters, counts: ChartCounts, around: Region) -> list[dict[str, Any]]:
    """Orders per region one level below `around` (each with its subtree)."""
    children = list(Region.objects.filter(parent=around).order_by("code"))
    paths = dict(Region.objects.filter(pk__in=list(counts.by_region)).values_list("pk", "path"))
    by_path: Counter[str] = Counter()
    for pk, n in counts.by_region.items():
        if pk in paths:
            by_path[paths[pk]] += n
    out = []
    for child in children:
        n = sum(v for path, v in by_path.items() if path.startswith(child.path))
        out.append({"name": child.name, "value": n, "href": _list_url(f, region=child.pk)})
    return sorted(out, key=lambda r: -r["value"])


def unit_ranking(
    f: KpiFilters, base: QuerySet[WorkOrder], counts: ChartCounts
) -> list[dict[str, Any]]:
    rows = unit_figures(f, base, RANKING_CODES)
    volume = counts.by_unit
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
    counts = chart_counts(cohort(f, base))
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
        "volume": volume_by_day(f, counts),
        "types": type_mix(f, counts),
        "categories": top_categories(f, counts),
        "regions": region_comparison(f, counts, around),
        "units": unit_ranking(f, base, counts),
        "overdue": overdue_orders(base, f),
        "list_url": _list_url(f),
    }
