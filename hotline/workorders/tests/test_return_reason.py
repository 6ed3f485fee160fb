"""退单 needs both its reason (退单理由) and its legal basis (退单依据); each refusal names the
missing field, on the unit's inbox, the order page, the API and in the service itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotline.workorders.choices import Action, Status
from hotline.workorders.errors import InvalidInput
from hotline.workorders.forms import ActionForm
from hotline.workorders.tests import factories as f

BASIS = "《城市供水条例》第二十二条"


def test_it_refuses_an_empty_reason_in_the_service_naming_it(org):
    order = f.in_progress(org)
    with pytest.raises(InvalidInput) as err:
        f.move(order, Action.RETURN, org.bob, note="  ", legal_basis=BASIS)
    assert err.value.field == "note" and "退单理由" in err.value.message
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS


def test_it_marks_the_reason_required_on_the_form(org):
    order = f.in_progress(org)
    form = ActionForm({"expected_version": order.version, "return-legal_basis": BASIS},
                      order=order, action=Action.RETURN)  # fmt: skip
    assert form.fields["note"].required and form.fields["legal_basis"].required
    assert not form.is_valid()
    assert form.errors["note"] == ["请填写退单理由"]


def test_it_refuses_an_empty_reason_on_the_unit_inbox(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    prefix = f"return-{order.number}"
    response = client.post(
        reverse("desk_unit_act", args=[order.number, "return"]),
        {
            f"{prefix}-expected_version": order.version,
            f"{prefix}-legal_basis": BASIS,
            f"{prefix}-note": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "请填写退单理由" in response.content.decode()
    assert "required" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS and order.return_count == 0


def test_it_refuses_an_empty_reason_on_the_api(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    response = client.post(
        f"/api/workorders/{order.number}/actions/return",
        {"legal_basis": BASIS, "note": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "note"
    assert response.json()["message"] == "「退单」须填写退单理由"
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS
