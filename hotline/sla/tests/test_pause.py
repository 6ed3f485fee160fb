"""Stopping the clock while the unit waits on the requester (等待诉求人), where the city allows
it: the deadlines move on by the time the clock stood still, the scans leave a paused order
alone, and lateness is judged against the moved deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from hotline.sla.scans import sla_scan
from hotline.workorders.clocks import TimeStatus, time_status, time_status_q
from hotline.workorders.errors import IllegalTransition, NotPermitted
from hotline.workorders.models import WorkOrder
from hotline.workorders.services import workorder_transition

from .test_scans import at, inquiry_in_progress

# The golden cases were worked out with these rules (conftest), not the shipped default.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("golden_rules")]

DUE = at(2026, 3, 4, 17, 30)  # the inquiry's reply deadline (test_scans.inquiry_in_progress)


@pytest.fixture
def allowed(settings):
    settings.HOTLINE = {**settings.HOTLINE, "PAUSE_WAITING_REQUESTER": 1}


def _move(order, action, actor, when, **params):
    with time_machine.travel(when, tick=False):
        workorder_transition(order=order, action=action, actor=actor, **params)
    order.refresh_from_db()
    return order


def test_it_refuses_to_pause_where_the_city_does_not_allow_it(org):
    order = inquiry_in_progress(org)
    events = order.events.count()
    with pytest.raises(IllegalTransition, match="未启用"):
        _move(order, "pause_clock", org.bob, at(2026, 3, 3), note="等诉求人补充材料")
    assert order.clock_paused_at is None and order.events.count() == events


def test_it_moves_the_deadline_on_by_the_pause(org, allowed):
    order = inquiry_in_progress(org)
    warn = order.reply_warn_at
    order = _move(order, "pause_clock", org.bob, at(2026, 3, 3, 9), note="等诉求人提供房产证")
    assert order.clock_paused_at == at(2026, 3, 3, 9)
    assert time_status(order, at(2026, 3, 9)) == TimeStatus.PAUSED
    order = _move(order, "resume_clock", org.bob, at(2026, 3, 5, 9))
    assert order.clock_paused_at is None
    assert order.reply_due_at == DUE + timedelta(days=2)
    assert order.reply_warn_at == warn + timedelta(days=2)
    event = order.events.get(action="resume_clock")
    assert event.payload["paused_minutes"] == 2 * 24 * 60
    assert event.payload["clocks"]["reply_due_at"] == (DUE + timedelta(days=2)).isoformat()
    assert order.events.get(action="pause_clock").is_public  # the requester sees it waits on them


def test_it_leaves_a_paused_order_out_of_the_scans_and_late_lists(org, allowed):
    order = inquiry_in_progress(org)
    order = _move(order, "pause_clock", org.bob, at(2026, 3, 4, 8), note="约定周五上门")
    with time_machine.travel(at(2026, 3, 6, 12), tick=False):
        counts = sla_scan()
    assert counts["urge"] == counts["supervise"] == counts["warning"] == 0
    late = WorkOrder.objects.filter(time_status_q(TimeStatus.OVERDUE, at(2026, 3, 6, 12)))
    assert not late.exists()
    paused = WorkOrder.objects.filter(time_status_q(TimeStatus.PAUSED, at(2026, 3, 6, 12)))
    assert list(paused) == [order]
    order.refresh_from_db()
    assert order.urge_count == 0 and not order.replied_late


def test_it_ends_the_pause_with_the_reply_and_judges_it_on_the_moved_deadline(org, allowed):
    order = inquiry_in_progress(org)
    order = _move(order, "pause_clock", org.bob, at(2026, 3, 4, 8), note="等诉求人回电")
    # Past the original deadline, but within it once the three paused days are added.
    order = _move(order, "reply", org.bob, at(2026, 3, 7, 10), note="已与诉求人确认，问题已解决")
    assert order.clock_paused_at is None
    assert order.reply_due_at == DUE + timedelta(days=3, hours=2)
    assert not order.replied_late
    assert order.events.get(action="reply").payload["paused_minutes"] == (3 * 24 + 2) * 60


def test_it_lets_only_the_lead_unit_pause(org, allowed):
    order = inquiry_in_progress(org)
    for other in (org.charlie, org.dave):  # another unit; the hotline's dispatcher
        with pytest.raises(NotPermitted):
            _move(order, "pause_clock", other, at(2026, 3, 3), note="x")
    order = _move(order, "pause_clock", org.bob, at(2026, 3, 3), note="等待")
    with pytest.raises(IllegalTransition, match="已在等待诉求人"):
        _move(order, "pause_clock", org.bob, at(2026, 3, 3, 11), note="再等")


def test_it_refuses_to_resume_a_running_clock(org, allowed):
    order = inquiry_in_progress(org)
    with pytest.raises(IllegalTransition, match="没有暂停"):
        _move(order, "resume_clock", org.bob, at(2026, 3, 3))


def test_it_clears_the_pause_when_the_order_is_returned(org, allowed):
    order = inquiry_in_progress(org)
    order = _move(order, "pause_clock", org.bob, at(2026, 3, 3), note="等待")
    order = _move(
        order, "return", org.bob, at(2026, 3, 3, 11), note="不属本单位", legal_basis="职责规定"
    )
    assert order.clock_paused_at is None


def test_it_offers_the_moves_on_the_order_page_only_when_they_make_sense(client, org, settings):
    from django.urls import reverse

    order = inquiry_in_progress(org)
    client.force_login(org.bob)
    page = client.get(reverse("workorder_detail", args=[order.number])).content.decode()
    assert 'id="action-pause_clock"' not in page  # the city does not stop the clock
    settings.HOTLINE = {**settings.HOTLINE, "PAUSE_WAITING_REQUESTER": 1}
    page = client.get(reverse("workorder_detail", args=[order.number])).content.decode()
    assert 'id="action-pause_clock"' in page and 'id="action-resume_clock"' not in page
    r = client.post(
        reverse("workorder_act", args=[order.number, "pause_clock"]),
        {"pause_clock-note": "等诉求人补充材料", "pause_clock-expected_version": order.version},
    )
    assert r.status_code == 302
    page = client.get(reverse("workorder_detail", args=[order.number])).content.decode()
    assert 'id="action-resume_clock"' in page and "暂停计时" in page
