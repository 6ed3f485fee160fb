"""Shared pieces of `manage.py bench`: timing in chunks and reporting medians.

Benchmarks live in `<app>/benchmarks.py` as functions named `bench_*` taking a `Bench`; the
command finds them in every installed app, so later apps add theirs without touching this."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


@dataclass
class Result:
    name: str
    unit: str
    rates: list[float]  # one rate per chunk
    count: int
    seconds: float

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


@dataclass
class Bench:
    """What a benchmark needs: the size asked for, a place to report, and a timer."""

    orders: int
    chunks: int = 5
    out: Callable[[str], None] = print
    results: list[Result] = field(default_factory=list)

    def timed(self, name: str, unit: str, items: Iterable, work: Callable[[Any], object]) -> None:
        """Run `work` on each item; the rate is measured per chunk and the median reported."""
        items = list(items)
        size = max(1, len(items) // self.chunks)
        rates: list[float] = []
        started = time.perf_counter()
        for i in range(0, len(items), size):
            chunk = items[i : i + size]
            t0 = time.perf_counter()
            for item in chunk:
                work(item)
            elapsed = time.perf_counter() - t0
            rates.append(len(chunk) / elapsed if elapsed else 0.0)
        total = time.perf_counter() - started
        result = Result(name, unit, rates, len(items), total)
        self.results.append(result)
        self.out(
            f"  {name}: median {result.median:,.0f} {unit}/s over {len(rates)} chunks "
            f"({len(items):,} in {total:.1f} s; chunks {min(rates):,.0f}–{max(rates):,.0f})"
        )


def machine_line() -> str:
    version = ".".join(map(str, connection.get_database_version()))
    return f"{os.cpu_count()} cores, {connection.vendor} {version}"
