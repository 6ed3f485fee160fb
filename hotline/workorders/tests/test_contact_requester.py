"""联系诉求人: the lead unit records how and when it reached the requester. An event like any other
move (public: the requester's progress page says the unit has been in touch); the round's first
contact is kept on the lead assignment, where 响应率 reads it."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.intake.portal_selectors import PLAIN_EVENT
from hotline.workorders.choices import Action
from hotline.workorders.errors import IllegalTransition, InvalidInput, NotPermitted
from hotline.workorders.models import WorkOrderAssignment
from hotline.workorders.services import workorder_transition

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


def _lead(order) -> WorkOrderAssignment:
    return order.assignments.get(is_active=True, role="lead")


def test_it_records_the_first_contact_of_the_round_on_the_assignment(org, water_order):
    first = workorder_transition(
        order=water_order,
        action="contact_requester",
        actor=org.bob,
        method="phone",
        note="已电话沟通",
    )
    assert first.is_public and first.unit == org.water
    assert first.payload["method"] == "phone" and first.payload["first"] is True
    assert _lead(water_order).contacted_at == first.created_at
    assert water_order.status == "dispatched"  # not a state change: still to acknowledge
    later = workorder_transition(
        order=water_order, action="contact_requester", actor=org.bob, method="visit"
    )
    assert later.payload["first"] is False
    assert _lead(water_order).contacted_at == first.created_at  # the first one stays


def test_it_takes_an_earlier_contact_time_but_not_one_before_the_dispatch(org, water_order):
    dispatched = _lead(water_order).dispatched_at
    when = dispatched + timedelta(minutes=5)
    workorder_transition(
        order=water_order,
        action="contact_requester",
        actor=org.bob,
        method="sms",
        contacted_at=when.isoformat(),
        at=dispatched + timedelta(hours=3),
    )
    assert _lead(water_order).contacted_at == when
    events = water_order.events.count()
    with pytest.raises(InvalidInput, match="不能早于本轮派单时间") as e:
        workorder_transition(
            order=water_order,
            action="contact_requester",
            actor=org.bob,
            method="sms",
            contacted_at=dispatched - timedelta(hours=1),
        )
    assert e.value.field == "contacted_at" and water_order.events.count() == events


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "method", "联系方式应为"),
        ({"method": "email"}, "method", "联系方式应为"),
        ({"method": "phone", "contacted_at": "昨天下午"}, "contacted_at", "格式不正确"),
        ({"method": "phone", "contacted_at": "2099-01-01T10:00"}, "contacted_at", "不能晚于现在"),
    ],
)
def test_it_refuses_bad_input_and_writes_nothing(org, water_order, params, field, message):
    events = water_order.events.count()
    with pytest.raises(InvalidInput, match=message) as e:
        workorder_transition(order=water_order, action="contact_requester", actor=org.bob, **params)
    assert e.value.field == field
    assert water_order.events.count() == events and _lead(water_order).contacted_at is None


def test_it_is_the_lead_units_move_only(org, water_order):
    with pytest.raises(NotPermitted):
        workorder_transition(
            order=water_order, action="contact_requester", actor=org.charlie, method="phone"
        )
    with pytest.raises(NotPermitted):
        workorder_transition(
            order=water_order, action="contact_requester", actor=org.alice, method="phone"
        )


def test_it_is_refused_once_the_unit_has_replied(org, water_order):
    workorder_transition(order=water_order, action="acknowledge", actor=org.bob)
    workorder_transition(order=water_order, action="reply", actor=org.bob, note="已修复")
    with pytest.raises(IllegalTransition, match="已答复"):
        workorder_transition(
            order=water_order, action="contact_requester", actor=org.bob, method="phone"
        )


def test_it_starts_afresh_in_a_new_round(org, water_order):
    workorder_transition(
        order=water_order, action="contact_requester", actor=org.bob, method="phone"
    )
    workorder_transition(
        order=water_order, action="reassign", actor=org.dave, lead_unit=org.housing.pk
    )
    assert _lead(water_order).contacted_at is None


def test_the_requester_reads_it_in_plain_words():
    assert str(PLAIN_EVENT[Action.CONTACT_REQUESTER]) == "承办单位已与您联系"


def test_it_is_made_from_the_unit_inbox_row(client, org, water_order):
    # Dispatched an hour ago, so a contact a minute ago falls in the round.
    WorkOrderAssignment.objects.filter(order=water_order).update(
        dispatched_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(org.bob)
    page = client.get("/desk/unit/", {"tab": "acknowledge"})
    assert "contact_requester" in dict(dict(page.context["rows"])[water_order])
    url = reverse("desk_unit_act", args=[water_order.number, "contact_requester"])
    prefix = f"contact_requester-{water_order.number}"
    when = datetime.now(TZ).replace(second=0, microsecond=0) - timedelta(minutes=1)
    response = client.post(
        url,
        {
            f"{prefix}-expected_version": water_order.version,
            f"{prefix}-method": "visit",
            f"{prefix}-contacted_at": when.strftime("%Y-%m-%dT%H:%M"),
            f"{prefix}-note": "上门查看水表",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200, response.content.decode()[:400]
    event = water_order.events.get(action="contact_requester")
    assert event.actor == org.bob and event.payload["method"] == "visit"
    assert event.note == "上门查看水表"
    assert _lead(water_order).contacted_at == when


def test_the_inbox_form_names_a_missing_method(client, org, water_order):
    client.force_login(org.bob)
    url = reverse("desk_unit_act", args=[water_order.number, "contact_requester"])
    prefix = f"contact_requester-{water_order.number}"
    response = client.post(
        url, {f"{prefix}-expected_version": water_order.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert not water_order.events.filter(action="contact_requester").exists()


def test_the_order_page_shows_the_contact_in_words_and_offers_the_form(client, org, water_order):
    workorder_transition(
        order=water_order, action="contact_requester", actor=org.bob, method="visit", note="上门"
    )
    client.force_login(org.bob)
    text = client.get(reverse("workorder_detail", args=[water_order.number])).content.decode()
    row = text[text.index("联系诉求人</td>") :]
    row = row[: row.index("</tr>")]
    assert "上门" in row and "本轮首次联系" in row and "visit" not in row
    assert 'id="action-contact_requester"' in text
