"""The demo's call records: one answered call per phone order, traffic around it, idempotent."""

from datetime import datetime

import pytest
from django.utils import timezone

from hotline.analytics.kpis import KpiFilters, kpi_compute
from hotline.core.demo.calls import seed_calls
from hotline.telephony.choices import CallOutcome
from hotline.telephony.models import CallRecord
from hotline.workorders.tests.factories import registered

pytestmark = pytest.mark.django_db


def test_it_writes_an_answered_call_behind_each_phone_order_once(org):
    at = datetime(2026, 3, 3, 10, tzinfo=timezone.get_default_timezone())
    phone = [registered(org, at=at) for _ in range(40)]
    registered(org, channel="web", at=at)
    written = seed_calls(centre=org.centre, agents=[org.alice])
    assert written == CallRecord.objects.count() >= 40
    for order in phone:
        call = CallRecord.objects.get(order=order)
        assert call.outcome == CallOutcome.ANSWERED
        assert call.caller_number == order.requester_phone
        assert call.started_at < order.created_at == call.ended_at
    assert not CallRecord.objects.filter(order__channel="web").exists()
    assert seed_calls(centre=org.centre, agents=[org.alice]) == 0  # nothing twice

    day = KpiFilters(start=at.date(), end=at.date())
    rate = kpi_compute("answer_rate", day).value
    assert rate is not None and 0.8 < rate < 1
