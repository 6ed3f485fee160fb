"""Build or refresh the KPI facts (analytics.facts): `manage.py kpi_facts [--full]`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from hotline.analytics.facts import facts_refresh


class Command(BaseCommand):
    help = "Refresh the per-order KPI facts (--full: compare every order's version)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="check every order")

    def handle(self, *args: object, **options: object) -> None:
        t0 = time.perf_counter()
        done = facts_refresh(full=bool(options["full"]))
        kind = "full" if done.full else "incremental"
        self.stdout.write(f"{kind}: {done.orders} rows written in {time.perf_counter() - t0:.1f} s")
