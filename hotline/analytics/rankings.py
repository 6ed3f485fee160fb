"""Units side by side (单位排名): the unit-comparable figures of `kpis`, one row per unit.

Every unit's figures come from the batched passes of `kpi_batch` grouped by unit: one grouped
query over the orders and one over the events serve every unit at once. A figure without a
batched form groups the very querysets its single-unit figure counts (`kpis.PARTS`) by the field
naming the unit. Either way a unit's row equals that unit's figure asked for alone (without its
subtree); tests/test_rankings.py and tests/test_kpi_batch.py check it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, QuerySet

from hotline.accounts.models import Unit
from hotline.workorders.models import WorkOrder

from .kpi_batch import UNIT_CODES, unit_passes
from .kpis import PARTS, Figure, KpiFilters

# The figures units are ranked on, and which way is better.
RANKING_CODES = ("on_time_reply", "satisfaction", "return_rate", "redo_rate")
LOWER_IS_BETTER = frozenset({"return_rate", "redo_rate", "overdue_rate"})


@dataclass
class UnitRow:
    unit: Unit
    figures: dict[str, Figure]


def _grouped(qs: QuerySet, field: str) -> dict[int, int]:
    rows = qs.order_by().values(field).annotate(n=Count("pk", distinct=True))
    return {r[field]: r["n"] for r in rows if r[field] is not None}


def unit_figures(
    f: KpiFilters, base: QuerySet[WorkOrder], codes: tuple[str, ...] = RANKING_CODES
) -> list[UnitRow]:
    """Every unit with some data in the period, with each figure of `codes`; a unit slice of
    `f` keeps the units of that slice (with its subtree when asked)."""
    everyone = replace(f, unit=None)
    batched = unit_passes(everyone, base, codes)
    numerators: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    denominators: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for unit_id, figures in batched.items():
        if any(fig.numerator or fig.denominator for fig in figures.values()):
            for code, fig in figures.items():
                numerators[unit_id][code] = fig.numerator
                denominators[unit_id][code] = fig.denominator or Decimal(0)
    for code in codes:
        if code in UNIT_CODES:
            continue
        parts = PARTS[code](everyone, base)
        for weight, qs in parts.numerator:
            for unit_id, n in _grouped(qs, parts.numerator_unit).items():
                numerators[unit_id][code] += weight * n
        for unit_id, n in _grouped(parts.denominator, parts.denominator_unit).items():
            denominators[unit_id][code] += n
    units = Unit.objects.filter(pk__in=set(numerators) | set(denominators))
    if f.unit is not None:
        units = units & f.units()  # type: ignore[operator]
    rows = []
    for unit in units.order_by("path"):
        figures = {
            code: Figure(code, numerators[unit.pk][code], denominators[unit.pk][code])
            for code in codes
        }
        rows.append(UnitRow(unit, figures))
    return rows


def rank(rows: list[UnitRow], code: str) -> list[UnitRow]:
    """Best first on `code`; units without data for it go last."""
    lower = code in LOWER_IS_BETTER

    def key(row: UnitRow) -> tuple[bool, Decimal]:
        value = row.figures[code].value
        if value is None:
            return (True, Decimal(0))
        return (False, value if lower else -value)

    return sorted(rows, key=key)
