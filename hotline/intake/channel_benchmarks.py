"""Benchmarks of the channel API and Open311 POST under load: orders created per second through
real HTTP to gunicorn on loopback, on the configured database, with p50/p99 latency and the
error count. Run by `manage.py bench --only channel`.

The load generator shares the machine's cores with gunicorn and PostgreSQL, so it must cost
little: `wrk` (Debian's package; `make bench` installs it when it can) with a Lua script that
gives every request its own Idempotency-Key and body, in RUNS runs bounded in time and in
requests, after a warm-up of every worker; the median run is reported, and the CPU per created
order of gunicorn, PostgreSQL and wrk itself. Without wrk a thread-pool generator (http.client,
keep-alive) stands in, at several times wrk's CPU per request.

Environment: BENCH_WORKERS (default one per core), BENCH_WORKER_CLASS (gthread, the default,
or sync), BENCH_THREADS (gthread's threads per worker, default 4), BENCH_CLIENTS (default 16),
BENCH_SECONDS (per run, default 10), BENCH_RUNS (default 3). Gunicorn gets persistent database
connections (DB_CONN_MAX_AGE=60 unless set): a production server keeps them, and a new
PostgreSQL connection per request would be measured instead of the creation."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

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
MAX_REQUESTS = 6000  # per run
MAX_SECONDS = float(os.getenv("BENCH_SECONDS", "10"))  # per run
RUNS = int(os.getenv("BENCH_RUNS", "3"))
WRK = shutil.which("wrk")
# One gthread worker per core, four threads each: keep-alive connections (sync workers close
# every one), and on two cores 2 × 4 created 2.4–2.7 times as many orders per second as
# gunicorn's usual 2 × cores + 1 sync workers, at about 40 % less CPU per order, in two runs
# minutes apart under the same load (docs/benchmarks.md).
WORKERS = int(os.getenv("BENCH_WORKERS", str(os.cpu_count() or 1)))
WORKER_CLASS = os.getenv("BENCH_WORKER_CLASS", "gthread")
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
    return Load(
        errors=errors[0],
        seconds=time.perf_counter() - started,
        requests=len(latencies),
        created=len(done_at),
        p50=_percentile(latencies, 0.5),
        p99=_percentile(latencies, 0.99),
    )


@dataclass
class Load:
    """What one run of the load generator saw."""

    errors: int  # non-201 answers and connection errors
    seconds: float
    requests: int
    created: int
    p50: float  # seconds, every request
    p99: float


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


def _run_once(port: int, count: int, request: Request, script: str, first: int) -> Load:
    """One measured run: wrk with `script` if it is installed, else the thread pool."""
    if WRK is None or not script:
        return _load(port, count, request, first=first)
    return _wrk(port, count, script, first)


def _wrk(port: int, count: int, script: str, first: int) -> Load:
    """wrk with two threads (one per core) and CLIENTS connections, for MAX_SECONDS or `count`
    requests; its Lua `done` prints one JSON line with the counts and latencies."""
    threads = max(1, min(2, CLIENTS))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [
                str(WRK),
                "-t",
                str(threads),
                "-c",
                str(CLIENTS),
                "-d",
                f"{MAX_SECONDS:.0f}s",
                "--timeout",
                "30s",
                "-s",
                f.name,
                f"http://127.0.0.1:{port}/",
                "--",
                str(first),
                str(-(-count // threads)),
            ],
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS + 60,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON ") :])
    seconds = data["duration_us"] / 1e6
    return Load(
        errors=data["errors"] + data["socket_errors"],
        seconds=seconds,
        requests=data["requests"],
        created=data["created"],
        p50=data["p50_us"] / 1e6,
        p99=data["p99_us"] / 1e6,
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(
    bench: Bench, name: str, kind: str, make: Callable[[str, str], Request], lua: LuaMaker
) -> None:
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
    script = lua(key, code)
    server = Server()
    runs: list[Load] = []
    try:
        # Warm-up, not counted: every worker imports, connects and fills its caches.
        _load(server.port, 10 * WORKERS, request, first=RUNS * MAX_REQUESTS * 10)
        load_before = os.getloadavg()[0]
        cpu_before = (*_server_cpu(server.process.pid), _children_cpu())
        for i in range(RUNS):
            runs.append(_run_once(server.port, count, request, script, first=i * count * 10))
        cpu_after = (*_server_cpu(server.process.pid), _children_cpu())
        load_after = os.getloadavg()[0]
    finally:
        server.stop()
        _cleanup(channel)
    rates = [r.created / r.seconds if r.seconds else 0.0 for r in runs]
    middle = sorted(runs, key=lambda r: r.created / r.seconds if r.seconds else 0.0)[len(runs) // 2]
    created = sum(r.created for r in runs)
    errors = sum(r.errors for r in runs)
    result = Result(name, "orders", rates, created, sum(r.seconds for r in runs))
    bench.results.append(result)
    workers = f"{WORKER_CLASS} × {THREADS} threads" if WORKER_CLASS == "gthread" else WORKER_CLASS
    generator = "wrk" if WRK and script else "thread-pool generator"
    bench.out(
        f"  {name}: median of {len(runs)} runs {result.median:,.0f} orders/s (runs "
        f"{', '.join(f'{r:,.0f}' for r in rates)}); median run p50 {middle.p50 * 1000:.0f} ms,"
        f" p99 {middle.p99 * 1000:.0f} ms; {sum(r.requests for r in runs):,} requests,"
        f" {errors} errors; gunicorn {WORKERS} {workers} workers, {generator} with"
        f" {CLIENTS} connections, {MAX_SECONDS:.0f} s a run; load average {load_before:.1f}"
        f" → {load_after:.1f}"
    )
    web, db, gen = (
        (after - before) * 1000 / max(1, created)
        for before, after in zip(cpu_before, cpu_after, strict=True)
    )
    bench.out(
        f"    CPU per created order: gunicorn {web:.1f} ms, PostgreSQL backends {db:.1f} ms,"
        f" load generator {gen:.1f} ms (total {web + db + gen:.1f}) → at most"
        f" {(os.cpu_count() or 1) * 1000 / (web + db + gen):,.0f} orders/s on"
        f" {os.cpu_count()} idle cores"
        if web + db > 0
        else "    CPU per created order: not measurable here"
    )


# wrk's Lua: each thread numbers its requests from `first` (its own million), so every request
# has its own Idempotency-Key and content; `response` counts 201s and anything else, and stops
# the thread after `limit` answers; `done` sums the threads and prints one line of JSON.
WRK_LUA = """
local threads = {}
local next_tid = 1
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end
function init(args)
  first = tonumber(args[1])
  limit = tonumber(args[2])
  n = 0
  created = 0
  errors = 0
