"""The dispatcher's desk (/desk/dispatch/): the queue, pre-fill from the dispatch catalogue,
inline and batch dispatch through workorder_transition, refusals with nothing written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.catalog.models import Category, DispatchRule
from hotline.core.testing import PASSWORD
from hotline.workorders.choices import Action, Status
from hotline.workorders.desks.dispatcher import QUEUE_KEYS, dispatch_queue
from hotline.workorders.desks.hotline import keyset
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent
from hotline.workorders.tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
DESK = "/desk/dispatch/"


@pytest.fixture
def catalogue(org):
    """A category whose rule sends orders to the water utility, assisted by housing."""
    root = Category.objects.create(name="派单台测试", level=1)
    water = Category.objects.create(name="供水", level=2, parent=root)
    rule = DispatchRule.objects.create(category=water, lead_unit=org.water)
    rule.assisting_units.add(org.housing)
    return water


def _events(order, action=Action.DISPATCH):
    return WorkOrderEvent.objects.filter(order=order, action=action)


def _one(client, order, version=None, **data):
    fields = {"expected_version": order.version if version is None else version}
    fields.update(data)
    return client.post(reverse("desk_dispatch_one", args=[order.number]), fields, **HTMX)


def test_it_lands_the_dispatcher_on_the_dispatch_desk(client, org):
    response = client.post(
        reverse("login"), {"username": "dave", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == DESK
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["alice", "sue", "bob", "ann"])
def test_it_refuses_the_desk_to_other_roles(client, org, name):
    order = factories.registered(org)
    client.force_login(getattr(org, name))
    assert client.get(DESK).status_code == 403
    response = _one(client, order, lead_unit=org.water.pk)
    assert response.status_code == 403
    assert client.post(reverse("desk_dispatch_batch"), {"order": [order.number]}).status_code == 403
    assert not _events(order).exists()


def test_it_sends_anonymous_users_to_login(client, org):
    response = client.get(DESK)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_critical_before_normal_then_oldest_first(client, org):
    now = timezone.now()
    old_normal = factories.registered(org, urgency="normal", at=now - timedelta(hours=3))
    new_critical = factories.registered(org, urgency="critical", at=now - timedelta(hours=1))
    new_normal = factories.registered(org, urgency="normal", at=now - timedelta(hours=2))
    urgent = factories.registered(org, urgency="urgent", at=now)
    factories.dispatched(org)  # not in the queue
    client.force_login(org.dave)
    response = client.get(DESK)
    assert response.status_code == 200
    numbers = [row.order.number for row in response.context["rows"]]
    assert numbers == [o.number for o in (new_critical, urgent, old_normal, new_normal)]
    assert response.context["count"] == "4"
    html = response.content.decode()
    assert f'<select name="lead_unit" data-order="{old_normal.number}"' in html


def test_it_pages_the_queue_by_keyset_without_losing_or_repeating_rows(org):
    now = timezone.now()
    for i, urgency in enumerate(["normal", "critical", "normal", "urgent", "critical"]):
        factories.registered(org, urgency=urgency, at=now - timedelta(minutes=i))
    expected = list(dispatch_queue(org.dave).order_by(*QUEUE_KEYS).values_list("number", flat=True))
    seen, cursor = [], None
    while True:
        page = keyset(dispatch_queue(org.dave), keys=QUEUE_KEYS, cursor=cursor, size=2)
        seen += [o.number for o in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == expected and len(seen) == 5


def test_it_answers_a_bad_cursor_with_a_clear_error(client, org):
    client.force_login(org.dave)
    response = client.get(DESK, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "翻页游标无效" in response.content.decode()


def test_it_prefills_the_catalogue_units(client, org, catalogue):
    with_rule = factories.registered(org, category=catalogue.pk)
    without = factories.registered(org)
    client.force_login(org.dave)
    response = client.get(DESK)
    rows = {row.order.number: row for row in response.context["rows"]}
    assert rows[with_rule.number].lead_id == org.water.pk
    assert rows[with_rule.number].assisting_ids == {org.housing.pk}
    assert rows[without.number].lead_id is None and not rows[without.number].has_rule
    html = response.content.decode()
    assert f'<option value="{org.water.pk}" selected>县自来水公司</option>' in html


def test_it_dispatches_one_order_inline(client, org):
    order = factories.registered(org)
    client.force_login(org.dave)
    response = _one(
        client, order, lead_unit=org.water.pk, assisting_units=[org.housing.pk], note="尽快"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<tr") and f'id="row-{order.number}"' in html
    assert f"已派单：工单 {order.number}（县自来水公司）" in html
    assert '<span id="count-dispatch" class="count" hx-swap-oob="true">0</span>' in html
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.water
    event = _events(order).get()
    assert event.actor == org.dave and event.unit == org.water and event.note == "尽快"
    roles = set(WorkOrderAssignment.objects.filter(order=order).values_list("unit", "role"))
    assert roles == {(org.water.pk, "lead"), (org.housing.pk, "assisting")}


def test_it_dispatches_without_javascript_and_redirects_back(client, org):
    order = factories.registered(org)
    client.force_login(org.dave)
    response = client.post(
        reverse("desk_dispatch_one", args=[order.number]),
        {"expected_version": order.version, "lead_unit": org.water.pk},
    )
    assert response.status_code == 302 and response["Location"] == DESK
    assert WorkOrder.objects.get(pk=order.pk).status == Status.DISPATCHED


def test_it_reports_a_stale_version_and_writes_nothing(client, org):
    order = factories.registered(org)
    client.force_login(org.dave)
    response = _one(client, order, version=order.version - 1, lead_unit=org.water.pk)
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人处理" in html
    # The row is refreshed: still in the queue, at the current version.
    assert f'name="expected_version" value="{order.version}"' in html
    assert WorkOrder.objects.get(pk=order.pk).status == Status.REGISTERED
    assert not _events(order).exists()


def test_it_says_when_someone_else_dispatched_first(client, org):
    order = factories.registered(org)
    stale = order.version
    factories.move(order, Action.DISPATCH, org.sue, lead_unit=org.housing.pk)
    client.force_login(org.dave)
    response = _one(client, order, version=stale, lead_unit=org.water.pk)
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人处理" in html and "派发" not in html  # the row left the queue
    assert list(_events(order).values_list("actor__username", flat=True)) == ["sue"]


def test_it_shows_bad_input_beside_the_row(client, org):
    order = factories.registered(org)
    client.force_login(org.dave)
    response = _one(client, order, lead_unit="")
    assert response.status_code == 400
    assert "主办单位" in response.content.decode()
    assert not _events(order).exists()
    response = _one(client, order, lead_unit=org.water.pk, assisting_units=[org.water.pk])
    assert response.status_code == 400
    assert "不能既主办又协办" in response.content.decode()
    assert not _events(order).exists()


def test_it_answers_404_for_an_order_outside_the_dispatchers_scope(client, org):
    order = factories.registered(org)  # in 子洲县, outside the 榆阳区 sub-centre's region
    outsider = user_create(
        username="olga",
        password=PASSWORD,
        display_name="olga",
        memberships=[(org.sub_centre, Role.DISPATCHER)],
    )
    client.force_login(outsider)
    assert client.get(DESK).context["rows"] == []
    response = _one(client, order, lead_unit=org.water.pk)
    assert response.status_code == 404
    response = client.post(
        reverse("desk_dispatch_batch"),
        {"order": [order.number], f"version-{order.number}": order.version, "mode": "catalogue"},
        **HTMX,
    )
    assert "不存在" in response.content.decode()
    assert not _events(order).exists()


def _batch(client, orders, mode, versions=None, **extra):
    data = {"order": [o.number for o in orders], "mode": mode, **extra}
    for o in orders:
        data[f"version-{o.number}"] = (versions or {}).get(o.number, o.version)
    return client.post(reverse("desk_dispatch_batch"), data, **HTMX)


def test_it_dispatches_many_by_catalogue_and_reports_each(client, org, catalogue):
    ok = factories.registered(org, category=catalogue.pk)
    no_rule = factories.registered(org)
    stale = factories.registered(org, category=catalogue.pk)
    taken = factories.registered(org, category=catalogue.pk)
    taken_version = taken.version
    factories.move(taken, Action.DISPATCH, org.sue, lead_unit=org.housing.pk)
    client.force_login(org.dave)
    response = _batch(
        client,
        [ok, no_rule, stale, taken],
        "catalogue",
        versions={stale.number: stale.version + 5, taken.number: taken_version},
    )
    assert response.status_code == 200
    results = {r.number: r for r in response.context["results"]}
    assert results[ok.number].ok
    assert not results[no_rule.number].ok and "派单目录" in results[no_rule.number].message
    assert results[stale.number].status == 409 and "已被他人处理" in results[stale.number].message
    assert not results[taken.number].ok and "已被他人处理" in results[taken.number].message
    assert response.context["succeeded"] == 1 and response.context["failed"] == 3
    rows = {row.order.number: row for row in response.context["rows"]}
    assert "派单目录" in rows[no_rule.number].error and ok.number not in rows
    html = response.content.decode()
    assert html.startswith('<section id="dispatch-desk"')  # the htmx fragment, not a page
    ok.refresh_from_db()
    assert ok.status == Status.DISPATCHED and ok.lead_unit == org.water
    assert set(ok.assignments.values_list("unit", flat=True)) == {org.water.pk, org.housing.pk}
    for order in (no_rule, stale):
        assert WorkOrder.objects.get(pk=order.pk).status == Status.REGISTERED
        assert not _events(order).exists()
    assert _events(taken).count() == 1


def test_it_dispatches_many_to_one_unit(client, org):
    orders = [factories.registered(org) for _ in range(3)]
    client.force_login(org.dave)
    response = _batch(client, orders[:2], "unit", batch_lead_unit=org.housing.pk)
    assert response.status_code == 200
    assert all(r.ok for r in response.context["results"])
    for order in orders[:2]:
        order.refresh_from_db()
        assert order.status == Status.DISPATCHED and order.lead_unit == org.housing
        assert _events(order).get().actor == org.dave
    assert WorkOrder.objects.get(pk=orders[2].pk).status == Status.REGISTERED
    assert [r.order.number for r in response.context["rows"]] == [orders[2].number]


@pytest.mark.parametrize(
    ("mode", "extra", "message"),
    [
        ("unit", {}, "请选择主办单位"),
        ("unit", {"batch_lead_unit": "999999"}, "请选择主办单位"),
        ("sideways", {}, "请选择派发方式"),
    ],
)
def test_it_refuses_a_batch_without_a_target(client, org, mode, extra, message):
    order = factories.registered(org)
    client.force_login(org.dave)
    response = _batch(client, [order], mode, **extra)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not _events(order).exists()


def test_it_refuses_a_batch_with_nothing_ticked(client, org):
    client.force_login(org.dave)
    response = client.post(reverse("desk_dispatch_batch"), {"mode": "catalogue"}, **HTMX)
    assert response.status_code == 400
    assert "请先勾选" in response.content.decode()


def test_it_walks_the_queue_page_by_page_through_the_next_links(client, org, monkeypatch):
    from hotline.workorders.desks import hotline

    monkeypatch.setattr(hotline, "PAGE_SIZE", 2)
    now = timezone.now()
    orders = [factories.registered(org, at=now - timedelta(minutes=10 - i)) for i in range(5)]
    client.force_login(org.dave)
    url, seen = DESK, []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [row.order.number for row in response.context["rows"]]
        url = response.context["next_url"]
        assert not url or url.startswith(DESK)
    assert seen == [o.number for o in orders]


def test_it_renders_the_queue_in_a_fixed_number_of_queries(
    client, org, catalogue, django_assert_max_num_queries
):
    for _ in range(12):
        factories.registered(org, category=catalogue.pk)
    client.force_login(org.dave)
    client.get(DESK)
    # Session, user, memberships, the page, the count, units, the catalogue rule and its
    # assisting units: not one query per row.
    with django_assert_max_num_queries(12):
        response = client.get(DESK)
    assert len(response.context["rows"]) == 12


def test_it_reports_without_javascript_that_someone_else_dispatched_first(client, org):
    order = factories.registered(org)
    stale = order.version
    factories.move(order, Action.DISPATCH, org.sue, lead_unit=org.housing.pk)
    client.force_login(org.dave)
    response = client.post(
        reverse("desk_dispatch_one", args=[order.number]),
        {"expected_version": stale, "lead_unit": org.water.pk},
    )
    assert response.status_code == 409
    assert "已被他人处理" in response.context["error"]
    assert WorkOrder.objects.get(pk=order.pk).lead_unit == org.housing
    assert _events(order).count() == 1
