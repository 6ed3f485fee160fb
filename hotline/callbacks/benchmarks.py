"""Benchmarks of the two desks this app and the unit inbox serve (run by `manage.py bench`):
rendering the unit inbox (办件箱) tabs and the callback queue over a backlog of real orders
built through the services, on the configured database. Reported as pages per second."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction
from django.test import Client

from hotline.core.bench import Bench
from hotline.workorders.benchmarks import BenchOrg, _register
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.services import workorder_transition


def _cleanup(org: BenchOrg) -> None:
    """BenchOrg.cleanup, after first removing rows other apps keep about the bench orders and
    their events (SMS notices, clock records...) that would block it. Found through the
    relations, so this module need not know those apps."""
    orders = WorkOrder.objects.filter(centre=org.centre)
    targets: list[tuple[type[models.Model], models.QuerySet]] = [
        (WorkOrderEvent, WorkOrderEvent.objects.filter(order__in=orders)),
        (WorkOrder, orders),
    ]
    with transaction.atomic():
        for model, rows in targets:
            for rel in model._meta.related_objects:
                related = rel.related_model
                if related._meta.app_label == "workorders" or not rel.field.concrete:
                    continue
                related._default_manager.filter(**{f"{rel.field.name}__in": rows}).delete()
    org.cleanup()


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


def _getter(client: Client, url: str) -> Callable[[object], None]:
    def get(_: object) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")

    return get


def bench_desks(bench: Bench) -> None:
    org = BenchOrg()
    _cleanup(org)
    try:
        backlog = max(50, bench.orders // 20)
        bench.out(f"  building a backlog of {backlog:,} orders through the services")
        _backlog(org, backlog)
        unit = Client()
        unit.force_login(org.handler)
        renders = range(25)
        for tab in ("acknowledge", "in_progress", "overdue", "assisting"):
            get = _getter(unit, f"/desk/unit/?tab={tab}")
            bench.timed(f"unit inbox page, tab {tab} (50 rows)", "pages", renders, get)
        caller = Client()
        caller.force_login(org.caller)
        get = _getter(caller, "/callbacks/")
        bench.timed("callback queue page (50 rows)", "pages", renders, get)
    finally:
        _cleanup(org)
