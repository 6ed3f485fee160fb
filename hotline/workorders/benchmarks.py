"""Benchmarks of the work-order core (run by `manage.py bench`).

`bench_list_pages` reads the database as it is (a million orders from `seed_demo --bulk`);
the others build their own small organisation (codes starting BENCH) on the configured database,
register and move real orders through the services and the API, and delete what they made."""

from __future__ import annotations

import itertools
import json
import statistics
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hotline.accounts.choices import RegionLevel, Role, UnitKind
from hotline.accounts.models import ApiToken, Region, Unit, User
from hotline.accounts.services import user_create
from hotline.catalog.models import Category
from hotline.core.bench import Bench, Result

from .choices import TERMINAL
from .models import WorkOrder, WorkOrderAssignment, WorkOrderEvent
from .services import workorder_register, workorder_transition
from .views import landing_query


class BenchOrg:
    def __init__(self) -> None:
        region, _ = Region.objects.get_or_create(
            code="990000", defaults={"name": "基准测试市", "level": RegionLevel.CITY}
        )
        self.region = region
        self.centre = self._unit("BENCH-C0", "基准热线中心", UnitKind.CENTRE, None)
        self.unit = self._unit("BENCH-U1", "基准承办单位", UnitKind.DEPARTMENT, self.centre)
        self.agent = self._user("bench_agent", self.centre, Role.AGENT)
        self.dispatcher = self._user("bench_dispatcher", self.centre, Role.DISPATCHER)
        self.supervisor = self._user("bench_supervisor", self.centre, Role.SUPERVISOR)
        self.caller = self._user("bench_callback", self.centre, Role.CALLBACK_AGENT)
        self.handler = self._user("bench_handler", self.unit, Role.UNIT_HANDLER)

    def _unit(self, code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        unit = Unit.objects.filter(code=code).first()
        return unit or Unit.objects.create(
            code=code, name=name, kind=kind, region=self.region, parent=parent
        )

    def _user(self, username: str, unit: Unit, role: str) -> User:
        user = User.objects.filter(username=username).first()
        return user or user_create(
            username=username, password="bench-only-12345", memberships=[(unit, role)]
        )

    def cleanup(self) -> None:
        orders = WorkOrder.objects.filter(centre=self.centre)
        with transaction.atomic():
            WorkOrderEvent.objects.filter(order__in=orders).delete()
            WorkOrderAssignment.objects.filter(order__in=orders).delete()
            orders.filter(master__isnull=False).update(master=None)
            orders.delete()


_phones = itertools.count(13900000000)


def _register(org: BenchOrg) -> WorkOrder:
    return workorder_register(
        actor=org.agent,
        channel="phone",
        request_type="complaint",
        title="基准测试：小区路灯不亮",
        content="小区东门至北门一段路灯连续三晚不亮，夜间出行不便，请尽快维修。",
        region=org.region,
        requester_phone=str(next(_phones)),
    )


def bench_workorders(bench: Bench) -> None:
    org = BenchOrg()
    org.cleanup()
    try:
        bench.timed("register (service)", "orders", range(bench.orders), lambda _: _register(org))

        _, key = ApiToken.issue(user=org.agent, name="bench")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        body = json.dumps(
            {
                "channel": "wechat",
                "request_type": "inquiry",
                "urgency": "normal",
                "title": "基准测试：社保卡补办",
                "content": "请问社保卡丢失后在哪里补办，需要带什么材料？",
                "region": org.region.code,
                "requester_phone": "13700000000",
            }
        )

        def post(_: object) -> None:
            response = client.post("/api/workorders", body, content_type="application/json")
            if response.status_code != 201:
                raise RuntimeError(
                    f"API register failed: {response.status_code} {response.content!r}"
                )

        bench.timed("register (API)", "orders", range(max(1, bench.orders // 5)), post)

        def lifecycle(_: object) -> None:
            pk = _register(org).pk
            workorder_transition(
                order=pk, action="dispatch", actor=org.dispatcher, lead_unit=org.unit
            )
            workorder_transition(order=pk, action="acknowledge", actor=org.handler)
            workorder_transition(
                order=pk, action="reply", actor=org.handler, note="已维修，路灯恢复。"
            )
            workorder_transition(order=pk, action="accept_reply", actor=org.supervisor)
            workorder_transition(
                order=pk, action="callback", actor=org.caller, rating="satisfied", solved=True
            )

        bench.timed(
            "full lifecycle (register → dispatch → acknowledge → reply → review → callback → closed)",
            "lifecycles",
            range(max(1, bench.orders // 5)),
            lifecycle,
        )
    finally:
        org.cleanup()


# --- pages over a large database ------------------------------------------------------------


def _render_times(client: Client, url: str, params: dict[str, Any], runs: int) -> list[float]:
    """Seconds per full request (middleware, view, queries, template), after two warm-ups."""
    times = []
    for i in range(runs + 2):
        t0 = time.perf_counter()
        response = client.get(url, params)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} {params}: {response.status_code}")
        if i >= 2:
            times.append(elapsed)
    return times


def _report(bench: Bench, name: str, times: list[float]) -> None:
    median = statistics.median(times)
    slowest = max(times)
    bench.results.append(Result(name, "renders", [1 / t for t in times], len(times), sum(times)))
    bench.out(
        f"  {name}: median {median * 1000:.0f} ms, slowest {slowest * 1000:.0f} ms "
        f"over {len(times)} renders"
    )


def _busiest_unit() -> Unit:
    """The unit holding the most open orders as lead: the heaviest inbox to list."""
    row = (
        WorkOrder.objects.filter(lead_unit__isnull=False)
        .exclude(status__in=TERMINAL)
        .values("lead_unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if row is None:
        raise RuntimeError("no dispatched orders")
    return Unit.objects.get(pk=row["lead_unit"])


def _busiest_category() -> Category:
    row = (
        WorkOrder.objects.filter(category__isnull=False)
        .values("category")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if row is None:
        raise RuntimeError("no categorised orders")
    leaf = Category.objects.get(pk=row["category"])
    # Its top-level ancestor: the filter then covers a whole subtree, as people use it.
    return Category.objects.get(pk=leaf.ancestor_ids()[0])


def bench_list_pages(bench: Bench) -> None:
    """Render times of the agent's workbench and filtered order lists on the configured
    database as it is (build it with `seed_demo --bulk 1000000`); reads only."""
    agent = User.objects.filter(username="agent1").first()
    dispatcher = User.objects.filter(username="dispatcher1").first()
    if agent is None or dispatcher is None:
        bench.out("  skipped: no demo county here (run manage.py seed_demo --bulk N first)")
        return
    total = WorkOrder.objects.count()
    unit = _busiest_unit()
    handler = User.objects.filter(memberships__unit=unit, memberships__role=Role.UNIT_HANDLER)[0]
    category = _busiest_category()
    today = timezone.localdate()
    runs = max(5, bench.chunks * 3)
    bench.out(f"  {total:,} orders; unit {unit.name}; category {category.name}")
    client = Client()

    client.force_login(agent)
    try:
        desk, params = reverse("desk_agent"), {}
        name = "agent workbench (desk_agent)"
    except NoReverseMatch:  # the desk is not built yet: the list the agent lands on
        desk, params = reverse("workorder_list"), dict(landing_query(agent).items())
        name = "agent landing list"
    _report(bench, f"{name}, {total:,} orders", _render_times(client, desk, params, runs))

    client.force_login(handler)
    _report(
        bench,
        f"unit's open orders (handler of the busiest unit), {total:,} orders",
        _render_times(client, reverse("workorder_list"), {"open": "on"}, runs),
    )

    client.force_login(dispatcher)
    centre_filter = {
        "category": category.pk,
        "created_from": (today - timedelta(days=90)).isoformat(),
        "created_to": today.isoformat(),
        "time_status": "overdue",
    }
    _report(
        bench,
        f"centre list: category subtree + 90 days + overdue, {total:,} orders",
        _render_times(client, reverse("workorder_list"), centre_filter, runs),
    )
    _report(
        bench,
        f"centre list: everything newest first, {total:,} orders",
        _render_times(client, reverse("workorder_list"), {}, runs),
    )
    _report(
        bench,
        f"centre list: open orders by reply deadline, {total:,} orders",
        _render_times(
            client, reverse("workorder_list"), {"open": "on", "sort": "reply_due_at"}, runs
        ),
    )


# The desks keep their own benchmarks beside their code; listed here so `bench` finds them.
from .desks.benchmarks import bench_desks  # noqa: E402, F401
