"""Benchmarks of intelligent dispatch (run by `manage.py bench`; `--only dispatch`).

- training: the platform's training code on `bench.orders` historical texts (the issue asks
  for 100,000: `manage.py bench --only dispatch --orders 100000`);
- suggestion latency p50/p95 per order with that model (aim < 20 ms p95);
- repeat lookup at intake among `bench.orders` recent orders (aim < 50 ms p95).
Texts come from ../shared/data when present (cycled, with a place name to vary them), else
from built-in templates. Labels are synthetic (a fixed function of the source message), which
is what a timing needs; accuracy is measured by `eval_dispatch`, not here."""

from __future__ import annotations

import csv
import itertools
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import joblib
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.accounts.choices import RegionLevel, Role, UnitKind
from hotline.accounts.models import Region, Unit, User
from hotline.accounts.services import user_create
from hotline.catalog.models import Category, RequestType, Urgency
from hotline.core.bench import Bench, Result
from hotline.workorders.models import WorkOrder

from .evaluation import default_data_dir
from .learning import order_text
from .repeats import repeats_for
from .suggest import suggest_with
from .training import Example, category_tree, fit_model

STREETS = 20
PLACES = ["东城", "西城", "南关", "北关", "河滨", "新华", "人民", "解放", "建设", "文化"]
TEMPLATES = [
    ("{p}小区停水", "{p}小区从昨晚开始停水，没有提前通知，居民生活不便。"),
    ("{p}路灯不亮", "{p}路一带路灯连续多晚不亮，夜间出行不安全。"),
    ("{p}占道经营", "{p}街口小摊贩占用人行道摆摊，影响通行。"),
    ("{p}噪音扰民", "{p}工地夜间施工噪音很大，影响休息。"),
    ("{p}物业不作为", "{p}小区物业不打扫卫生，电梯损坏不修。"),
    ("{p}社保咨询", "请问{p}社保卡丢失后去哪里补办，需要什么材料。"),
]


def _corpus() -> list[tuple[str, str]]:
    data = default_data_dir()
    texts: list[tuple[str, str]] = []
    for name in ("messages_with_votes.csv", "messages_with_replies.csv", "messages_labeled.csv"):
        path = data / name
        if path.exists():
            with path.open(encoding="utf-8-sig", newline="") as f:
                texts += [(r["留言主题"], r["留言详情"]) for r in csv.DictReader(f)]
    return texts or [(t.format(p=p), c.format(p=p)) for t, c in TEMPLATES for p in PLACES]


def _history(n: int) -> list[tuple[str, str, int]]:
    """n (title, content, source index) cycling through the corpus, varied by a place."""
    corpus = _corpus()
    rnd = random.Random(7)
    out = []
    for i in range(n):
        source = i % len(corpus)
        title, content = corpus[source]
        out.append((f"{rnd.choice(PLACES)}{title}", content, source))
    return out


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def _load() -> str:
    """The machine's load average (1, 5, 15 min), printed with every figure: on a shared
    machine the wall clock includes waiting for a CPU."""
    return "load " + " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _latency(bench: Bench, name: str, items: list, work: Callable[[object], object]) -> None:
    timings, cpu_timings = [], []
    started = time.perf_counter()
    for item in items:
        t0, c0 = time.perf_counter(), time.process_time()
        work(item)
        cpu_timings.append((time.process_time() - c0) * 1000)
        timings.append((time.perf_counter() - t0) * 1000)
    p50, p95 = _percentiles(timings)
    cpu50, cpu95 = _percentiles(cpu_timings)
    total = time.perf_counter() - started
    bench.results.append(Result(name, "lookups", [1000 / p50], len(items), total))
    # CPU time of this process per call as well (a database server's own CPU is not in it).
    bench.out(
        f"  {name}: wall p50 {p50:.1f} ms, p95 {p95:.1f} ms; CPU p50 {cpu50:.1f} ms, "
        f"p95 {cpu95:.1f} ms, over {len(items):,} ({total:.1f} s; {_load()})"
    )


