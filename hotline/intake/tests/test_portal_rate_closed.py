"""The transition the portal needs from workorders: a CALLBACK (rating) on an order closed
without a rating records the rating and leaves the order closed; never a second one, and the
desks do not offer it (staff call back while the order awaits a callback)."""

from __future__ import annotations

import pytest

from hotline.accounts.services import system_user
from hotline.workorders.choices import Action, Rating, Status
from hotline.workorders.errors import IllegalTransition
from hotline.workorders.models import WorkOrderEvent
from hotline.workorders.permissions import actions_for
from hotline.workorders.services import workorder_transition
from hotline.workorders.tests import factories


def _closed_unreachable(org):
    order = factories.awaiting_callback(org)
    for _ in range(3):  # CALLBACK_MAX_ATTEMPTS
        factories.move(order, Action.CALLBACK_UNREACHABLE, org.carl)
    assert order.status == Status.CLOSED and order.rating == ""
    return order


@pytest.mark.django_db
def test_it_records_a_late_rating_and_keeps_the_order_closed(org):
    order = _closed_unreachable(org)
    closed_at = order.closed_at
    event = workorder_transition(
        order=order, action=Action.CALLBACK, actor=system_user(), rating="satisfied", solved=True
    )
    order.refresh_from_db()
    assert (order.status, order.closed_at) == (Status.CLOSED, closed_at)
    assert (order.rating, order.solved) == (Rating.SATISFIED, True)
    assert (event.from_status, event.to_status) == (Status.CLOSED, Status.CLOSED)
    assert event.payload == {"rating": "satisfied", "solved": True}


@pytest.mark.django_db
def test_it_refuses_a_second_rating_of_a_closed_order(org):
    order = factories.awaiting_callback(org)
    factories.move(order, Action.CALLBACK, org.carl, rating="satisfied", solved=True)
    assert order.status == Status.CLOSED
    with pytest.raises(IllegalTransition):
        workorder_transition(
            order=order,
            action=Action.CALLBACK,
            actor=system_user(),
            rating="dissatisfied",
            solved=False,
        )
    order.refresh_from_db()
    assert order.rating == Rating.SATISFIED
    assert WorkOrderEvent.objects.filter(order=order, action=Action.CALLBACK).count() == 1


@pytest.mark.django_db
def test_it_keeps_the_callback_off_the_desks_for_a_closed_order(org):
    order = _closed_unreachable(org)
    assert Action.CALLBACK not in actions_for(org.carl, order)
    awaiting = factories.awaiting_callback(org)
    assert Action.CALLBACK in actions_for(org.carl, awaiting)
