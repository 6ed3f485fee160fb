"""Benchmarks of the work-order core (run by `manage.py bench`).

They build their own small organisation (codes starting BENCH) on the configured database,
register and move real orders through the services and the API, and delete what they made."""

from __future__ import annotations

import itertools
import json

from django.db import transaction
from django.test import Client

from hotline.accounts.choices import RegionLevel, Role, UnitKind
from hotline.accounts.models import ApiToken, Region, Unit, User
from hotline.accounts.services import user_create
from hotline.core.bench import Bench

from .models import WorkOrder, WorkOrderAssignment, WorkOrderEvent
from .services import workorder_register, workorder_transition


class BenchOrg:
    def __init__(self) -> None:
        region, _ = Region.objects.get_or_create(
            code="990000", defaults={"name": "基准测试市", "level": RegionLevel.CITY}
        )
        self.region = region
        self.centre = self._unit("BENCH-C0", "基准热线中心", UnitKind.CENTRE, None)
        self.unit = self._unit("BENCH-U1", "基准承办单位", UnitKind.DEPARTMENT, self.centre)
        self.agent = self._user("bench_agent", self.centre, Role.AGENT)
        self.dispatcher = self._user("bench_dispatcher", self.centre, Role.DISPATCHER)
        self.supervisor = self._user("bench_supervisor", self.centre, Role.SUPERVISOR)
        self.caller = self._user("bench_callback", self.centre, Role.CALLBACK_AGENT)
        self.handler = self._user("bench_handler", self.unit, Role.UNIT_HANDLER)

    def _unit(self, code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        unit = Unit.objects.filter(code=code).first()
        return unit or Unit.objects.create(
            code=code, name=name, kind=kind, region=self.region, parent=parent
        )

    def _user(self, username: str, unit: Unit, role: str) -> User:
        user = User.objects.filter(username=username).first()
        return user or user_create(
            username=username, password="bench-only-12345", memberships=[(unit, role)]
        )

    def cleanup(self) -> None:
        orders = WorkOrder.objects.filter(centre=self.centre)
        with transaction.atomic():
            WorkOrderEvent.objects.filter(order__in=orders).delete()
            WorkOrderAssignment.objects.filter(order__in=orders).delete()
            orders.filter(master__isnull=False).update(master=None)
            orders.delete()


_phones = itertools.count(13900000000)


def _register(org: BenchOrg) -> WorkOrder:
    return workorder_register(
        actor=org.agent,
        channel="phone",
        request_type="complaint",
        title="基准测试：小区路灯不亮",
        content="小区东门至北门一段路灯连续三晚不亮，夜间出行不便，请尽快维修。",
        region=org.region,
        requester_phone=str(next(_phones)),
    )


def bench_workorders(bench: Bench) -> None:
    org = BenchOrg()
    org.cleanup()
    try:
        bench.timed("register (service)", "orders", range(bench.orders), lambda _: _register(org))

        _, key = ApiToken.issue(user=org.agent, name="bench")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        body = json.dumps(
            {
                "channel": "wechat",
                "request_type": "inquiry",
                "urgency": "normal",
                "title": "基准测试：社保卡补办",
                "content": "请问社保卡丢失后在哪里补办，需要带什么材料？",
                "region": org.region.code,
                "requester_phone": "13700000000",
            }
        )

        def post(_: object) -> None:
            response = client.post("/api/workorders", body, content_type="application/json")
            if response.status_code != 201:
                raise RuntimeError(
                    f"API register failed: {response.status_code} {response.content!r}"
                )

        bench.timed("register (API)", "orders", range(max(1, bench.orders // 5)), post)

        def lifecycle(_: object) -> None:
            pk = _register(org).pk
            workorder_transition(
                order=pk, action="dispatch", actor=org.dispatcher, lead_unit=org.unit
            )
            workorder_transition(order=pk, action="acknowledge", actor=org.handler)
            workorder_transition(
                order=pk, action="reply", actor=org.handler, note="已维修，路灯恢复。"
            )
            workorder_transition(order=pk, action="accept_reply", actor=org.supervisor)
            workorder_transition(
                order=pk, action="callback", actor=org.caller, rating="satisfied", solved=True
            )

        bench.timed(
            "full lifecycle (register → dispatch → acknowledge → reply → review → callback → closed)",
            "lifecycles",
            range(max(1, bench.orders // 5)),
            lifecycle,
        )
    finally:
        org.cleanup()


# The desks keep their own benchmarks beside their code; listed here so `bench` finds them.
from .desks.benchmarks import bench_desks  # noqa: E402, F401
