"""Unit assessment (考核): each month, units scored on the active scheme's weighted indicators,
ranked, with red and black lists (红黑榜).

Scoring: an indicator of weight w contributes w × r for a rate where higher is better and
w × (1 − r) where lower is better (退单率, 重办率). A unit without data on an indicator (nothing
due, nothing rated) is scored on the others: its total is Σ contributions ÷ Σ weights of the
indicators it has data for, × 100, so a quiet month neither rewards nor punishes it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet

from hotline.accounts.models import Unit
from hotline.workorders.choices import Action
from hotline.workorders.models import WorkOrder

from .kpis import PARTS, Figure, KpiFilters, period_events
from .models import AssessmentScheme
from .rankings import LOWER_IS_BETTER, unit_figures

# Indicators a scheme may use: the figures that compare units.
ASSESSABLE = tuple(PARTS)


@dataclass
class AssessmentRow:
    unit: Unit
    dispatched: int
    figures: dict[str, Figure]
    scores: dict[str, Decimal | None]
    total: Decimal | None
    rank: int | None = None
    eligible: bool = True


def month_filters(month: date) -> KpiFilters:
    last = calendar.monthrange(month.year, month.month)[1]
    return KpiFilters(start=month.replace(day=1), end=month.replace(day=last))


def _score(code: str, figure: Figure, weight: int) -> Decimal | None:
    value = figure.value
    if value is None:
        return None
    rate = min(max(value, Decimal(0)), Decimal(1))
    return Decimal(weight) * ((1 - rate) if code in LOWER_IS_BETTER else rate)


def assess(
    month: date, scheme: AssessmentScheme, base: QuerySet[WorkOrder] | None = None
) -> list[AssessmentRow]:
    """Every unit with orders dispatched to it in the month, best first."""
    f = month_filters(month)
    base = base if base is not None else WorkOrder.objects.all()
    weights = dict(scheme.indicators.values_list("kpi", "weight"))
    codes = tuple(c for c in weights if c in ASSESSABLE)
    dispatched = dict(
        period_events(f, base, [Action.DISPATCH, Action.REASSIGN, Action.REDISPATCH])
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    rows = []
    for r in unit_figures(f, base, codes):
        if r.unit.pk not in dispatched:
            continue  # units with no orders this month are not assessed
        scores = {c: _score(c, r.figures[c], weights[c]) for c in codes}
        scored = [c for c in codes if scores[c] is not None]
        total = None
        if scored:
            points = sum((scores[c] or Decimal(0) for c in scored), Decimal(0))
            total = (points / sum(weights[c] for c in scored) * 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        rows.append(
            AssessmentRow(
                unit=r.unit,
                dispatched=dispatched[r.unit.pk],
                figures=r.figures,
                scores=scores,
                total=total,
                eligible=dispatched[r.unit.pk] >= scheme.min_orders and total is not None,
            )
        )
    rows.sort(key=lambda row: (row.total is None, -(row.total or 0), row.unit.path))
    rank = 0
    for row in rows:
        if row.total is not None:
            rank += 1
            row.rank = rank
    return rows


def red_and_black(
    rows: list[AssessmentRow], size: int
) -> tuple[list[AssessmentRow], list[AssessmentRow]]:
    """The best and the worst `size` eligible units; a unit is never on both lists."""
    eligible = [r for r in rows if r.eligible]
    red = eligible[:size]
    black = [r for r in reversed(eligible) if r not in red][:size]
    return red, black


def active_scheme() -> AssessmentScheme | None:
    return AssessmentScheme.objects.filter(is_active=True).prefetch_related("indicators").first()
