"""The returned-orders desk (/desk/returned/): the unit's reason and basis, reassign (改派) and
reject the return (驳回) through workorder_transition; refusals write nothing."""

import pytest
from django.urls import reverse

from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
DESK = "/desk/returned/"


def _act(client, order, action, version=None, **data):
    fields = {"expected_version": order.version if version is None else version, **data}
    return client.post(reverse("desk_returned_act", args=[order.number, action]), fields, **HTMX)


def _events(order, action):
    return WorkOrderEvent.objects.filter(order=order, action=action)


def test_it_lists_returned_orders_with_the_units_reason_and_basis(client, org):
    order = factories.returned(org)
    factories.dispatched(org)  # not returned: not listed
    client.force_login(org.dave)
    response = client.get(DESK)
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row.order == order and row.event.actor_unit == org.water
    html = response.content.decode()
    assert "县自来水公司" in html
    assert "该小区为自备井供水，不属于我公司管网" in html
    assert "《城市供水条例》第二十二条" in html
    assert response.context["count"] == "1"


def test_it_shows_the_latest_return_and_the_return_count(client, org):
    order = factories.returned(org)
    factories.move(order, Action.REJECT_RETURN, org.dave, note="属于你单位职责")
    factories.move(order, Action.RETURN, org.bob, note="第二次退单理由", legal_basis="第二次依据")
    client.force_login(org.dave)
    html = client.get(DESK).content.decode()
    assert "第二次退单理由" in html and "第二次依据" in html
    assert "该小区为自备井供水" not in html
    assert '<td class="num">2</td>' in html


@pytest.mark.parametrize("name", ["alice", "sue", "bob", "carl"])
def test_it_refuses_the_desk_to_other_roles(client, org, name):
    order = factories.returned(org)
    client.force_login(getattr(org, name))
    assert client.get(DESK).status_code == 403
    assert _act(client, order, "reject_return", note="不行").status_code == 403
    assert not _events(order, Action.REJECT_RETURN).exists()


def test_it_reassigns_a_returned_order(client, org):
    order = factories.returned(org)
    client.force_login(org.dave)
    response = _act(client, order, "reassign", lead_unit=org.housing.pk, note="改由住建局办理")
    assert response.status_code == 200
    assert "已改派" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.housing
    event = _events(order, Action.REASSIGN).get()
    assert event.actor == org.dave and event.payload["previous_unit"] == org.water.code


def test_it_rejects_a_return_with_a_reason(client, org):
    order = factories.returned(org)
    client.force_login(org.dave)
    response = _act(client, order, "reject_return", note="供水管网属你单位维护")
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS and order.lead_unit == org.water
    assert _events(order, Action.REJECT_RETURN).get().note == "供水管网属你单位维护"


def test_it_refuses_a_rejection_without_a_reason(client, org):
    order = factories.returned(org)
    client.force_login(org.dave)
    response = _act(client, order, "reject_return", note="")
    assert response.status_code == 400
    assert "请填写驳回理由" in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).status == Status.RETURNED
    assert not _events(order, Action.REJECT_RETURN).exists()


def test_it_refuses_a_reassignment_without_a_unit(client, org):
    order = factories.returned(org)
    client.force_login(org.dave)
    response = _act(client, order, "reassign", lead_unit="")
    assert response.status_code == 400
    assert not _events(order, Action.REASSIGN).exists()


def test_it_reports_a_stale_version_and_writes_nothing(client, org):
    order = factories.returned(org)
    client.force_login(org.dave)
    response = _act(client, order, "reassign", version=order.version - 1, lead_unit=org.housing.pk)
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人处理" in html and "驳回退单" in html  # the row, refreshed, still offers moves
    assert WorkOrder.objects.get(pk=order.pk).lead_unit == org.water
    assert not _events(order, Action.REASSIGN).exists()


def test_it_answers_404_for_an_order_outside_scope_or_an_unknown_action(client, org):
    order = factories.returned(org)
    client.force_login(org.dave)
    assert _act(client, order, "dispatch", lead_unit=org.housing.pk).status_code == 404
    response = client.post(
        reverse("desk_returned_act", args=["20990101000001", "reject_return"]),
        {"expected_version": 1, "note": "x"},
    )
    assert response.status_code == 404


