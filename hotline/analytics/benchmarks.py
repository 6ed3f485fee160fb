"""Benchmarks of the figures over the database as it is (the demo year, or `seed_demo --bulk`),
issue #7: a month's KPI set for the whole platform and for every unit (batched passes, and the
figures one by one for comparison), the dashboard data of a month and a year, the morning
report, a month's assessment, and the ledger of a year exported to XLSX with its peak memory.
Reads only (the report is rolled back). One command on the million:
`DATABASE_URL=postgres://…/h_bench manage.py bench --only analytics`."""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Max

from hotline.accounts.models import Region
from hotline.core.bench import Bench
from hotline.dispatch.hot import day_hot_topics
from hotline.workorders.exports import workorders_export
from hotline.workorders.models import WorkOrder

from .assessment import active_scheme, assess
from .choices import ReportKind
from .dashboard import dashboard_data
from .kpis import KPIS, PARTS, KpiFilters, cohort, kpi_table
from .ledger import LEDGER_MAX_ROWS
from .rankings import unit_figures
from .reports import report_generate


def _median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


class _Rollback(Exception):
    pass


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def bench_analytics(bench: Bench) -> None:
    from hotline.accounts.models import User

    admin = User.objects.filter(username="admin").first()
    last = WorkOrder.objects.aggregate(last=Max("created_at"))["last"]
    if admin is None or last is None:
        bench.out("  skipped: no demo data here (run manage.py seed_demo first)")
        return
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    load = os.getloadavg()
    bench.out(
        f"  load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; medians of {runs}"
    )
    end = last.date()
    base = WorkOrder.objects.all()
    # The last whole month before the newest order's, and the year up to the newest order.
    month_end = end.replace(day=1) - timedelta(days=1)
    month = KpiFilters(start=month_end.replace(day=1), end=month_end)
    year = KpiFilters(start=end - timedelta(days=364), end=end)
    total = WorkOrder.objects.count()
    bench.out(
        f"  {total:,} orders in all; month {month.start} .. {month.end} "
        f"({cohort(month, base).count():,} registered); year {year.start} .. {year.end}"
    )
    every = list(KPIS)
    t = _median_seconds(lambda: kpi_table(month, base, every), runs)
    bench.out(f"  KPI set of a month ({len(every)} figures), whole platform, batched: {_ms(t)}")
    t = _median_seconds(lambda: [KPIS[c].compute(month, base) for c in every], 1)
    bench.out(f"  the same, each figure on its own (the direct path, 1 run): {_ms(t)}")
    codes = tuple(PARTS)
    rows: list = []
    t = _median_seconds(lambda: rows.extend(unit_figures(month, base, codes)), runs)
    bench.out(
        f"  KPI set of a month per unit ({len(codes)} figures × "
        f"{len(rows) // max(runs, 1)} units, one grouped pass): {_ms(t)}"
    )
    t = _median_seconds(lambda: kpi_table(year, base, every), runs)
    bench.out(f"  KPI set of a year, whole platform, batched: {_ms(t)}")
    region = Region.objects.filter(parent__isnull=True).first() or Region()
    for name, f in (("month", month), ("year", year)):

        def dashboard(f: KpiFilters = f) -> object:
            return dashboard_data(f, base, around=region, telephony=True)

        t = _median_seconds(dashboard, runs)
        bench.out(f"  dashboard data of a {name} (GET /api/analytics/dashboard): {_ms(t)}")
    scheme = active_scheme()
    if scheme is not None:
        t = _median_seconds(lambda: assess(month.start, scheme), runs)
        bench.out(f"  unit assessment of a month: {_ms(t)}")

    day = end - timedelta(days=1)
    try:  # all rolled back: the bench only reads
        with transaction.atomic():
            # The morning report clusters the day's requests once and stores them; the first
            # run in a fresh process also loads jieba's word dictionary.
            cold = _median_seconds(lambda: day_hot_topics(day, refresh=True), 1)
            topics = _median_seconds(lambda: day_hot_topics(day, refresh=True), runs)
            t = _median_seconds(
                lambda: report_generate(kind=ReportKind.DAY, day=day, regenerate=True), runs
            )
            raise _Rollback
    except _Rollback:
        pass
    bench.out(
        f"  hot topics of {day}, clustered and stored (once, by the morning report): "
        f"{_ms(topics)} (the first in this process {_ms(cold)}: loads the word dictionary)"
    )
    bench.out(f"  daily report of {day} (snapshot, the day's hot topics stored): {_ms(t)}")

    ledger = cohort(year, base)
    orders = ledger.count()
    # Peak resident memory of this process before and after (tracemalloc would slow the
    # export several times over).
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    out = workorders_export(
        user=admin, qs=ledger, sort="created_at", max_rows=LEDGER_MAX_ROWS, ledger=True
    )
    seconds = time.perf_counter() - t0
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
    size = out.seek(0, 2)
    out.close()
    bench.out(
        f"  ledger of a year to XLSX: {orders:,} rows in {seconds:.1f} s "
        f"({orders / seconds:,.0f} rows/s), file {size / 1e6:.1f} MB, "
        f"peak resident memory grew by {grown / 1024:.0f} MB"
    )
    load = os.getloadavg()
    bench.out(f"  load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
