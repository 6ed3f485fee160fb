"""Benchmarks of the channel API and Open311 POST under load: orders created per second through
real HTTP to gunicorn on loopback, on the configured database, with p50/p99 latency and the
error count. A small thread-pool load generator (http.client, keep-alive connections) stands in
for locust (not installed, and it would share the same two cores); it is bounded in requests and
in time, and warms every worker up before it counts. Run by `manage.py bench --only channel`.

Environment: BENCH_WORKERS (default 2 × cores + 1), BENCH_WORKER_CLASS (sync or gthread),
BENCH_THREADS (gthread's threads per worker, default 4), BENCH_CLIENTS (default 16),
BENCH_SECONDS (default 30). Gunicorn gets persistent database connections (DB_CONN_MAX_AGE=60
unless set): a production server keeps them, and a new PostgreSQL connection per request would
be measured instead of the creation."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError

from hotline.catalog.models import Category
from hotline.core.bench import Bench, Result
from hotline.workorders.benchmarks import BenchOrg
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent

from .channel_auth import channel_issue_key
from .models import Channel, ChannelRequest, SmsMessage, WebhookDelivery

CLIENTS = int(os.getenv("BENCH_CLIENTS", "16"))  # concurrent connections of the load generator
MAX_REQUESTS = 6000  # per benchmark
MAX_SECONDS = float(os.getenv("BENCH_SECONDS", "30"))
WORKERS = int(os.getenv("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))  # gunicorn's advice
WORKER_CLASS = os.getenv("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.getenv("BENCH_THREADS", "4"))

_phones = itertools.count(13700000000)


def _cpu_seconds(match: Callable[[int, str], bool]) -> float:
    """User + system CPU of the processes `match(ppid, cmdline)` picks (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if match(int(fields[1]), cmdline):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _server_cpu(gunicorn_pid: int) -> tuple[float, float]:
    """CPU seconds so far of gunicorn's workers and of this database's PostgreSQL backends
    (when the server runs on this machine): the cost of the creations, whatever the load."""
    name = str(settings.DATABASES["default"]["NAME"])
    workers = _cpu_seconds(lambda ppid, _cmd: ppid == gunicorn_pid)
    backends = _cpu_seconds(lambda _ppid, cmd: cmd.startswith("postgres: ") and f" {name} " in cmd)
    return workers, backends


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn serving this project on 127.0.0.1, production-like (DEBUG off)."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {
            "DB_CONN_MAX_AGE": "60",
            **os.environ,
            "DEBUG": "False",
            "DJANGO_SETTINGS_MODULE": "hotline.settings",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        threads = ["--threads", str(THREADS)] if WORKER_CLASS == "gthread" else []
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "hotline.intake.bench_wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(WORKERS),
                "-k",
                WORKER_CLASS,
                *threads,
                # Import the project once, then fork: workers start at once on a busy machine.
                "--preload",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/open311/v2/discovery.json")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


Request = Callable[[int], tuple[str, str, bytes, dict[str, str]]]


def _load(port: int, count: int, request: Request, first: int = 0) -> Load:
    """Send `count` requests (numbered from `first`) from CLIENTS threads."""
    counter = itertools.count(first)
    count += first
    lock = threading.Lock()
    latencies: list[float] = []
    done_at: list[float] = []
    errors = [0]
    started = time.perf_counter()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() - started < MAX_SECONDS:
            with lock:
                i = next(counter)
            if i >= count:
                break
            method, path, body, headers = request(i)
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 201
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            now = time.perf_counter()
            with lock:
                latencies.append(now - t0)
                if ok:
                    done_at.append(now - started)
                else:
                    errors[0] += 1
        conn.close()

    with ThreadPoolExecutor(CLIENTS) as pool:
        for _ in range(CLIENTS):
            pool.submit(client)
    return Load(latencies, done_at, errors[0], time.perf_counter() - started)


@dataclass
class Load:
    latencies: list[float]  # seconds, every request
    done_at: list[float]  # seconds since the start, each successful creation
    errors: int
    seconds: float

    def rates(self, chunks: int) -> list[float]:
        """Creations per second in `chunks` equal slices of the run (the bench reports their
        median, as every other benchmark does)."""
        width = self.seconds / chunks
        counts = [0] * chunks
        for t in self.done_at:
            counts[min(chunks - 1, int(t / width))] += 1
        return [c / width for c in counts] if width else []


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


def _cleanup(channel: Channel) -> None:
    orders = WorkOrder.objects.filter(channel_request__channel=channel)
    try:
        with transaction.atomic():
            SmsMessage.objects.filter(order__in=orders).delete()
            WebhookDelivery.objects.filter(channel=channel).delete()
            ids = list(orders.values_list("pk", flat=True))
            ChannelRequest.objects.filter(channel=channel).delete()
            WorkOrderEvent.objects.filter(order_id__in=ids).delete()
            WorkOrderAssignment.objects.filter(order_id__in=ids).delete()
            WorkOrder.objects.filter(pk__in=ids).delete()
            channel.delete()
    except ProtectedError as e:  # another app keeps rows about these orders
        print(f"  (bench orders left in place: {e.args[0][:80]})")


def _run(bench: Bench, name: str, kind: str, make: Callable[[str, str], Callable]) -> None:
    BenchOrg()  # a hotline centre must exist for the system user to register at
    leaf = Category.objects.filter(is_active=True).exclude(children__is_active=True).first()
    if leaf is None:
        bench.out("  skipped: no category")
        return
    channel = Channel.objects.create(
        name=f"bench-{kind}-{time.time_ns()}", kind=kind, operations=["create"], rate_limit=0
    )
    key = channel_issue_key(channel=channel)
    code = leaf.code or str(leaf.pk)
    count = min(bench.orders, MAX_REQUESTS)
    request = make(key, code)
    server = Server()
    try:
        # Warm-up, not counted: every worker imports, connects and fills its caches.
        _load(server.port, 10 * WORKERS, request, first=MAX_REQUESTS)
        load_before = os.getloadavg()[0]
        cpu_before = _server_cpu(server.process.pid)
        run = _load(server.port, count, request)
        cpu_after = _server_cpu(server.process.pid)
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
        _cleanup(channel)
    done = len(run.latencies)
    rates = run.rates(bench.chunks)
    result = Result(name, "orders", rates, done - run.errors, run.seconds)
    bench.results.append(result)
    kind = f"{WORKER_CLASS} × {THREADS} threads" if WORKER_CLASS == "gthread" else WORKER_CLASS
    bench.out(
        f"  {name}: median {result.median:,.0f} orders/s (chunks {min(rates):,.0f}–"
        f"{max(rates):,.0f}); mean {(done - run.errors) / run.seconds:,.0f}/s;"
        f" p50 {_percentile(run.latencies, 0.5) * 1000:.0f} ms,"
        f" p99 {_percentile(run.latencies, 0.99) * 1000:.0f} ms; {done:,} requests,"
        f" {run.errors} errors; gunicorn {WORKERS} {kind} workers, {CLIENTS} clients;"
        f" load average {load_before:.1f} → {load_after:.1f}"
    )
    created = max(1, done - run.errors)
    web, db = (
        (after - before) * 1000 / created
        for before, after in zip(cpu_before, cpu_after, strict=True)
    )
    bench.out(
        f"    CPU per created order: gunicorn {web:.1f} ms, PostgreSQL backends {db:.1f} ms"
        f" → at most {(os.cpu_count() or 1) * 1000 / (web + db):,.0f} orders/s on"
        f" {os.cpu_count()} idle cores (the load generator's own CPU not counted)"
        if web + db > 0
        else "    CPU per created order: not measurable here"
    )


def _channel_request(key: str, code: str) -> Callable:
    def make(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = json.dumps(
            {
                "title": "基准测试诉求",
                "content": f"第 {i} 条基准测试诉求内容。",
                "requester_phone": str(next(_phones)),
            },
            ensure_ascii=False,
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Channel-Key": key,
            "Idempotency-Key": f"bench-{i}",
        }
        return "POST", "/api/channel/requests", body, headers

    return make


def _open311_request(key: str, code: str) -> Callable:
    def make(i: int) -> tuple[str, str, bytes, dict[str, str]]:
        body = urlencode(
            {
                "api_key": key,
                "service_code": code,
                "lat": "38.1",
                "long": "110.1",
                "description": f"第 {i} 条基准测试诉求",
                "phone": str(next(_phones)),
            }
        ).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return "POST", "/open311/v2/requests.json", body, headers

    return make


def bench_channel_api_create_http(bench: Bench) -> None:
    _run(bench, "channel API: create order (HTTP, gunicorn)", "app", _channel_request)


def bench_channel_open311_post_http(bench: Bench) -> None:
    _run(bench, "Open311 POST requests (HTTP, gunicorn)", "open311", _open311_request)
