"""The jobs run in the embedded runner (no server) and through Celery with Redis."""

from __future__ import annotations

import os
import time as time_module
from datetime import datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from hotline.core.periodic import PeriodicJob, jobs
from hotline.core.scheduler import Runner, next_run
from hotline.sla.models import Notification, SlaAction
from hotline.workorders.tests.factories import move, registered

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_it_registers_the_scan_as_a_periodic_job():
    job = next(j for j in jobs() if j.name == "sla_scan")
    assert job.task == "hotline.sla.tasks.scan_time_limits"
    assert job.every == timedelta(minutes=5)


def test_it_runs_interval_jobs_at_start_then_every_interval():
    ran: list[str] = []
    job = PeriodicJob("j", "t", every=timedelta(minutes=5))
    runner = Runner([job], now=at(2026, 3, 2), run=lambda j: ran.append(j.name))
    assert runner.tick(at(2026, 3, 2)) == ["j"]
    assert runner.tick(at(2026, 3, 2, 10, 4)) == []
    assert runner.tick(at(2026, 3, 2, 10, 5)) == ["j"]
    assert ran == ["j", "j"]


def test_it_runs_daily_jobs_at_their_local_time():
    job = PeriodicJob("d", "t", daily_at=time(8, 0))
    assert next_run(job, at(2026, 3, 2, 7, 0)) == at(2026, 3, 2, 8, 0)
    assert next_run(job, at(2026, 3, 2, 8, 0)) == at(2026, 3, 3, 8, 0)
    runner = Runner([job], now=at(2026, 3, 2, 7, 0), run=lambda j: None)
    assert runner.tick(at(2026, 3, 2, 7, 59)) == []
    assert runner.tick(at(2026, 3, 2, 8, 0)) == ["d"]


def test_it_keeps_running_after_a_failing_job():
    def boom(job):
        raise RuntimeError("down")

    job = PeriodicJob("j", "t", every=timedelta(minutes=1))
    runner = Runner([job], now=at(2026, 3, 2), run=boom)
    assert runner.tick(at(2026, 3, 2)) == []
    assert runner.due["j"] == at(2026, 3, 2, 10, 1)


def overdue_order(org):
    with time_machine.travel(at(2026, 3, 2), tick=False):
        order = move(
            registered(org, request_type="inquiry"), "dispatch", org.dave, lead_unit=org.water.pk
        )
        return move(order, "acknowledge", org.bob)


def test_it_runs_the_scan_from_the_embedded_runner_command(org, golden_rules):
    order = overdue_order(org)
    out = StringIO()
    with time_machine.travel(at(2026, 3, 4, 18), tick=False):
        call_command("run_periodic", "--once", stdout=out)
    assert "sla_scan" in out.getvalue()
    order.refresh_from_db()
    assert order.urge_count == 1
    assert SlaAction.objects.filter(order=order, stage="urge").exists()


def _redis_url() -> str | None:
    url = os.getenv("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


def _forget_connections(app) -> None:
    # The app caches its producer pool and result backend from the first use (the in-memory
    # broker of the embedded default); drop them so the new broker settings apply.
    import threading

    app.close()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


# serialized_rollback: the catalogue's data migrations stay for this test, and the flush at its
# end does not recreate content types under the next serialized test.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_the_scan_on_a_celery_worker_through_redis(org, golden_rules):
    url = _redis_url()
    if url is None:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    from hotline.celery import app
    from hotline.sla.tasks import scan_time_limits

    order = overdue_order(org)
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_connections(app)
    try:
        with time_machine.travel(at(2026, 3, 4, 18), tick=False):
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                result = scan_time_limits.delay()
                # Poll the stored result (a plain GET) rather than wait on the pub/sub channel,
                # which misses the message when an earlier test used the app eagerly.
                for _i in range(300):
                    if result.ready():
                        break
                    time_module.sleep(0.1)
                counts = result.get(timeout=1)
    finally:
        app.conf.update(saved)
        _forget_connections(app)
    assert counts["urge"] == 1
    order.refresh_from_db()
    assert order.urge_count == 1
    assert Notification.objects.filter(order=order, kind="urge").exists()