def test_it_reports_an_error_beside_the_row_without_javascript(client, org):
    order = factories.returned(org)
    client.force_login(org.dave)
    response = client.post(
        reverse("desk_returned_act", args=[order.number, "reject_return"]),
        {"expected_version": order.version, "note": ""},
    )
    assert response.status_code == 400
    assert response.context["rows"][0].error
    assert not _events(order, Action.REJECT_RETURN).exists()


def test_it_answers_404_to_a_dispatcher_of_another_region(client, org):
    from hotline.accounts.choices import Role
    from hotline.accounts.services import user_create
    from hotline.core.testing import PASSWORD

    order = factories.returned(org)
    outsider = user_create(
        username="olga",
        password=PASSWORD,
        display_name="olga",
        memberships=[(org.sub_centre, Role.DISPATCHER)],
    )
    client.force_login(outsider)
    assert client.get(DESK).context["rows"] == []
    assert _act(client, order, "reject_return", note="不属实").status_code == 404
    assert not _events(order, Action.REJECT_RETURN).exists()


def test_it_prefills_the_catalogue_units_unless_the_rule_names_the_returning_unit(client, org):
    from hotline.catalog.models import Category, DispatchRule

    root = Category.objects.create(name="退单台测试", level=1)
    heating = Category.objects.create(name="供热", level=2, parent=root)
    water = Category.objects.create(name="供水", level=2, parent=root)
    rule = DispatchRule.objects.create(category=heating, lead_unit=org.housing)
    rule.assisting_units.add(org.street_office)
    DispatchRule.objects.create(category=water, lead_unit=org.water)
    other = factories.returned(org, category=heating.pk)
    same = factories.returned(org, category=water.pk)  # the rule names the water utility
    client.force_login(org.dave)
    rows = {r.order: r for r in client.get(DESK).context["rows"]}
    assert rows[other].suggested_id == org.housing.pk
    assert rows[other].assisting_ids == {org.street_office.pk}
    assert rows[same].suggested_id is None and not rows[same].assisting_ids
    # The returning unit stays on offer, named as such, but is never pre-selected.
    assert f'<option value="{org.water.pk}">县自来水公司（退单单位）</option>' in str(
        rows[same].lead_options()
    )
    assert f'<option value="{org.housing.pk}" selected>' in str(rows[other].lead_options())


def test_it_never_preselects_the_returning_unit_as_assisting_unit(client, org):
    from hotline.catalog.models import Category, DispatchRule

    root = Category.objects.create(name="退单台测试", level=1)
    heating = Category.objects.create(name="供热", level=2, parent=root)
    rule = DispatchRule.objects.create(category=heating, lead_unit=org.housing)
    rule.assisting_units.add(org.water, org.street_office)
    order = factories.returned(org, category=heating.pk)  # returned by the water utility
    client.force_login(org.dave)
    [row] = client.get(DESK).context["rows"]
    assert row.assisting_ids == {org.street_office.pk}
    assert f'<option value="{org.water.pk}" selected' not in str(row.assisting_options())
    assert f'<option value="{org.water.pk}" selected' not in str(row.lead_options())
    assert order.lead_unit == org.water


@pytest.mark.parametrize(
    "units",
    [
        {"lead_unit": "water"},
        {"lead_unit": "housing", "assisting_units": "water"},
    ],
)
def test_it_asks_to_confirm_reassigning_to_the_returning_unit(client, org, units):
    order = factories.returned(org)
    data = {k: getattr(org, v).pk for k, v in units.items()}
    client.force_login(org.dave)
    response = _act(client, order, "reassign", **data)
    assert response.status_code == 400
    assert "县自来水公司」刚退回此工单，仍要派给它须勾选确认" in response.content.decode()
    assert not _events(order, Action.REASSIGN).exists()
    order.refresh_from_db()
    response = _act(client, order, "reassign", confirm_returning="on", **data)
    assert response.status_code == 200, response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert _events(order, Action.REASSIGN).count() == 1
