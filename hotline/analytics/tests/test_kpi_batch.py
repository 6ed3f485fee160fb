"""The batched passes (kpi_batch) give exactly the figures each KPI's own function gives, for
every figure and every filter, whole platform and unit by unit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from hotline.analytics.kpi_batch import PASSES, UNIT_CODES, batch_figures
from hotline.analytics.kpis import KPIS, PARTS, KpiFilters, kpi_table
from hotline.analytics.rankings import unit_figures
from hotline.catalog.models import Category
from hotline.workorders.models import WorkOrder

from .test_kpis import WEEK, history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db

BATCHED = sorted(set().union(*(covers for covers, _ in PASSES)))


def _filters(org) -> list[KpiFilters]:
    leaf = Category.objects.filter(level=3, is_active=True).order_by("pk").first()
    top = Category.objects.get(pk=leaf.ancestor_ids()[0])
    return [
        WEEK,
        KpiFilters(start=date(2026, 2, 20), end=date(2026, 3, 31)),  # o6 and every deadline
        KpiFilters(start=date(2026, 3, 4), end=date(2026, 3, 4)),  # one day
        replace(WEEK, unit=org.water, unit_subtree=False),
        replace(WEEK, unit=org.housing),
        replace(WEEK, unit=org.centre),  # with its subtree: every unit
        replace(WEEK, channel="phone"),
        replace(WEEK, channel="web"),
        replace(WEEK, region=org.street),
        replace(WEEK, region=org.other_county),
        replace(WEEK, request_type="complaint"),
        replace(WEEK, category=leaf),
        replace(WEEK, category=top),
        replace(WEEK, unit=org.water, channel="phone", category=top),
    ]


def _direct(code: str, f: KpiFilters, base):
    return KPIS[code].compute(f, base)


def _bases(org):
    return [WorkOrder.objects.all(), WorkOrder.objects.visible_to(org.bob)]


def test_every_batched_figure_equals_its_own_function_for_every_filter(history):  # noqa: F811
    # Every figure but the composite (which reads three others) and the knowledge base's two
    # (each counted by its own function, over revisions and over uses) has a batched form.
    assert set(BATCHED) == set(KPIS) - {"composite", "knowledge_entries", "knowledge_direct_share"}
    for base in _bases(history):
        for f in _filters(history):
            batched = batch_figures(f, base, BATCHED)
            for code in BATCHED:
                direct = _direct(code, f, base)
                assert batched[code] == direct, (code, f, batched[code], direct)
                # Asked for alone, a pass counts only what the figure needs: the same figure.
                assert batch_figures(f, base, [code]) == {code: direct}, (code, f)


@override_settings(
    HOTLINE_KPI={
        "BASIC_SATISFIED_WEIGHT": 0.8,
        "ANSWER_WITHIN_SECONDS": 20,
        "COMPOSITE_WEIGHTS": {"response": 30, "resolution": 35, "satisfaction": 35},
    }
)
def test_it_follows_the_city_settings_like_the_functions(history):  # noqa: F811
    base = WorkOrder.objects.all()
    batched = batch_figures(WEEK, base, BATCHED)
    for code in ("satisfaction", "answer_within"):
        assert batched[code] == _direct(code, WEEK, base)
    assert batched["satisfaction"].numerator == Decimal("1.8")  # 满意 + 0.8 × 基本满意
    table = dict((k.code, fig) for k, fig in kpi_table(WEEK, base))
    assert table["composite"] == _direct("composite", WEEK, base)


def test_the_table_counts_a_source_table_once_not_once_per_figure(history):  # noqa: F811
    base = WorkOrder.objects.all()
    with CaptureQueriesContext(connection) as queries:
        table = kpi_table(WEEK, base)
    assert [k.code for k, _ in table] == list(KPIS)
    for kpi, figure in table:
        assert figure == _direct(kpi.code, WEEK, base), kpi.code
    # One query per pass (orders, events, calls…; the callbacks' pass two: the queued orders
    # grouped, then the few still awaiting their callback), whatever the number of figures;
    # figures without a batched form (and the composite, if it reads one of them) add their own.
    unbatched = [c for c in KPIS if c not in BATCHED]
    with CaptureQueriesContext(connection) as own:
        for code in unbatched:
            _direct(code, WEEK, base)
    assert _selects(queries) <= len(PASSES) + 1 + _selects(own)
    assert _selects(queries) < _selects(own) + len(BATCHED)


def _selects(queries) -> int:
    return sum(
        1 for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    )


def test_every_unit_in_one_pass_equals_each_unit_alone(history):  # noqa: F811
    codes = tuple(sorted(UNIT_CODES | set(PARTS)))
    for f in [WEEK, KpiFilters(start=date(2026, 2, 20), end=date(2026, 3, 31))]:
        rows = unit_figures(f, WorkOrder.objects.all(), codes)
        assert {"U-WATER", "U-HOUSING"} <= {row.unit.code for row in rows}
        for row in rows:
            alone = replace(f, unit=row.unit, unit_subtree=False)
            for code in codes:
                single = _direct(code, alone, WorkOrder.objects.all())
                assert row.figures[code] == single, (row.unit.code, code)
