"""Benchmarks of the hotline's desks (run by `manage.py bench` through workorders.benchmarks).

They fill the bench organisation's queues through the services, then time what a dispatcher and
a supervisor wait for: the desk pages and an inline dispatch, through the Django test client
(the full stack but the network), and delete what they made."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from hotline.core.bench import Bench

from ..models import WorkOrder
from ..services import workorder_transition
from . import dispatcher, supervisor


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")


def bench_desks(bench: Bench) -> None:
    from ..benchmarks import BenchOrg, _register

    org = BenchOrg()
    org.cleanup()
    try:
        orders = [_register(org) for _ in range(max(60, bench.orders // 5))]
        # A tenth of them replied, to fill the supervisor's review tab.
        for order in orders[: len(orders) // 10]:
            workorder_transition(
                order=order, action="dispatch", actor=org.dispatcher, lead_unit=org.unit
            )
            workorder_transition(order=order, action="acknowledge", actor=org.handler)
            workorder_transition(order=order, action="reply", actor=org.handler, note="已处理。")
        queued = orders[len(orders) // 10 :]
        desk = Client()
        desk.force_login(org.dispatcher)
        rows = len(dispatcher.dispatch_rows(list(dispatcher.dispatch_queue(org.dispatcher)[:50])))
        bench.out(f"  dispatch queue: {len(queued):,} registered, {rows} rows a page")
        url = reverse("desk_dispatch")
        bench.timed("dispatch desk page", "pages", range(20), lambda _: _get(desk, url))

        def dispatch(order: WorkOrder) -> None:
            response = desk.post(
                reverse("desk_dispatch_one", args=[order.number]),
                {"expected_version": order.version, "lead_unit": org.unit.pk},
                HTTP_HX_REQUEST="true",
            )
            if response.status_code != 200:
                raise RuntimeError(f"inline dispatch: {response.status_code}")

        bench.timed("inline dispatch (htmx row)", "orders", queued[:20], dispatch)

        review = Client()
        review.force_login(org.supervisor)
        reviewing = supervisor.review_queue(org.supervisor).count()
        bench.out(f"  review tab: {reviewing:,} replies waiting")
        url = reverse("desk_supervise")
        bench.timed(
            "supervise desk page (review tab)", "pages", range(20), lambda _: _get(review, url)
        )
    finally:
        org.cleanup()