def bench_dispatch_train_and_suggest(bench: Bench) -> None:
    categories = list(Category.objects.filter(level=3).values_list("pk", flat=True)[:100])
    units = list(Unit.objects.values_list("pk", flat=True)[:40])
    if len(units) < 2:
        # An empty database: 38 labels that are no unit (the suggestion drops them after the
        # same query), so the unit model costs what a county's would.
        units = list(range(-38, 0))
    regions: list[int | None] = [*Region.objects.values_list("pk", flat=True)[:STREETS]] or [None]
    kinds: list[int | None] = [*RequestType.objects.values_list("pk", flat=True)] or [None]
    history = _history(bench.orders)
    texts = [order_text(t, c) for t, c, _s in history]
    rnd = random.Random(5)
    contexts = [(rnd.choice(regions), rnd.choice(kinds)) for _ in history]
    examples = [
        Example(text, categories[s % len(categories)], units[s % len(units)], *context)
        for text, (*_x, s), context in zip(texts, history, contexts, strict=True)
    ]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, cpu = time.perf_counter(), time.process_time()
    # The platform's training (training.fit_model, with the category tree's names as
    # `dispatch_train` passes them), without reading the orders from the database.
    model = fit_model(0, examples, {}, tree=category_tree())
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - cpu
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        # As the store writes it (joblib, compress=3).
        path = Path(tmp) / "model.joblib"
        joblib.dump(model, path, compress=3)
        size_mb = path.stat().st_size / 1e6
    bench.results.append(
        Result("train (category + unit)", "orders", [len(texts) / seconds], len(texts), seconds)
    )
    bench.out(
        f"  train on {len(texts):,} orders ({len(categories)} categories, {len(units)} units, "
        f"text + region + request type): wall {seconds:.1f} s, CPU {cpu_seconds:.1f} s; "
        f"peak RSS {rss_after:.0f} MB (before {rss_before:.0f} MB); model file {size_mb:.1f} MB "
        f"({_load()})"
    )
    region = Region.objects.first()
    kind = RequestType.objects.first()
    probes = random.Random(3).sample(history, min(500, len(history)))
    _latency(
        bench,
        "suggest (top-3 category + unit, with reasons)",
        probes,
        lambda p: suggest_with(
            model,
            title=p[0],  # type: ignore[index]
            content=p[1],  # type: ignore[index]
            region=region,
            request_type=kind,
        ),
    )


def _plans(sqls: list[str]) -> list[str]:
    """The query plans of the repeat lookup's queries (EXPLAIN, as the database gives it)."""
    plans = []
    with connection.cursor() as cursor:
        for sql in sqls:
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plans.append("; ".join(str(row[3]) for row in cursor.fetchall()))
            else:
                cursor.execute("EXPLAIN " + sql)
                plans.append("; ".join(str(row[0]).strip() for row in cursor.fetchall()))
    return plans


class _RepeatOrg:
    def __init__(self) -> None:
        self.region, _ = Region.objects.get_or_create(
            code="990100", defaults={"name": "并单基准市", "level": RegionLevel.CITY}
        )
        self.centre = Unit.objects.filter(code="BENCH-DSP-C").first() or Unit.objects.create(
            code="BENCH-DSP-C", name="并单基准中心", kind=UnitKind.CENTRE, region=self.region
        )
        # Orders spread over 20 streets, as a county's are (the address key is looked up
        # through wo_region_addrkey_created, region first).
        self.streets = [
            Region.objects.get_or_create(
                code=f"990100{i:03d}",
                defaults={
                    "name": f"基准街道{i}",
                    "level": RegionLevel.STREET,
                    "parent": self.region,
                },
            )[0]
            for i in range(STREETS)
        ]
        self.agent = User.objects.filter(username="bench_dsp_agent").first() or user_create(
            username="bench_dsp_agent",
            password="bench-only-12345",
            memberships=[(self.centre, Role.AGENT)],
        )

    def cleanup(self) -> None:
        WorkOrder.objects.filter(centre=self.centre).delete()


