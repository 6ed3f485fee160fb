"""Benchmarks of the agent's intake desk (run by `manage.py bench`): rendering the desk and its
htmx fragments, and taking a call down, through Django's test client on the configured database,
over a backlog of orders registered through the services. Reported as pages (or calls) per
second; the median time of one is 1,000 / that rate in milliseconds."""

from __future__ import annotations

import itertools

from django.db.models import Q
from django.test import Client

from hotline.catalog.models import Category
from hotline.core.bench import Bench
from hotline.workorders.benchmarks import BenchOrg
from hotline.workorders.services import workorder_register

# The channel benchmarks (issue #5) live in their own module; the bench command reads this one.
from .channel_benchmarks import bench_channel_api_create_http, bench_channel_open311_post_http
from .models import SmsMessage

__all__ = ["bench_agent_desk", "bench_channel_api_create_http", "bench_channel_open311_post_http"]

# A small pool of callers, so each has a history and repeats exist, as on a real line.
CALLERS = 200


def _phone(i: int) -> str:
    return f"1370000{i % CALLERS:04d}"


def _backlog(org: BenchOrg, n: int, leaves: list[Category]) -> None:
    for i in range(n):
        workorder_register(
            actor=org.agent,
            channel="phone",
            request_type="complaint",
            title="基准测试：夜间施工噪声",
            content="小区旁工地每晚施工到凌晨，噪声很大，无法入睡。",
            category=leaves[i % len(leaves)],
            region=org.region,
            address=f"基准小区 {i % 50} 号楼",
            requester_phone=_phone(i),
        )


def _cleanup(org: BenchOrg) -> None:
    """The bench orders and, first, the SMS notices sent for them (they protect the events)."""
    centre = org.centre
    SmsMessage.objects.filter(Q(order__centre=centre) | Q(event__order__centre=centre)).delete()
    org.cleanup()


def _get(client: Client, url: str, params: dict[str, str] | None = None) -> None:
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")


def bench_agent_desk(bench: Bench) -> None:
    org = BenchOrg()
    _cleanup(org)
    leaves = list(Category.objects.filter(level=3, is_active=True).order_by("path")[:20])
    if not leaves:
        bench.out("  no active three-level categories: run migrate first")
        return
    try:
        backlog = max(100, bench.orders // 10)
        bench.out(f"  building a backlog of {backlog:,} orders through the services")
        _backlog(org, backlog, leaves)
        client = Client()
        client.force_login(org.agent)
        renders = range(25)
        bench.timed(
            "agent desk page (today's orders listed)",
            "pages",
            renders,
            lambda _: _get(client, "/intake/desk/"),
        )
        phones = [_phone(i) for i in range(25)]
        bench.timed(
            "caller history fragment",
            "fragments",
            phones,
            lambda p: _get(client, "/intake/desk/history/", {"requester_phone": p}),
        )
        bench.timed(
            "category type-ahead fragment",
            "fragments",
            itertools.islice(itertools.cycle(["噪声", "停水", "城乡建设", "路灯", "社保"]), 25),
            lambda q: _get(client, "/intake/desk/categories/", {"category_search": q}),
        )
        leaf = leaves[0]
        bench.timed(
            "repeat warning fragment (phone + address)",
            "fragments",
            range(25),
            lambda i: _get(
                client,
                "/intake/desk/repeats/",
                {
                    "requester_phone": _phone(i * len(leaves)),
                    "address": f"基准小区 {i % 50} 号楼",
                    "region": org.region.code,
                    "category": str(leaf.pk),
                },
            ),
        )

        def take_call(i: int) -> None:
            response = client.post(
                "/intake/desk/",
                {
                    "requester_phone": _phone(i),
                    "request_type": "complaint",
                    "urgency": "normal",
                    "category": str(leaf.pk),
                    "region": org.region.code,
                    "content": "基准测试：路灯连续三晚不亮，夜间出行不便。",
                    "decision": "dispatch",
                },
            )
            if response.status_code != 302:
                raise RuntimeError(f"desk POST: {response.status_code}")

        bench.timed("take a call (转派单, POST + redirect)", "calls", range(25), take_call)
    finally:
        _cleanup(org)
