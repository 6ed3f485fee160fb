"""Unit assessment (考核): each month, units scored on the active scheme's weighted indicators,
ranked, with red and black lists (红黑榜).

Scoring: an indicator of weight w contributes w × r for a rate where higher is better and
w × (1 − r) where lower is better (退单率, 重办率). A unit without data on an indicator (nothing
due, nothing rated) is scored on the others: its total is Σ contributions ÷ Σ weights of the
indicators it has data for, × 100, so a quiet month neither rewards nor punishes it.

Ranking: only units that are scored and had at least the scheme's minimum of orders dispatched
are ranked (and may reach the red or black list). A unit below the minimum keeps its score but no
rank, listed after the ranked ones: one order handled well must not outrank a unit measured on
dozens. A unit with no indicator measured at all is not scored ("—") and comes last."""

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
    # Σ weights of the indicators measured for this unit, of the scheme's Σ weights: the total
    # is renormalised over the first, and the page says so when it is less than the second.
    weight_measured: int = 0
    weight_total: int = 0


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
    measured = {r.unit.pk: r for r in unit_figures(f, base, codes) if r.unit.pk in dispatched}
    # A unit with orders but nothing any indicator counts still appears (unscored), rather than
    # silently missing from the month's table.
    silent = Unit.objects.filter(pk__in=set(dispatched) - set(measured) - {None})
    empty = {c: Figure(c, Decimal(0), Decimal(0)) for c in codes}
    units = [(r.unit, r.figures) for r in measured.values()] + [(u, empty) for u in silent]
    rows = []
    for unit, figures in units:
        scores = {c: _score(c, figures[c], weights[c]) for c in codes}
        scored = [c for c in codes if scores[c] is not None]
        total = None
        if scored:
            points = sum((scores[c] or Decimal(0) for c in scored), Decimal(0))
            total = (points / sum(weights[c] for c in scored) * 100).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        rows.append(
            AssessmentRow(
                unit=unit,
                dispatched=dispatched[unit.pk],
                figures=figures,
                scores=scores,
                total=total,
                eligible=dispatched[unit.pk] >= scheme.min_orders and total is not None,
                weight_measured=sum(weights[c] for c in scored),
                weight_total=sum(weights[c] for c in codes),
            )
        )
    rows.sort(key=_order)
    rank = 0
    for row in rows:
        if row.eligible:
            rank += 1
            row.rank = rank
    return rows


def _order(row: AssessmentRow) -> tuple[int, Decimal, str]:
    """Ranked units by score, then the scored ones below the minimum of orders, then the
    unscored; the unit tree's order breaks ties."""
    group = 0 if row.eligible else 1 if row.total is not None else 2
    return (group, -(row.total or Decimal(0)), row.unit.path)


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
