"""Build or refresh the KPI facts (analytics.facts): `manage.py kpi_facts [--full]`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from hotline.analytics.facts import event_facts_refresh, facts_refresh


class Command(BaseCommand):
    help = (
        "Refresh the per-order and per-event KPI facts "
        "(--full: compare every order's version and copy every counted event again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="check every order and event")

    def handle(self, *args: object, **options: object) -> None:
        full = bool(options["full"])
        for name, refresh in (("orders", facts_refresh), ("events", event_facts_refresh)):
            t0 = time.perf_counter()
            done = refresh(full=full)
            kind = "full" if done.full else "incremental"
            seconds = time.perf_counter() - t0
            self.stdout.write(f"{name}, {kind}: {done.orders} rows written in {seconds:.1f} s")
