"""`manage.py bench`: every app's `benchmarks.py`, on the configured database."""

from __future__ import annotations

import importlib
import inspect
from datetime import date

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from hotline.core.bench import Bench, machine_line


class Command(BaseCommand):
    # argparse wants a str, not a lazy translation (commands are loaded after set-up).
    help = gettext("运行性能基准（make bench），结果记入 docs/benchmarks.md")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--orders", type=int, default=10_000, help=gettext("工单数（默认 10000）")
        )
        parser.add_argument("--only", default="", help=gettext("只运行名称包含此字符串的基准"))

    def handle(self, *args, orders: int, only: str, **options) -> None:
        bench = Bench(orders=orders, out=self.stdout.write)
        self.stdout.write(f"bench {date.today()} · {machine_line()} · {orders:,} orders")
        for config in apps.get_app_configs():
            if not config.name.startswith("hotline."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.benchmarks")
            except ModuleNotFoundError:
                continue
            for name, fn in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("bench_") and only in name:
                    self.stdout.write(f"{config.label}.{name}")
                    fn(bench)
        self.stdout.write("\n| benchmark | median rate | count | total s |\n|---|---|---|---|")
        for r in bench.results:
            self.stdout.write(
                f"| {r.name} | {r.median:,.0f} {r.unit}/s | {r.count:,} | {r.seconds:.1f} |"
            )
