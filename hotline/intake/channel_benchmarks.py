"""Benchmarks of the channel API and Open311 POST under load: orders created per second through
real HTTP to gunicorn on loopback, on the configured database, with p50/p99 latency and the
error count. A small thread-pool load generator (keep-alive connections) stands in for locust;
it is bounded in requests and in time. Run by `manage.py bench` (imported by benchmarks.py)."""

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

CLIENTS = 8  # concurrent connections of the load generator
MAX_REQUESTS = 2000  # per benchmark
MAX_SECONDS = 60.0
WORKERS = 2 * (os.cpu_count() or 1)  # gunicorn sync workers: the usual 2 × cores

_phones = itertools.count(13700000000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn serving this project on 127.0.0.1, production-like (DEBUG off)."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {**os.environ, "DEBUG": "False", "DJANGO_SETTINGS_MODULE": "hotline.settings"}
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "hotline.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
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
        self.process.wait(timeout=30)


def _load(
    port: int, count: int, request: Callable[[int], tuple[str, str, bytes, dict[str, str]]]
) -> tuple[list[float], int, float]:
    """Send `count` requests from CLIENTS threads; (latencies in s, errors, wall seconds)."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
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
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors[0] += 1
        conn.close()

    with ThreadPoolExecutor(CLIENTS) as pool:
        for _ in range(CLIENTS):
            pool.submit(client)
    return latencies, errors[0], time.perf_counter() - started


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
    server = Server()
    try:
        latencies, errors, seconds = _load(server.port, count, make(key, code))
    finally:
        server.stop()
        _cleanup(channel)
    done = len(latencies)
    rate = (done - errors) / seconds if seconds else 0.0
    bench.results.append(Result(name, "orders", [rate], done, seconds))
    bench.out(
        f"  {name}: {rate:,.0f} orders/s through gunicorn ({WORKERS} workers, {CLIENTS} clients);"
        f" p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, p99"
        f" {_percentile(latencies, 0.99) * 1000:.0f} ms; {done:,} requests, {errors} errors"
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


def bench_open311_post_http(bench: Bench) -> None:
    _run(bench, "Open311 POST requests (HTTP, gunicorn)", "open311", _open311_request)
