"""The one scoping rule: who sees which orders."""

from __future__ import annotations

from hotline.accounts.choices import Role
from hotline.accounts.models import Membership
from hotline.accounts.services import user_create
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories as f


def visible(user) -> set[str]:
    return set(WorkOrder.objects.visible_to(user).values_list("number", flat=True))


def test_it_shows_a_unit_only_what_was_sent_to_it(org):
    water = f.dispatched(org)
    housing = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.housing.pk)
    assert visible(org.bob) == {water.number}
    assert visible(org.charlie) == {housing.number}
    assert visible(org.bella) == {water.number}


def test_it_keeps_showing_a_unit_what_it_returned(org):
    order = f.returned(org)
    f.move(order, "reassign", org.dave, lead_unit=org.housing.pk)
    assert order.number in visible(org.bob)
    assert order.number in visible(org.charlie)


def test_it_shows_a_manager_the_subtree(org):
    order = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.street_office.pk)
    f.move(order, "redispatch", org.mia, lead_unit=org.community.pk)
    assert order.number in visible(org.mia)
    assert order.number in visible(org.cora)
    other = f.move(f.registered(org), "dispatch", org.dave, lead_unit=org.community.pk)
    assert other.number in visible(org.mia)  # sent below the street, never to it


def test_it_shows_the_hotline_its_region_only(org):
    here = f.registered(org)
    there = f.registered(org, region=org.other_county.code)
    assert {here.number, there.number} <= visible(org.alice)  # the city centre sees the city
    sub_agent = user_create(
        username="sub", password="x", memberships=[(org.sub_centre, Role.AGENT)]
    )
    assert visible(sub_agent) == {there.number}


def test_it_shows_nothing_without_a_membership(org):
    f.registered(org)
    nobody = user_create(username="nobody", password="x")
    assert visible(nobody) == set()
    Membership.objects.create(user=nobody, unit=org.centre, role=Role.AGENT, is_active=False)
    assert visible(nobody) == set()
