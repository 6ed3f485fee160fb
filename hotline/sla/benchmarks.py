"""Benchmarks of the time limits (run by `manage.py bench`).

- deadlines: the rules and the working-day calendar for 100,000 orders (in memory: what the
  hook does for each dispatch, without the move around it);
- scan: one time-limit scan over 100,000 open orders in the steady state of a scan every five
  minutes (the steps of earlier scans recorded, so only the deadlines crossed in the last five
  minutes are acted on), then the same scan again with nothing left to do.

The scan's orders are bulk-inserted as fixture data (registering 100,000 orders through the
service would take the benchmark's whole budget) and deleted afterwards."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from hotline.catalog.models import RequestType, Urgency
from hotline.core.bench import Bench, Result
from hotline.workorders.benchmarks import BenchOrg
from hotline.workorders.choices import Status
from hotline.workorders.models import WorkOrder

from .calendar import load_calendar
from .choices import Clock, Stage
from .conf import sla_setting
from .models import Notification, SlaAction
from .rules import Limits, OrderFacts, deadline, load_rulebook
from .scans import sla_scan

SIZE = 100_000
SH = ZoneInfo("Asia/Shanghai")


def bench_deadlines(bench: Bench) -> None:
    rng = random.Random(4)
    book, calendar, limits = load_rulebook(), load_calendar(), Limits.from_settings()
    types = list(RequestType.objects.values_list("pk", flat=True))
    urgencies = list(Urgency.objects.values_list("pk", flat=True))
    base = datetime(2026, 1, 1, tzinfo=SH)
    n = max(bench.orders, SIZE)
    items = [
        (
            OrderFacts(rng.choice(types), rng.choice(urgencies), "", ""),
            base + timedelta(minutes=rng.randrange(0, 290 * 24 * 60)),
        )
        for _ in range(n)
    ]

    def work(item: tuple[OrderFacts, datetime]) -> None:
        facts, start = item
        deadline(Clock.ACKNOWLEDGE, facts, start, book, calendar, limits)
        deadline(Clock.REPLY, facts, start, book, calendar, limits)

    bench.timed("deadlines (acknowledge + reply, rules + calendar)", "orders", items, work)


def _orders(org: BenchOrg, n: int, now: datetime, rng: random.Random) -> list[WorkOrder]:
    rtype = RequestType.objects.get(code="complaint")
    urgency = Urgency.objects.get(code="normal")
    day = timezone.localdate(now)
    rows = []
    for i in range(n):
        due = now + timedelta(minutes=rng.randrange(-10 * 24 * 60, 20 * 24 * 60))
        rows.append(
            WorkOrder(
                number=f"B{day:%y%m%d}{i:07d}",
                status=Status.IN_PROGRESS if i % 3 else Status.DISPATCHED,
                version=1,
                channel="phone",
                request_type=rtype,
                urgency=urgency,
                title="基准测试：路灯不亮",
                content="基准测试工单",
                region=org.region,
                centre=org.centre,
                lead_unit=org.unit,
                registered_by=org.agent,
                created_at=due - timedelta(days=15),
                updated_at=due - timedelta(days=15),
                dispatched_at=due - timedelta(days=15),
                acknowledge_due_at=due - timedelta(days=14),
                reply_due_at=due,
                reply_warn_at=due - timedelta(days=2),
            )
        )
    WorkOrder.objects.bulk_create(rows, batch_size=5000)
    return list(WorkOrder.objects.filter(centre=org.centre).only(*_FIELDS))


_FIELDS = ("pk", "status", "reply_due_at", "reply_warn_at", "acknowledge_due_at")


def _record_earlier_scans(orders: list[WorkOrder], before: datetime) -> None:
    """The steps earlier scans took (those due before `before`), as they would have left them."""
    urge_after = [timedelta(hours=h) for h in sla_setting("URGE_AFTER_HOURS")]
    supervise_after = [timedelta(hours=h) for h in sla_setting("SUPERVISE_AFTER_HOURS")]
    actions, levels, urges = [], {}, {}
    for o in orders:
        due, warn, ack = o.reply_due_at, o.reply_warn_at, o.acknowledge_due_at
        assert due and warn and ack
        if warn <= before:
            actions.append(SlaAction(order=o, stage=Stage.WARNING, due_at=due, created_at=before))
        if o.status == Status.DISPATCHED and ack < before:
            actions.append(
                SlaAction(order=o, stage=Stage.ACK_OVERDUE, due_at=ack, created_at=before)
            )
        for level, after in enumerate(urge_after, start=1):
            if due < before - after:
                actions.append(
                    SlaAction(order=o, stage=Stage.URGE, level=level, due_at=due, created_at=before)
                )
                urges[o.pk] = level
        for level, after in enumerate(supervise_after, start=1):
            if due < before - after:
                actions.append(
                    SlaAction(
                        order=o, stage=Stage.SUPERVISE, level=level, due_at=due, created_at=before
                    )
                )
                levels[o.pk] = level
    SlaAction.objects.bulk_create(actions, batch_size=5000)
    with transaction.atomic():
        for level in set(levels.values()):
            ids = [pk for pk, lv in levels.items() if lv == level]
            for i in range(0, len(ids), 5000):
                WorkOrder.objects.filter(pk__in=ids[i : i + 5000]).update(supervision_level=level)


def _timed_scan(bench: Bench, name: str, now: datetime, n: int) -> dict[str, int]:
    t0 = time.perf_counter()
    counts = sla_scan(now=now)
    seconds = time.perf_counter() - t0
    bench.results.append(Result(name, "orders", [n / seconds], n, seconds))
    bench.out(f"  {name}: {seconds:.2f} s over {n:,} open orders; steps {counts}")
    return counts


def bench_scan(bench: Bench) -> None:
    org = BenchOrg()
    org.cleanup()
    rng = random.Random(5)
    n = max(bench.orders, SIZE)
    now = timezone.now().replace(microsecond=0)
    try:
        with override_settings(SLA={"CHANNELS": []}):  # in-app only: no console spam
            orders = _orders(org, n, now, rng)
            _record_earlier_scans(orders, now - timedelta(minutes=5))
            _timed_scan(bench, "scan, steady state (last 5 minutes' crossings)", now, n)
            for _ in range(3):
                _timed_scan(bench, "scan, nothing left to do", now, n)
    finally:
        # Our rows first, in bulk: cheaper than letting the order deletion cascade to them.
        SlaAction.objects.filter(order__centre=org.centre).delete()
        Notification.objects.filter(order__centre=org.centre).delete()
        org.cleanup()
