"""Unit rankings reconcile with each unit's figure asked for alone."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from hotline.analytics.kpis import kpi_compute
from hotline.analytics.rankings import RANKING_CODES, rank, unit_figures

from .test_kpis import WEEK, history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db


def test_it_gives_each_unit_the_figures_it_has_alone(history):  # noqa: F811
    rows = unit_figures(WEEK, _all())
    assert {"U-WATER", "U-HOUSING"} <= {row.unit.code for row in rows}
    for row in rows:
        alone = replace(WEEK, unit=row.unit, unit_subtree=False)
        for code in RANKING_CODES:
            single = kpi_compute(code, alone)
            assert (row.figures[code].numerator, row.figures[code].denominator) == (
                single.numerator,
                single.denominator,
            ), (row.unit.code, code)


def test_it_ranks_best_first_and_lower_is_better_for_returns(history):  # noqa: F811
    rows = unit_figures(WEEK, _all())
    water = next(r for r in rows if r.unit.code == "U-WATER")
    housing = next(r for r in rows if r.unit.code == "U-HOUSING")
    assert water.figures["return_rate"].value == Decimal(1) / 4
    assert housing.figures["return_rate"].value == 0
    ranked = [r.unit.code for r in rank(rows, "return_rate") if r.unit.code.startswith("U-")]
    assert ranked[:2] == ["U-HOUSING", "U-WATER"]


def _all():
    from hotline.workorders.models import WorkOrder

    return WorkOrder.objects.all()
