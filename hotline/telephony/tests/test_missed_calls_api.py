"""The missed-call API: the phone system records missed calls; agents list and resolve them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.telephony.models import MissedCall

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
