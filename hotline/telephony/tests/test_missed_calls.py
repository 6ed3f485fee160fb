"""The call-back list: missed calls from abandoned call records and from the phone system,
the agents' page, outcomes recorded, scoping (another centre's call is a 404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hotline.accounts.choices import Role, UnitKind
from hotline.accounts.models import Unit
from hotline.accounts.services import user_create
from hotline.core.testing import PASSWORD
from hotline.telephony.choices import CallOutcome
from hotline.telephony.models import CallRecord, MissedCall
from hotline.telephony.services import (
    MAX_ATTEMPTS,
    missed_call_record,
    missed_call_resolve,
    missed_calls_from_records,
)
from hotline.telephony.tasks import missed_calls_from_records as sweep_task
from hotline.workorders.errors import ConcurrentUpdate, InvalidInput
from hotline.workorders.tests import factories

URL = "/telephony/missed/"


def client_for(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def call(org, *, outcome=CallOutcome.ABANDONED, ago=timedelta(minutes=10), number="13900001111"):
    return CallRecord.objects.create(
        centre=org.centre,
        caller_number=number,
        started_at=timezone.now() - ago,
        outcome=outcome,
        wait_seconds=40,
    )


@pytest.fixture
def missed(org):
    row, _created = missed_call_record(
        centre=org.centre, caller_number="139 0000 2222", missed_at=timezone.now()
    )
    return row


def test_it_puts_recent_abandoned_calls_on_the_list_once(org):
    abandoned = call(org)
    call(org, outcome=CallOutcome.ANSWERED, number="13900003333")
    call(org, ago=timedelta(days=30), number="13900004444")  # history, not a call-back
    assert sweep_task() == 1
    assert missed_calls_from_records() == 0
    row = MissedCall.objects.get()
    assert row.call == abandoned and row.caller_number == "13900001111"
    assert row.state == "pending" and row.centre == org.centre


def test_it_records_a_missed_call_once_per_external_id(org):
    at = timezone.now()
    a, created = missed_call_record(
        centre="C0", caller_number="13900001111", missed_at=at, external_id="pbx-1"
    )
    b, again = missed_call_record(
        centre="C0", caller_number="13900001111", missed_at=at, external_id="pbx-1"
    )
    assert created and not again and a.pk == b.pk
    assert MissedCall.objects.count() == 1


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"centre": "NOPE"}, "centre"),
        ({"caller_number": "abc"}, "caller_number"),
        ({"missed_at": timezone.now() + timedelta(days=1)}, "missed_at"),
    ],
)
def test_it_refuses_bad_missed_calls(org, kwargs, field):
    fields = {"centre": "C0", "caller_number": "13900001111", "missed_at": timezone.now()}
    fields.update(kwargs)
    with pytest.raises(InvalidInput) as e:
        missed_call_record(**fields)
    assert e.value.field == field
    assert MissedCall.objects.count() == 0


def test_it_shows_the_list_to_an_agent(org, missed):
    r = client_for(org.alice).get(URL)
    assert r.status_code == 200
    assert "漏接回拨".encode() in r.content and b"13900002222" in r.content


def test_it_refuses_the_list_to_a_unit_handler(org, missed):
    assert client_for(org.bob).get(URL).status_code == 403
    r = client_for(org.bob).post(f"{URL}{missed.pk}/", {"outcome": "reached"})
    assert r.status_code == 403
    missed.refresh_from_db()
    assert missed.state == "pending"


def test_it_answers_404_for_another_centres_missed_call(org):
    other = Unit.objects.create(
        code="C9", name="邻市热线中心", kind=UnitKind.CENTRE, region=org.city
    )
    row, _ = missed_call_record(centre=other, caller_number="13900005555", missed_at=timezone.now())
    r = client_for(org.alice).post(f"{URL}{row.pk}/", {"outcome": "not_needed", "note": "x"})
    assert r.status_code == 404
    assert b"13900005555" not in client_for(org.alice).get(URL).content
    row.refresh_from_db()
    assert row.state == "pending"


def test_it_records_reached_with_the_registered_order(org, missed):
    order = factories.registered(org, requester_phone="13900002222")
    r = client_for(org.alice).post(
        f"{URL}{missed.pk}/",
        {"outcome": "reached", "order_number": order.number, "version": missed.version},
    )
    assert r.status_code == 302
    missed.refresh_from_db()
    assert missed.state == "reached" and missed.order == order
    assert missed.handled_by == org.alice and missed.attempts == 1


def test_it_links_another_numbers_order_only_when_confirmed(org, missed):
    other = factories.registered(org, requester_phone="13900005555")
    c = client_for(org.alice)
    form = {"outcome": "reached", "order_number": other.number, "version": missed.version}
    r = c.post(f"{URL}{missed.pk}/", form)
    assert r.status_code == 400
    page = r.content.decode()
    assert "联系电话不是来电号码" in page and 'name="confirm_other_phone"' in page
    assert f'value="{other.number}"' in page  # the agent does not type it again
    missed.refresh_from_db()
    assert missed.state == "pending" and missed.order is None and missed.attempts == 0
    r = c.post(f"{URL}{missed.pk}/", {**form, "confirm_other_phone": "1"})
    assert r.status_code == 302
    missed.refresh_from_db()
    assert missed.state == "reached" and missed.order == other


@pytest.mark.parametrize(
    "caller,phone",
    [
        ("+86 139 0000 2222", "13900002222"),
        ("0912-3456789", "0912-3456789"),
        ("09123456789", "0912-3456789"),
    ],
)
def test_it_takes_the_callers_number_however_written(org, caller, phone):
    missed, _created = missed_call_record(
        centre=org.centre, caller_number=caller, missed_at=timezone.now()
    )
    order = factories.registered(org, requester_phone=phone)
    row = missed_call_resolve(
        missed=missed, actor=org.alice, outcome="reached", order_number=order.number
    )
    assert row.order == order


def test_it_keeps_a_no_answer_on_the_list_until_the_attempts_run_out(org, missed):
    c = client_for(org.carl)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        missed.refresh_from_db()
        assert missed.state == "pending"
        assert c.post(f"{URL}{missed.pk}/", {"outcome": "no_answer"}).status_code == 302
        missed.refresh_from_db()
        assert missed.attempts == attempt
    assert missed.state == "no_answer"


def test_it_needs_a_reason_for_not_needed(org, missed):
    r = client_for(org.alice).post(f"{URL}{missed.pk}/", {"outcome": "not_needed", "note": ""})
    assert r.status_code == 400 and "理由".encode() in r.content
    missed.refresh_from_db()
    assert missed.state == "pending" and missed.attempts == 0


def test_it_refuses_an_order_the_agent_cannot_see_or_a_missing_outcome(org, missed):
    r = client_for(org.alice).post(
        f"{URL}{missed.pk}/", {"outcome": "reached", "order_number": "NOPE"}
    )
    assert r.status_code == 400 and b"NOPE" in r.content
    r = client_for(org.alice).post(f"{URL}{missed.pk}/", {"outcome": ""})
    assert r.status_code == 400
    missed.refresh_from_db()
    assert missed.state == "pending"


def test_it_refuses_a_stale_form(org, missed):
    stale = missed.version
    missed_call_resolve(missed=missed, actor=org.carl, outcome="no_answer")
    r = client_for(org.alice).post(
        f"{URL}{missed.pk}/", {"outcome": "not_needed", "note": "已自行来电", "version": stale}
    )
    assert r.status_code == 409
    missed.refresh_from_db()
    assert missed.state == "pending" and missed.attempts == 1
    missed_call_resolve(missed=missed, actor=org.carl, outcome="not_needed", note="重复来电")
    with pytest.raises(ConcurrentUpdate):
        missed_call_resolve(missed=missed, actor=org.alice, outcome="reached")


def test_it_links_the_page_in_the_nav_for_agents(org):
    r = client_for(org.alice).get(URL)
    assert f'href="{URL}"'.encode() in r.content
    agent2 = user_create(
        username="ann2", password=PASSWORD, memberships=[(org.centre, Role.ANALYST)]
    )
    assert client_for(agent2).get(URL).status_code == 403


def test_it_refuses_nul_characters(org, missed):
    with pytest.raises(InvalidInput) as e:
        missed_call_record(
            centre="C0", caller_number="13900001111", missed_at=timezone.now(), external_id="a\0b"
        )
    assert e.value.field == "external_id"
    r = client_for(org.alice).post(f"{URL}{missed.pk}/", {"outcome": "not_needed", "note": "a\0b"})
    assert r.status_code == 400
    missed.refresh_from_db()
    assert missed.state == "pending"
