"""Benchmarks of the figures over the database as it is (the demo year, or `seed_demo --bulk`):
the KPI table and the dashboard of a year, the morning report, a month's assessment, and the
ledger of a year exported to XLSX with its peak memory. Reads only (the report is not kept)."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Max

from hotline.accounts.models import Region
from hotline.core.bench import Bench
from hotline.workorders.exports import workorders_export
from hotline.workorders.models import WorkOrder

from .assessment import active_scheme, assess
from .choices import ReportKind
from .dashboard import dashboard_data
from .kpis import KpiFilters, cohort, kpi_table
from .ledger import LEDGER_MAX_ROWS
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


def bench_analytics(bench: Bench) -> None:
    from hotline.accounts.models import User

    admin = User.objects.filter(username="admin").first()
    last = WorkOrder.objects.aggregate(last=Max("created_at"))["last"]
    if admin is None or last is None:
        bench.out("  skipped: no demo data here (run manage.py seed_demo first)")
        return
    end = last.date()
    year = KpiFilters(start=end - timedelta(days=364), end=end)
    base = WorkOrder.objects.all()
    orders = cohort(year, base).count()
    runs = 3
    bench.out(f"  a year: {year.start} .. {year.end}, {orders:,} orders")
    t = _median_seconds(lambda: kpi_table(year, base), runs)
    bench.out(f"  KPI table (19 figures) of a year: median {t * 1000:,.0f} ms")
    region = Region.objects.filter(parent__isnull=True).first() or Region()
    t = _median_seconds(lambda: dashboard_data(year, base, around=region, telephony=True), runs)
    bench.out(f"  dashboard data of a year: median {t * 1000:,.0f} ms")
    month = KpiFilters(start=end.replace(day=1), end=end)
    scheme = active_scheme()
    if scheme is not None:
        t = _median_seconds(lambda: assess(month.start, scheme), runs)
        bench.out(f"  unit assessment of a month: median {t * 1000:,.0f} ms")

    def report() -> None:
        try:
            with transaction.atomic():
                report_generate(kind=ReportKind.DAY, day=end, regenerate=True)
                raise _Rollback
        except _Rollback:
            pass

    t = _median_seconds(report, runs)
    bench.out(f"  daily report (snapshot incl. hot topics): median {t * 1000:,.0f} ms")

    ledger = cohort(year, base).select_related("request_type", "urgency", "region", "lead_unit")
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
