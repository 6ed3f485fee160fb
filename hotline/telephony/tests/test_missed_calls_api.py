"""The missed-call API: the phone system records missed calls; agents list and resolve them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.telephony.models import MissedCall
from hotline.workorders.tests import factories

URL = "/api/telephony/missed-calls"


def api(user) -> Client:
    _token, key = ApiToken.issue(user=user, name="pbx")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_it_records_a_missed_call_from_the_phone_system(org):
    c = api(org.alice)
    body = {
        "caller_number": "13900001111",
        "missed_at": timezone.now().isoformat(),
        "external_id": "pbx-9",
    }
    r = c.post(URL, body, content_type="application/json")
    assert r.status_code == 201, r.content
    again = c.post(URL, body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    row = MissedCall.objects.get()
    assert row.centre == org.centre and row.external_id == "pbx-9"


def test_it_names_the_field_of_a_bad_missed_call(org):
    r = api(org.alice).post(
        URL,
        {"caller_number": "13900001111", "missed_at": "yesterday"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "missed_at"
    r = api(org.alice).post(
        URL,
        {"caller_number": "abcdef", "missed_at": timezone.now().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "caller_number"
    assert MissedCall.objects.count() == 0


@pytest.mark.parametrize(
    "missed_at,words",
    [
        ("yesterday", "来电时间应为带时区的日期时间（如 2026-11-22T09:58:00+08:00）"),
        ("2026-11-22", "来电时间应为带时区的日期时间"),  # a date alone is no time of a call
        ("2026-11-22T09:58:00", "来电时间应为带时区的日期时间"),  # whose 09:58?
    ],
)
def test_it_says_what_a_missed_at_should_be(org, missed_at, words):
    r = api(org.alice).post(
        URL,
        {"caller_number": "13900001111", "missed_at": missed_at},
        content_type="application/json",
    )
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "missed_at" and words in r.json()["message"]
    assert MissedCall.objects.count() == 0


def _created(c) -> dict:
    return c.post(
        URL,
        {"caller_number": "13900001111", "missed_at": timezone.now().isoformat()},
        content_type="application/json",
    ).json()


def test_it_lists_the_outcomes_in_chinese(org):
    c = api(org.carl)
    created = _created(c)
    r = c.post(
        f"{URL}/{created['id']}/callback", {"outcome": "maybe"}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "outcome"
    assert r.json()["message"] == "回拨结果应为 reached、no_answer、not_needed 之一"


def test_it_links_another_numbers_order_only_when_confirmed(org):
    c = api(org.carl)
    created = _created(c)
    other = factories.registered(org, requester_phone="13900005555")
    body = {"outcome": "reached", "order_number": other.number}
    url = f"{URL}/{created['id']}/callback"
    r = c.post(url, body, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "confirm_other_phone"
    assert MissedCall.objects.get().state == "pending"
    r = c.post(url, {**body, "confirm_other_phone": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["order"] == other.number


def test_it_refuses_a_unit_user_and_another_centre(org):
    body = {"caller_number": "13900001111", "missed_at": timezone.now().isoformat()}
    assert api(org.bob).post(URL, body, content_type="application/json").status_code == 403
    r = api(org.alice).post(URL, {**body, "centre": "C1"}, content_type="application/json")
    assert r.status_code == 403
    assert MissedCall.objects.count() == 0


@pytest.mark.parametrize("outcome,state", [("reached", "reached"), ("no_answer", "pending")])
def test_it_lists_and_resolves_missed_calls(org, outcome, state):
    c = api(org.carl)
    created = c.post(
        URL,
        {"caller_number": "13900001111", "missed_at": timezone.now().isoformat()},
        content_type="application/json",
    ).json()
    assert [r["id"] for r in c.get(URL).json()] == [created["id"]]
    assert api(org.bob).get(URL).json() == []
    r = c.post(
        f"{URL}/{created['id']}/callback", {"outcome": outcome}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == state
    assert MissedCall.objects.get().attempts == 1
    assert (
        api(org.bob)
        .post(
            f"{URL}/{created['id']}/callback",
            {"outcome": "reached"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