def bench_dispatch_repeat_lookup(bench: Bench) -> None:
    org = _RepeatOrg()
    org.cleanup()
    try:
        n = bench.orders
        history = _history(n)
        now = timezone.now()
        kind, urgency = RequestType.objects.first(), Urgency.objects.first()
        rnd = random.Random(11)
        phones = [f"139{rnd.randrange(10**8):08d}" for _ in range(max(1, n // 3))]
        addresses = [f"{p}小区{i}号楼" for p in PLACES for i in range(max(1, n // 50))]
        numbers = itertools.count()
        rows = [
            WorkOrder(
                number=f"BD{next(numbers):010d}",
                status="registered",
                channel="phone",
                request_type=kind,
                urgency=urgency,
                title=title[:200],
                content=content,
                address=rnd.choice(addresses),
                region=rnd.choice(org.streets),
                requester_phone=rnd.choice(phones),
                centre=org.centre,
                registered_by=org.agent,
                created_at=now - timedelta(minutes=rnd.randrange(60 * 24 * 30)),
                updated_at=now,
            )
            for title, content, _s in history
        ]
        with transaction.atomic():
            WorkOrder.objects.bulk_create(rows, batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE workorders_workorder")  # as autovacuum soon would
        bench.out(f"  {n:,} recent orders written for the lookup")
        probes = rnd.sample(rows, min(300, n))

        def lookup(o: WorkOrder) -> object:
            return repeats_for(
                user=org.agent,
                title=o.title,
                content=o.content,
                phone=o.requester_phone,
                address=o.address,
                region=o.region,
                category=None,
            )

        with CaptureQueriesContext(connection) as queries:
            lookup(probes[0])
        sqls = [
            q["sql"]
            for q in queries.captured_queries
            if 'FROM "workorders_workorder"' in q["sql"] and "LIMIT" in q["sql"]
        ]
        for key, plan in zip(("phone", "address"), _plans(sqls), strict=False):
            bench.out(f"  plan ({key}): {plan}")
        _latency(
            bench,
            f"repeat lookup at intake (among {n:,} recent orders in {STREETS} streets)",
            probes,
            lookup,  # type: ignore[arg-type]
        )
    finally:
        org.cleanup()


KNOWLEDGE_SIZES = (400, 5000)
KNOWLEDGE_QUERIES = 300


def bench_dispatch_knowledge(bench: Bench) -> None:
    """The knowledge base at the desk and at cold start, with 400 entries (a county's: 白沙
    had 368) and 5,000 (a large city's): building the index, the desk's search as the agent
    types (its stamp query included), fitting the cold start's calibration, and a cold-start
    suggestion (no model: names and knowledge base). Entries are written in a transaction that
    is rolled back; their texts are the corpus's messages (title as the question, detail as
    the answer), filed under the tree's leaves in turn."""
    from hotline.knowledge import search
    from hotline.knowledge.models import Entry

    from . import coldstart
    from .catalogue import catalogue

    org = _RepeatOrg()
    leaves = list(Category.objects.filter(level=3, is_active=True).values_list("pk", flat=True))
    queries = _history(KNOWLEDGE_QUERIES)
    for size in KNOWLEDGE_SIZES:
        with transaction.atomic():
            now = timezone.now()
            Entry.objects.bulk_create(
                Entry(
                    title=title[:200],
                    answer=content[:4000] or title,
                    category_id=leaves[i % len(leaves)] if leaves else None,
                    unit=org.centre,
                    status="published",
                    created_by=org.agent,
                    created_at=now,
                    updated_by=org.agent,
                    updated_at=now,
                )
                for i, (title, content, _s) in enumerate(_history(size))
            )
            t0 = time.perf_counter()
            index = search.index()
            built = time.perf_counter() - t0
            bench.out(f"  knowledge index of {len(index.rows):,} entries: built in {built:.2f} s")
            _latency(
                bench,
                f"knowledge search at the desk ({size:,} entries)",
                queries,
                lambda q: search.search(order_text(q[0], q[1])),  # type: ignore[index]
            )
            coldstart.forget_calibration()
            snapshot = catalogue()
            names = coldstart.name_matcher(snapshot)
            t0 = time.perf_counter()
            fitted = coldstart.calibration(index, names)
            bench.out(
                f"  cold-start calibration on {fitted.labelled:,} labelled requests: "
                f"{time.perf_counter() - t0:.2f} s"
            )
            _latency(
                bench,
                f"cold-start suggestion ({size:,} entries)",
                queries,
                lambda q: suggest_with(None, title=q[0], content=q[1], region=None),  # type: ignore[index]
            )
            transaction.set_rollback(True)
    coldstart.forget_calibration()
