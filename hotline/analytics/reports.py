"""Reports (日报 / 周报 / 月报): a snapshot of the period's figures and notable orders, generated
each morning for the day before and on demand for any day, week or month, and rendered as a page,
a Word document and a PDF from the same snapshot.

The snapshot keeps the figures and codes, not words: the title, channel, request-type, status and
KPI names, the figures' units and the summary sentence are written when the report is read
(`report_localized`), in the reader's language — the morning job runs in Chinese, and a report
it made reads in English to a reader in English mode and in Chinese to everyone else. What people
typed (titles, notes, unit and region names, hot-topic words) reads as typed."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.catalog.models import reference_label
from hotline.workorders.choices import Action, Channel, Rating, Status
from hotline.workorders.clocks import TimeStatus, time_status_q
from hotline.workorders.models import WorkOrder, WorkOrderEvent

from .choices import ReportKind
from .kpis import KPIS, Figure, KpiFilters, cohort, kpi_table
from .models import Report
from .views import display

NOTABLE_ROWS = 10
HOT_TOPICS = 5
OVERDUE_ROWS = 20


def report_period(kind: str, day: date) -> tuple[date, date]:
    """The period of a report that covers `day`: the day, its week (Monday first) or its month."""
    if kind == ReportKind.DAY:
        return day, day
    if kind == ReportKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == ReportKind.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    raise ValueError(kind)


def _order_row(order: WorkOrder, **extra: Any) -> dict[str, Any]:
    return {
        "number": order.number,
        "title": order.title,
        "status_code": order.status,
        "unit": order.lead_unit.name if order.lead_unit else "",
        "created_at": timezone.localtime(order.created_at).strftime("%Y-%m-%d %H:%M"),
        **extra,
    }


def _events_in(f: KpiFilters, actions: list[str]) -> Any:
    start, end = f.bounds()
    return WorkOrderEvent.objects.filter(
        action__in=actions, created_at__gte=start, created_at__lt=end
    ).select_related("order", "order__lead_unit")


def report_data(kind: str, start: date, end: date) -> dict[str, Any]:
    """The snapshot: everything the page and documents show, as plain JSON."""
    f = KpiFilters(start=start, end=end)
    base = WorkOrder.objects.all()
    orders = cohort(f, base)
    by_channel = [
        {"code": r["channel"], "value": r["n"]}
        for r in orders.values("channel").annotate(n=Count("pk")).order_by("-n")
    ]
    # A request type by its stored name, which the reader's language translates.
    by_type = [
        {"code": r["request_type__name"], "value": r["n"]}
        for r in orders.values("request_type__name").annotate(n=Count("pk")).order_by("-n")
    ]
    kpis = [
        {
            "code": kpi.code,
            "numerator": float(fig.numerator),
            "denominator": None if fig.denominator is None else float(fig.denominator),
        }
        for kpi, fig in kpi_table(f, base)
    ]
    overdue_qs = base.filter(time_status_q(TimeStatus.OVERDUE)).select_related("lead_unit")
    overdue = [
        _order_row(o, due=timezone.localtime(o.reply_due_at).strftime("%Y-%m-%d %H:%M"))
        for o in overdue_qs.order_by("reply_due_at", "pk")[:OVERDUE_ROWS]
    ]
    supervised = [
        _order_row(e.order, level=e.payload.get("level"), note=e.note)
        for e in _events_in(f, [Action.SUPERVISE]).order_by("created_at")[:NOTABLE_ROWS]
    ]
    dissatisfied = [
        _order_row(e.order, note=e.note)
        for e in _events_in(f, [Action.CALLBACK])
        .filter(Q(payload__rating=Rating.DISSATISFIED))
        .order_by("created_at")[:NOTABLE_ROWS]
    ]
    critical = [
        _order_row(o)
        for o in orders.filter(urgency__code="critical")
        .select_related("lead_unit")
        .order_by("created_at")[:NOTABLE_ROWS]
    ]
    registered = orders.count()
    return {
        "hot_topics": _hot_topics(f),
        "kind": kind,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "registered": registered,
        "by_channel": by_channel,
        "by_type": by_type,
        "kpis": kpis,
        "overdue_count": overdue_qs.count(),
        "overdue": overdue,
        "supervised_count": _events_in(f, [Action.SUPERVISE]).count(),
        "supervised": supervised,
        "dissatisfied": dissatisfied,
        "critical": critical,
    }


def report_title(kind: str, start: date, end: date) -> str:
    """日报（2026-03-02） or 周报（2026-03-02 至 2026-03-08）, in the active language."""
    label = ReportKind(kind).label
    if start == end:
        return _("{kind}（{day}）").format(kind=label, day=start.isoformat())
    return _("{kind}（{start} 至 {end}）").format(
        kind=label, start=start.isoformat(), end=end.isoformat()
    )


def _label(choices: Any, code: str | None, stored: str) -> str:
    """A choice's label in the active language; a report made before the snapshot kept codes
    keeps the word it stored."""
    if code in choices.values:
        return str(choices(code).label)
    return stored


def _kpi_row(row: dict[str, Any]) -> dict[str, Any]:
    kpi = KPIS.get(row["code"])
    if kpi is None:  # a figure the platform no longer computes: as it was stored
        return {**row, "name": row.get("name", row["code"]), "value": row.get("value", "—")}
    denominator = row["denominator"]
    figure = Figure(
        kpi.code,
        Decimal(str(row["numerator"])),
        None if denominator is None else Decimal(str(denominator)),
    )
    return {**row, "name": str(kpi.name), "value": display(kpi, figure)}


def report_localized(report: Report) -> dict[str, Any]:
    """The report's snapshot with its words in the active language: what the page, the Word
    document and the PDF show."""
    data = dict(report.data)

    def orders(key: str) -> list[dict[str, Any]]:
        return [
            {**r, "status": _label(Status, r.get("status_code"), r.get("status", ""))}
            for r in data.get(key, [])
        ]

    data["title"] = report_title(report.kind, report.start, report.end)
    data["by_channel"] = [
        {**r, "name": _label(Channel, r.get("code"), r.get("name", ""))}
        for r in data.get("by_channel", [])
    ]
    data["by_type"] = [
        {**r, "name": reference_label(r["code"] or "") if "code" in r else r.get("name", "")}
        for r in data.get("by_type", [])
    ]
    data["kpis"] = [_kpi_row(k) for k in data.get("kpis", [])]
    for key in ("overdue", "supervised", "dissatisfied", "critical"):
        data[key] = orders(key)
    data["summary"] = _summary(data["registered"], data["kpis"])
    return data


def _hot_topics(f: KpiFilters) -> list[dict[str, Any]]:
    """The period's rising clusters of like requests (dispatch.hot), the five biggest rises.
    A day's come from its stored result (`day_hot_topics`: computed once, by the morning
    report); a week or a month is clustered on demand."""
    from hotline.accounts.models import Region
    from hotline.dispatch.hot import day_hot_topics, hot_topics, topic_record

    if f.start == f.end:
        topics = day_hot_topics(f.start)
    else:
        start, end = f.bounds()
        topics = [
            topic_record(t)
            for t in hot_topics(orders=WorkOrder.objects.all(), start=start, end=end)
        ]
    shown = [t for t in topics[:HOT_TOPICS] if t["size"] > t["previous"]]
    names = dict(
        Region.objects.filter(pk__in={t["region"] for t in shown}).values_list("pk", "name")
    )
    return [
        {
            "terms": "、".join(t["terms"]),
            "size": t["size"],
            "previous": t["previous"],
            "region": names.get(t["region"], ""),
            "samples": t["samples"][:3],
        }
        for t in shown
    ]


def _summary(registered: int, kpis: list[dict[str, Any]]) -> str:
    values = {k["code"]: k["value"] for k in kpis}
    return _(
        "本期受理诉求 {registered} 件，直办率 {direct}，按时办结率 {on_time}，满意率 {satisfaction}，"
        "接通率 {answer}。"
    ).format(
        registered=registered,
        direct=values["direct_resolution"],
        on_time=values["on_time_reply"],
        satisfaction=values["satisfaction"],
        answer=values["answer_rate"],
    )


def report_generate(
    *, kind: str, day: date, actor: User | None = None, regenerate: bool = False
) -> Report:
    """Make (or with `regenerate`, remake) the report of `kind` covering `day`. Without
    `regenerate` an existing report is returned unchanged, so the morning job can run twice."""
    if kind not in ReportKind.values:
        raise ValueError(kind)
    start, end = report_period(kind, day)
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(kind=kind, start=start).first()
        if report is not None and not regenerate:
            return report
        data = report_data(kind, start, end)
        if report is None:
            return Report.objects.create(
                kind=kind,
                start=start,
                end=end,
                data=data,
                generated_at=timezone.now(),
                generated_by=actor,
            )
        report.data = data
        report.generated_at = timezone.now()
        report.generated_by = actor
        report.save(update_fields=["data", "generated_at", "generated_by"])
        return report
