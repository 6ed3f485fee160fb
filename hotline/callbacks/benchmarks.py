"""Benchmarks of the two desks this app and the unit inbox serve (run by `manage.py bench`):
rendering the unit inbox (办件箱) tabs and the callback queue over a backlog of real orders
built through the services, on the configured database. Reported as pages per second."""

from __future__ import annotations

from django.test import Client

from hotline.core.bench import Bench
from hotline.workorders.benchmarks import BenchOrg, _register
from hotline.workorders.services import workorder_transition


def _backlog(org: BenchOrg, n: int) -> None:
    """n orders with the bench unit: 40 % to acknowledge, 30 % in progress, 30 % awaiting
    callback (replied and accepted), as a unit's and a callback agent's day looks."""
    for i in range(n):
        pk = _register(org).pk
        workorder_transition(order=pk, action="dispatch", actor=org.dispatcher, lead_unit=org.unit)
        if i % 10 < 4:
            continue
        workorder_transition(order=pk, action="acknowledge", actor=org.handler)
        if i % 10 < 7:
            continue
        workorder_transition(order=pk, action="reply", actor=org.handler, note="已处理完毕。")
        workorder_transition(order=pk, action="accept_reply", actor=org.supervisor)


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")


def bench_desks(bench: Bench) -> None:
    org = BenchOrg()
    org.cleanup()
    try:
        backlog = max(50, bench.orders // 20)
        bench.out(f"  building a backlog of {backlog:,} orders through the services")
        _backlog(org, backlog)
        unit = Client()
        unit.force_login(org.handler)
        renders = range(25)
        for tab in ("acknowledge", "in_progress", "overdue", "assisting"):
            url = f"/desk/unit/?tab={tab}"
            bench.timed(
                f"unit inbox page, tab {tab} (50 rows)",
                "pages",
                renders,
                lambda _, url=url: _get(unit, url),
            )
        caller = Client()
        caller.force_login(org.caller)
        bench.timed(
            "callback queue page (50 rows)", "pages", renders, lambda _: _get(caller, "/callbacks/")
        )
    finally:
        org.cleanup()
