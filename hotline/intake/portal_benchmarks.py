"""Benchmarks of the citizen portal: submitting a request (POST + redirect), checking progress
by number + phone and by query code + phone, over a backlog of orders registered through the
services; rate limits on (set high, so their cache round-trips are part of what is timed).

`manage.py bench` reads `<app>.benchmarks`; the intake app's module imports `bench_portal` from
here. Reported as requests per second; one request's median time is 1,000 / that rate in ms."""

from __future__ import annotations

import itertools
import time

from django.db.models import ProtectedError
from django.test import Client, override_settings

from hotline.core.bench import Bench
from hotline.workorders.benchmarks import BenchOrg
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_register

from .portal_forms import fill_token
from .portal_selectors import portal_centre

CALLERS = 500
HIGH = {k: {"ip": "1000000/h", "phone": "1000000/h"} for k in ("submit", "check", "rate")}


def _phone(i: int) -> str:
    return f"1390000{i % CALLERS:04d}"


def _backlog(org: BenchOrg, n: int) -> list[WorkOrder]:
    return [
        workorder_register(
            actor=org.agent,
            channel="web",
            request_type="complaint",
            title="基准测试：路灯不亮",
            content="小区门口路灯连续三晚不亮，夜间出行不便。",
            region=org.region,
            address=f"基准小区 {i % 50} 号楼",
            requester_phone=_phone(i),
        )
        for i in range(n)
    ]


def _post(client: Client, url: str, data: dict[str, str], expect: int) -> None:
    response = client.post(url, data)
    if response.status_code != expect:
        raise RuntimeError(f"{url}: {response.status_code}")


def bench_portal(bench: Bench) -> None:
    org = BenchOrg()
    if portal_centre() != org.centre:
        bench.out("  another top-level centre registers portal requests here: skipped")
        return
    _cleanup(org, bench)
    try:
        backlog = max(100, bench.orders // 10)
        bench.out(f"  building a backlog of {backlog:,} orders through the services")
        orders = _backlog(org, backlog)
        client = Client()
        with override_settings(PORTAL_RATE_LIMITS=HIGH, PORTAL_MIN_FILL_SECONDS=0):
            sample = orders[:: max(1, len(orders) // 50)][:50]
            bench.timed(
                "portal check by number + phone",
                "checks",
                sample,
                lambda o: _post(
                    client,
                    "/portal/check/",
                    {"ref": o.number, "phone": o.requester_phone},
                    200,
                ),
            )
            bench.timed(
                "portal check by query code + phone",
                "checks",
                sample,
                lambda o: _post(
                    client,
                    "/portal/check/",
                    {"ref": o.query_code, "phone": o.requester_phone},
                    200,
                ),
            )
            bench.timed(
                "portal check, not found (wrong phone)",
                "checks",
                sample,
                lambda o: _post(
                    client, "/portal/check/", {"ref": o.number, "phone": "13000000000"}, 404
                ),
            )
            bench.timed(
                "portal submit (POST + redirect)",
                "submissions",
                itertools.islice(itertools.count(), 25),
                lambda i: _post(
                    client,
                    "/portal/submit/",
                    {
                        "request_type": "complaint",
                        "content": "基准测试：楼下餐馆油烟很大，窗户都不能开。",
                        "region": org.region.code,
                        "address": f"基准小区 {i % 50} 号楼",
                        "phone": _phone(i),
                        "started": fill_token(time.time() - 60),
                    },
                    302,
                ),
            )
    finally:
        _cleanup(org, bench)


def _cleanup(org: BenchOrg, bench: Bench) -> None:
    try:
        org.cleanup()
    except ProtectedError as exc:
        # Rows of other apps (e.g. SMS notices) may hold the orders; the figures stand.
        bench.out(f"  bench orders left in place: {str(exc)[:80]}")
