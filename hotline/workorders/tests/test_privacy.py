"""The one rule for showing a requester, shared by the pages and the API."""

from __future__ import annotations

from hotline.workorders.privacy import requester_view
from hotline.workorders.tests import factories as f

ID = "612727198001011234"


def test_it_masks_lists_for_everyone_and_details_for_those_who_do_not_call(org):
    order = f.dispatched(org, requester_phone="13912345678", requester_id_number=ID)
    assert requester_view(org.alice, order, detail=False).phone == "139****5678"
    agent = requester_view(org.alice, order, detail=True)
    assert (agent.phone, agent.id_number, agent.masked) == (
        "13912345678",
        "6127**********1234",
        True,
    )
    unit = requester_view(org.bob, order, detail=True)
    assert (unit.name, unit.phone, unit.masked) == ("王先生", "139****5678", True)
    revealed = requester_view(org.bob, order, detail=True, revealed=True)
    assert (revealed.phone, revealed.id_number, revealed.masked) == ("13912345678", ID, False)


def test_it_hides_a_confidential_requester_from_units_only(org):
    order = f.dispatched(org, is_confidential=True)
    assert requester_view(org.bob, order, detail=True).hidden
    assert requester_view(org.bob, order, detail=True, revealed=True).phone == "保密"
    assert requester_view(org.alice, order, detail=True).name == "王先生"


def test_it_names_nobody_for_an_anonymous_request(org):
    order = f.registered(org, is_anonymous=True, requester_phone="")
    view = requester_view(org.alice, order, detail=True)
    assert (view.name, view.phone, view.masked) == ("匿名", "", False)