end
function request()
  n = n + 1
  local i = first + tid * 1000000 + n
  local phone = string.format("137%%08d", i %% 100000000)
  return %(request)s
end
function response(status, headers, body)
  if status == 201 then created = created + 1 else errors = errors + 1 end
  if created + errors >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local c, e = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    e = e + t:get("errors")
  end
  local s = summary.errors
  io.write(string.format(
    'WRKJSON {"created": %%d, "errors": %%d, "socket_errors": %%d, "requests": %%d,'
    .. ' "duration_us": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    c, e, s.connect + s.read + s.write + s.timeout, summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
"""
LuaMaker = Callable[[str, str], str]


def _channel_request(key: str, code: str) -> Request:
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


def _channel_lua(key: str, code: str) -> str:
    request = f"""wrk.format("POST", "/api/channel/requests", {{
    ["Content-Type"] = "application/json",
    ["X-Channel-Key"] = "{key}",
    ["Idempotency-Key"] = "bench-" .. i,
  }}, '{{"title": "基准测试诉求", "content": "第 ' .. i .. ' 条基准测试诉求内容。",'
    .. ' "requester_phone": "' .. phone .. '"}}')"""
    return WRK_LUA % {"request": request}


def _open311_request(key: str, code: str) -> Request:
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


def _open311_lua(key: str, code: str) -> str:
    fixed = urlencode({"api_key": key, "service_code": code, "lat": "38.1", "long": "110.1"})
    request = f"""wrk.format("POST", "/open311/v2/requests.json", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }}, "{fixed}&description={quote("第 ")}" .. i .. "{quote(" 条基准测试诉求")}&phone=" .. phone)"""
    return WRK_LUA % {"request": request}


def bench_channel_api_create_http(bench: Bench) -> None:
    _run(bench, "channel API: create order (HTTP, gunicorn)", "app", _channel_request, _channel_lua)


def bench_channel_open311_post_http(bench: Bench) -> None:
    _run(bench, "Open311 POST requests (HTTP, gunicorn)", "open311", _open311_request, _open311_lua)
