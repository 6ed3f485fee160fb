"""Units side by side (单位排名): the unit-comparable figures of `kpis`, one row per unit.

Each figure groups the very querysets its single-unit figure counts (`kpis.PARTS`) by the field
naming the unit, so a unit's row always equals that unit's figure asked for alone (without its
subtree). A handful of grouped queries serve every unit at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Count, QuerySet

from hotline.accounts.models import Unit
from hotline.workorders.models import WorkOrder

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
    numerators: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    denominators: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for code in codes:
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
