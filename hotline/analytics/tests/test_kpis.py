"""Every KPI against a hand computation over a small known history (docs/kpis.md).

The history, all in the week 2026-03-02 .. 2026-03-08 (Asia/Shanghai) unless said otherwise:
  o1 registered and answered at intake (awaits its callback)
  o2 dispatched to water, acknowledged, replied, accepted, rated 满意 + solved      (due 03-04)
  o3 dispatched to water, returned by water, reassigned to housing, acknowledged late,
     replied late, accepted, rated 基本满意 + not solved                              (due 03-05)
  o4 dispatched to water, acknowledged, replied, accepted, rated 不满意, redone        (due 03-09)
  o5 dispatched to water, never acknowledged                                        (due 03-06)
  o6 registered and dispatched the week before (outside the period)
  o7 registered from o2's phone on o2's category four days later (a repeat call)
Contacts with the requester (联系诉求人; the limit is 24 hours after the round's dispatch):
  o2 two hours after its dispatch; o3 by housing in time but its acknowledgement was late;
  o4 25 hours after its first dispatch (too late, and that round was replaced by the redo);
  o5 in time but never acknowledged
Quality inspections (质检) of alice's work, inspected on 03-07 by ivy:
  call 1 full marks (passes); call 2 lost 5 points on the veto item 服务态度 (fails), appealed,
  upheld on review (passes); call 3 lost 诉求记录完整 (75 of 100, fails), appealed, rejected;
  o7's intake record passes; o6's (registered the week before) fails and is not counted
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.analytics.kpis import KPIS, KpiFilters, kpi_compute, kpi_table
from hotline.catalog.models import Category
from hotline.quality.services import appeal_file, appeal_review, checklist, inspection_create
from hotline.telephony.choices import CallOutcome, Direction
from hotline.telephony.models import CallRecord
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_register, workorder_transition

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
WEEK = KpiFilters(start=date(2026, 3, 2), end=date(2026, 3, 8))


def at(day: int, hour: int = 9, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


def go(order: WorkOrder, action: str, actor, when: datetime, **params) -> None:
    workorder_transition(order=order, action=action, actor=actor, at=when, **params)


@pytest.fixture
def history(org):
    leaf = Category.objects.filter(level=3, is_active=True).order_by("pk").first()

    def register(when: datetime, phone: str, **kw) -> WorkOrder:
        return workorder_register(
            actor=org.alice,
            channel="phone",
            request_type="complaint",
            title="停水",
            content="小区停水",
            requester_phone=phone,
            region=org.street.code,
            at=when,
            **kw,
        )

    def loop(order: WorkOrder, day: int, rating: str, solved: bool, handler=None) -> None:
        handler = handler or org.bob
        go(order, "reply", handler, at(day, 14), note="已处理")
        go(order, "accept_reply", org.sue, at(day, 16))
        go(order, "callback", org.carl, at(day + 1, 10), rating=rating, solved=solved)

    o1 = register(at(2), "13900000001")
    go(o1, "resolve_at_intake", org.alice, at(2, 10), note="已当场解答")

    o2 = register(at(2), "13900000002", category=leaf.pk)
    go(o2, "dispatch", org.dave, at(2, 10), lead_unit=org.water.pk)
    go(o2, "acknowledge", org.bob, at(2, 11))
    go(o2, "contact_requester", org.bob, at(2, 12), method="phone")
    loop(o2, 3, "satisfied", True)

    o3 = register(at(3), "13900000003")
    go(o3, "dispatch", org.dave, at(3, 10), lead_unit=org.water.pk)
    go(o3, "acknowledge", org.bob, at(3, 11))
    go(o3, "return", org.bob, at(3, 12), note="不属本单位", legal_basis="职责规定")
    go(o3, "reassign", org.dave, at(4, 9), lead_unit=org.housing.pk)
    go(o3, "acknowledge", org.charlie, at(4, 10))
    go(o3, "contact_requester", org.charlie, at(4, 11), method="visit")
    loop(o3, 5, "fairly_satisfied", False, handler=org.charlie)

    o4 = register(at(4), "13900000004")
    go(o4, "dispatch", org.dave, at(4, 10), lead_unit=org.water.pk)
    go(o4, "acknowledge", org.bob, at(4, 11))
    go(o4, "contact_requester", org.bob, at(5, 11), method="sms")
    loop(o4, 5, "dissatisfied", False)
    go(o4, "redo", org.carl, at(6, 11), note="诉求人不满意")

    o5 = register(at(5), "13900000005")
    go(o5, "dispatch", org.dave, at(5, 10), lead_unit=org.water.pk)
    go(o5, "contact_requester", org.bob, at(5, 12), method="phone")

    o6 = register(at(26, month=2), "13900000006")
    go(o6, "dispatch", org.dave, at(26, 10, month=2), lead_unit=org.water.pk)

    o7 = register(at(6), "13900000002", category=leaf.pk)

    # The clocks as the time-limit rules would have set them (fixed here so the figures
    # depend on this history only).
    WorkOrder.objects.update(acknowledged_late=False, replied_late=False, reply_due_at=None)
    for order, due in [(o2, at(4, 18)), (o3, at(5, 18)), (o4, at(9, 18)), (o5, at(6, 18))]:
        WorkOrder.objects.filter(pk=order.pk).update(reply_due_at=due)
    WorkOrder.objects.filter(pk=o3.pk).update(acknowledged_late=True, replied_late=True)

    calls = [
        (CallOutcome.ANSWERED, 5, 100),
        (CallOutcome.ANSWERED, 10, 200),
        (CallOutcome.ANSWERED, 20, 300),
        (CallOutcome.ANSWERED, 30, 400),
        (CallOutcome.ABANDONED, 40, 0),
        (CallOutcome.IVR, 0, 60),
    ]
    for i, (outcome, wait, talk) in enumerate(calls):
        CallRecord.objects.create(
            centre=org.centre,
            direction=Direction.INBOUND,
            caller_number=f"1390000010{i}",
            started_at=at(3, 8 + i),
            wait_seconds=wait,
            talk_seconds=talk,
            outcome=outcome,
            agent=org.alice if outcome == CallOutcome.ANSWERED else None,
        )
    CallRecord.objects.create(  # the week before: not counted
        centre=org.centre,
        caller_number="13900000199",
        started_at=at(1, 8),
        outcome=CallOutcome.ABANDONED,
        wait_seconds=90,
    )
    inspect_history(org, o6, o7)
    return org


def inspect_history(org, o6: WorkOrder, o7: WorkOrder) -> None:
    ivy = user_create(
        username="ivy", password="x", display_name="ivy", memberships=[(org.centre, Role.INSPECTOR)]
    )

    def scores(**less: int) -> dict[int, Decimal]:
        return {i.pk: Decimal(i.points - less.get(i.name, 0)) for i in checklist("call")}

    call1, call2, call3 = CallRecord.objects.filter(agent=org.alice).order_by("started_at")[:3]
    inspection_create(inspector=ivy, call=call1, scores=scores(), at=at(7, 9))
    vetoed = inspection_create(inspector=ivy, call=call2, scores=scores(服务态度=5), at=at(7, 9))
    short = inspection_create(
        inspector=ivy, call=call3, scores=scores(诉求记录完整=25), at=at(7, 9)
    )
    inspection_create(inspector=ivy, order=o7, scores=scores(), at=at(7, 9))
    inspection_create(inspector=ivy, order=o6, scores=scores(服务态度=15), at=at(7, 9))
    upheld = appeal_file(inspection=vetoed, agent=org.alice, reason="诉求人先辱骂", at=at(7, 10))
    appeal_review(
        appeal=upheld,
        reviewer=org.sue,
        upheld=True,
        note="复听录音属实",
        scores=scores(),
        at=at(7, 11),
    )
    rejected = appeal_file(inspection=short, agent=org.alice, reason="不服", at=at(7, 10))
    appeal_review(appeal=rejected, reviewer=org.sue, upheld=False, note="记录缺地址", at=at(7, 11))


def fig(code: str, filters: KpiFilters = WEEK) -> tuple[Decimal, Decimal | None]:
    f = kpi_compute(code, filters)
    return f.numerator, f.denominator


@pytest.mark.parametrize(
    "code, numerator, denominator",
    [
        ("registered", 6, None),  # o1 o2 o3 o4 o5 o7
        ("daily_average", 6, 7),
        ("direct_resolution", 1, 6),  # o1
        ("closure", 2, 6),  # o2 o3 closed; o1 awaits its callback, o4 redone, o5 o7 open
        ("on_time_acknowledge", 1, 4),  # rounds dispatched in the week: o2 o3 o4 o5; only o2
        ("response", 1, 4),  # o2: acknowledged in time and contacted within 24 hours
        ("on_time_reply", 1, 3),  # due in the week: o2 o3 o5; o3 late, o5 unanswered
        ("overdue_rate", 2, 3),
        ("return_rate", 1, 5),  # dispatches o2 o3 o4 o5 + o3's reassignment
        ("redo_rate", 1, 3),  # replies o2 o3 o4
        ("callback_rate", 3, 4),  # o1 o2 o3 o4 queued, o1 not called back yet
        ("satisfaction", 2, 3),  # 满意 + 基本满意 (weight 1) of three ratings
        ("resolution", 1, 3),
        ("repeat_calls", 1, 6),  # o7
        ("quality_pass", 3, 4),  # calls 1, 2 (after its appeal), o7; not call 3; o6 outside
        ("answer_rate", 4, 5),  # the IVR call is not offered to a human
        ("answer_within", 2, 5),  # waits 5 and 10 of 5/10/20/30
        ("abandonment", 1, 5),
        ("average_wait", 65, 4),
        ("average_talk", 1000, 4),
    ],
)
def test_it_computes_each_kpi_as_by_hand(history, code, numerator, denominator):
    expected = (Decimal(numerator), None if denominator is None else Decimal(denominator))
    assert fig(code) == expected


def test_it_weights_the_composite_of_the_three_rates(history):
    # 响应率 1/4, 解决率 1/3, 满意率 2/3: 30 × 1/4 + 35 × 1/3 + 35 × 2/3 = 42.5 of 100
    assert kpi_compute("composite", WEEK).rounded() == Decimal("0.4250")


def test_it_counts_a_contact_only_within_the_limit(history, settings):
    settings.HOTLINE_KPI = {**settings.HOTLINE_KPI, "CONTACT_WITHIN_HOURS": 1}
    assert fig("response") == (Decimal(0), Decimal(4))  # o2 was contacted after two hours
    assert fig("on_time_acknowledge") == (Decimal(1), Decimal(4))  # acknowledgement unchanged
    # 响应率 0: 30 × 0 + 35 × 1/3 + 35 × 2/3 = 35 of 100
    assert kpi_compute("composite", WEEK).rounded() == Decimal("0.3500")
    settings.HOTLINE_KPI = {**settings.HOTLINE_KPI, "COMPOSITE_RESPONSE": "on_time_acknowledge"}
    assert kpi_compute("composite", WEEK).rounded() == Decimal("0.4250")  # 按时签收率 1/4 again


def test_it_reads_the_first_contact_of_the_current_round(history):
    o4 = WorkOrder.objects.get(requester_phone="13900000004")
    lead = o4.assignments.get(is_active=True, role="lead")
    assert lead.contacted_at is None  # the redo started a round with no contact yet
    assert o4.events.filter(action="contact_requester").count() == 1  # the old one is kept


def test_it_slices_the_quality_figure_by_the_agents_centre_and_the_order(history):
    centre = KpiFilters(start=WEEK.start, end=WEEK.end, unit=history.centre)
    assert fig("quality_pass", centre) == (Decimal(3), Decimal(4))
    water = KpiFilters(start=WEEK.start, end=WEEK.end, unit=history.water)
    assert fig("quality_pass", water) == (Decimal(0), Decimal(0))  # units are not inspected
    phone = KpiFilters(start=WEEK.start, end=WEEK.end, channel="phone")
    assert fig("quality_pass", phone) == (Decimal(1), Decimal(1))  # only o7 has an order
    before = KpiFilters(start=date(2026, 2, 23), end=date(2026, 3, 1))
    assert fig("quality_pass", before) == (Decimal(0), Decimal(1))  # o6, failed


@override_settings(
    HOTLINE_KPI={
        "BASIC_SATISFIED_WEIGHT": 0,
        "ANSWER_WITHIN_SECONDS": 20,
        "COMPOSITE_WEIGHTS": {"response": 30, "resolution": 35, "satisfaction": 35},
    }
)
def test_it_follows_the_city_settings(history):
    assert fig("satisfaction") == (Decimal(1), Decimal(3))  # 基本满意 no longer counts
    assert fig("answer_within") == (Decimal(3), Decimal(5))  # 20 s now answered in time


def test_it_slices_by_unit_with_the_unit_the_figure_concerns(history):
    water = KpiFilters(start=WEEK.start, end=WEEK.end, unit=history.water, unit_subtree=False)
    assert fig("registered", water) == (Decimal(3), None)  # o2 o4 o5 led by water now
    # Water returned once out of the four orders dispatched to it.
    assert fig("return_rate", water) == (Decimal(1), Decimal(4))
    housing = KpiFilters(start=WEEK.start, end=WEEK.end, unit=history.housing)
    assert fig("return_rate", housing) == (Decimal(0), Decimal(1))


def test_it_slices_by_channel_and_region(history):
    web = KpiFilters(start=WEEK.start, end=WEEK.end, channel="web")
    assert fig("registered", web) == (Decimal(0), None)
    elsewhere = KpiFilters(start=WEEK.start, end=WEEK.end, region=history.other_county)
    assert fig("registered", elsewhere) == (Decimal(0), None)
    assert fig("answer_rate", elsewhere) == (Decimal(0), Decimal(0))
    assert kpi_compute("answer_rate", elsewhere).value is None  # nothing to divide by


def test_it_counts_only_what_the_base_scope_holds(history):
    water_orders = WorkOrder.objects.visible_to(history.bob)
    figure = kpi_compute("registered", WEEK, water_orders)
    assert figure.numerator == 4  # o2 o3 o4 o5 were sent to water; o1 and o7 never were


def test_it_lists_every_kpi_once_with_its_formula(history):
    table = kpi_table(WEEK)
    assert [k.code for k, _ in table] == list(KPIS)
    assert all(k.formula and k.name for k, _ in table)


def test_it_has_a_period_of_whole_local_days():
    start, end = WEEK.bounds()
    assert start == datetime(2026, 3, 2, tzinfo=TZ)
    assert end - start == timedelta(days=7)
    assert WEEK.days == 7
