"""Side effects run after commit, never for a move that rolled back."""

from __future__ import annotations

import pytest

from hotline.workorders.errors import InvalidInput
from hotline.workorders.services import workorder_transition
from hotline.workorders.signals import workorder_event
from hotline.workorders.tests import factories as f


@pytest.fixture
def received():
    events = []

    def receiver(sender, event, **kwargs):
        events.append(event)

    workorder_event.connect(receiver)
    yield events
    workorder_event.disconnect(receiver)


def test_it_notifies_after_commit(org, received, django_capture_on_commit_callbacks):
    order = f.registered(org)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workorder_transition(order=order, action="dispatch", actor=org.dave, lead_unit="U-WATER")
    assert received == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [e.action for e in received] == ["dispatch"]


def test_it_notifies_nothing_for_a_refused_move(org, received, django_capture_on_commit_callbacks):
    order = f.registered(org)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
        workorder_transition(order=order, action="dispatch", actor=org.dave, lead_unit="NOPE")
    assert received == []


def test_it_notifies_every_order_a_merge_touches(org, received, django_capture_on_commit_callbacks):
    master, repeat = f.registered(org), f.registered(org)
    with django_capture_on_commit_callbacks(execute=True):
        workorder_transition(order=repeat, action="merge", actor=org.alice, master=master.number)
    assert {(e.order_id, e.action) for e in received} == {
        (repeat.pk, "merge"),
        (master.pk, "merge"),
    }


def test_it_never_rewrites_an_event(org):
    event = f.registered(org).events.get()
    event.note = "改写历史"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
