"""The inspection form starts with every score empty, so saving without scoring is refused
instead of recording full marks; a result reads the same way in the message and every list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.quality.models import Inspection
from hotline.quality.services import checklist, score_text
from hotline.telephony.choices import CallOutcome
from hotline.telephony.models import CallRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def ivy(org):
    return user_create(
        username="ivy", password="x", display_name="ivy", memberships=[(org.centre, Role.INSPECTOR)]
    )


@pytest.fixture
def call(org):
    started = datetime(2026, 3, 2, 9, tzinfo=timezone.get_default_timezone())
    return CallRecord.objects.create(
        centre=org.centre,
        caller_number="13900000001",
        started_at=started,
        answered_at=started + timedelta(seconds=5),
        wait_seconds=5,
        talk_seconds=120,
        outcome=CallOutcome.ANSWERED,
        agent=org.alice,
    )


def test_it_shows_every_score_empty_and_required(client, ivy, call):
    client.force_login(ivy)
    body = client.get(reverse("quality_inspect", args=["call", call.pk])).content.decode()
    inputs = re.findall(r'<input type="number" name="item_\d+"[^>]*>', body)
    assert len(inputs) == len(checklist("call")) > 0
    assert all('value=""' in i and "required" in i for i in inputs)


def test_it_refuses_to_save_without_scores(client, ivy, call):
    client.force_login(ivy)
    response = client.post(reverse("quality_inspect", args=["call", call.pk]), {"comment": ""})
    assert response.status_code == 400
    assert "请为「" in response.content.decode()
    assert not Inspection.objects.exists()


def test_it_writes_a_result_one_way_in_the_message_and_the_lists(client, ivy, call):
    client.force_login(ivy)
    data = {f"item_{i.pk}": str(i.points) for i in checklist("call")}
    response = client.post(reverse("quality_inspect", args=["call", call.pk]), data, follow=True)
    inspection = Inspection.objects.get()
    assert inspection.score == Decimal("100.0")
    message = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    assert "已质检：100 / 100，合格" in message
    assert "100 / 100" in response.content.decode()
    queue = client.get(reverse("quality_queue"), {"day": "2026-03-02", "percent": "100"})
    body = queue.content.decode()
    assert "100 / 100" in body and "100.0" not in body


def test_it_formats_a_half_point_and_a_whole_score_alike():
    assert score_text(Decimal("97.5"), 100) == "97.5 / 100"
    assert score_text(Decimal("100.0"), 100) == "100 / 100"
    assert score_text(Decimal(0), 100) == "0 / 100"
