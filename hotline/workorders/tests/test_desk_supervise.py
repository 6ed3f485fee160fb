"""The supervisor's desk (/desk/supervise/): review replies, urge and supervise late orders,
decide extension requests — each through workorder_transition; refusals write nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.core.testing import PASSWORD
from hotline.workorders.choices import Action, ExtensionStatus, Status
from hotline.workorders.models import ExtensionRequest, WorkOrder, WorkOrderEvent
from hotline.workorders.tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
DESK = "/desk/supervise/"


def _act(client, order, action, version=None, **data):
    fields = {"expected_version": order.version if version is None else version, **data}
    return client.post(reverse("desk_supervise_act", args=[order.number, action]), fields, **HTMX)


def _events(order, action):
    return WorkOrderEvent.objects.filter(order=order, action=action)


def _clock(order, *, due_in, warn_in):
    """Set the reply clock as the time-limit rules (sla) would."""
    now = timezone.now()
    WorkOrder.objects.filter(pk=order.pk).update(
        reply_due_at=now + due_in, reply_warn_at=now + warn_in
    )
    order.refresh_from_db()
    return order


@pytest.fixture
def late(org):
    """One overdue order, one in warning, one on time (not listed)."""
    overdue = _clock(
        factories.in_progress(org), due_in=timedelta(hours=-5), warn_in=-timedelta(days=1)
    )
    warning = _clock(
        factories.dispatched(org), due_in=timedelta(hours=3), warn_in=-timedelta(hours=1)
    )
    _clock(factories.in_progress(org), due_in=timedelta(days=3), warn_in=timedelta(days=2))
    very = _clock(factories.in_progress(org), due_in=timedelta(days=-2), warn_in=-timedelta(days=3))
    return very, overdue, warning


@pytest.fixture
def extension(org):
    order = factories.move(
        factories.in_progress(org), Action.REQUEST_EXTENSION, org.bob, note="需协调管网施工", days=5
    )
    return order


def test_it_lands_the_supervisor_on_the_supervise_desk(client, org):
    response = client.post(reverse("login"), {"username": "sue", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == DESK
    assert response.context["tab"].key == "review"


@pytest.mark.parametrize("name", ["alice", "dave", "bob", "carl"])
def test_it_refuses_the_desk_to_other_roles(client, org, name):
    order = factories.replied(org)
    client.force_login(getattr(org, name))
    assert client.get(DESK).status_code == 403
    assert _act(client, order, "accept_reply").status_code == 403
    assert WorkOrder.objects.get(pk=order.pk).status == Status.REPLIED


def test_it_lists_replies_with_the_units_text_and_capped_tab_counts(client, org, late, extension):
    order = factories.replied(org)
    client.force_login(org.sue)
    response = client.get(DESK)
    assert response.status_code == 200
    assert [r.order for r in response.context["rows"]] == [order]
    assert "已抢修，恢复供水。" in response.content.decode()
    counts = {t.key: count for t, count in response.context["tabs"]}
    assert counts == {"review": "1", "late": "3", "extensions": "1"}


def test_it_caps_tab_counts_at_99(org, monkeypatch):
    from hotline.workorders.desks import hotline

    monkeypatch.setattr(hotline, "COUNT_CAP", 2)
    for _ in range(3):
        factories.registered(org)
    assert hotline.capped_count(WorkOrder.objects.all()) == "2+"
    assert hotline.capped_count(WorkOrder.objects.none()) == "0"


def test_it_accepts_a_reply(client, org):
    order = factories.replied(org)
    client.force_login(org.sue)
    response = _act(client, order, "accept_reply")
    assert response.status_code == 200
    assert "已审核通过" in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).status == Status.AWAITING_CALLBACK
    assert _events(order, Action.ACCEPT_REPLY).get().actor == org.sue


def test_it_sends_a_reply_back_with_a_reason(client, org):
    order = factories.replied(org)
    client.force_login(org.sue)
    response = _act(client, order, "send_back", note="答复未说明恢复时间")
    assert response.status_code == 200
    assert WorkOrder.objects.get(pk=order.pk).status == Status.IN_PROGRESS
    assert _events(order, Action.SEND_BACK).get().note == "答复未说明恢复时间"


def test_it_refuses_to_send_back_without_a_reason(client, org):
    order = factories.replied(org)
    client.force_login(org.sue)
    response = _act(client, order, "send_back", note="  ")
    assert response.status_code == 400
    # The error names the move as its button does, and the field by its label.
    assert "请填写退回理由" in response.content.decode()
    page = client.get(DESK).content.decode()
    assert "审核退回" in page and "退回重办" not in page
    assert WorkOrder.objects.get(pk=order.pk).status == Status.REPLIED
    assert not _events(order, Action.SEND_BACK).exists()


def test_it_reports_a_stale_version_and_writes_nothing(client, org):
    order = factories.replied(org)
    client.force_login(org.sue)
    response = _act(client, order, "accept_reply", version=order.version - 1)
    assert response.status_code == 409
    html = response.content.decode()
    assert "已被他人处理" in html and "审核通过</button>" in html  # the refreshed row
    assert WorkOrder.objects.get(pk=order.pk).status == Status.REPLIED
    assert not _events(order, Action.ACCEPT_REPLY).exists()


def test_it_says_when_another_supervisor_reviewed_first(client, org):
    order = factories.replied(org)
    stale = order.version
    factories.move(order, Action.ACCEPT_REPLY, org.dave)
    client.force_login(org.sue)
    response = _act(client, order, "send_back", version=stale, note="重办")
    assert response.status_code == 409
    assert "已被他人处理" in response.content.decode()
    assert not _events(order, Action.SEND_BACK).exists()


def test_it_lists_late_orders_most_overdue_first(client, org, late):
    client.force_login(org.sue)
    response = client.get(DESK, {"tab": "late"})
    assert [r.order for r in response.context["rows"]] == list(late)
    html = response.content.decode()
    assert 'class="clock overdue"' in html and 'class="clock warning"' in html


def test_it_urges_a_late_order(client, org, late):
    order = late[0]
    client.force_login(org.sue)
    response = _act(client, order, "urge", note="请今日内答复")
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.urge_count == 1
    assert _events(order, Action.URGE).get().note == "请今日内答复"


def test_it_supervises_at_a_level_and_refuses_a_lower_one(client, org, late):
    order = late[0]
    client.force_login(org.sue)
    assert _act(client, order, "supervise", level=2).status_code == 200
    order.refresh_from_db()
    assert order.supervision_level == 2
    assert _events(order, Action.SUPERVISE).get().payload["level"] == 2
    response = _act(client, order, "supervise", level=1)
    assert response.status_code == 400
    assert _events(order, Action.SUPERVISE).count() == 1
    rows = {r.order: r for r in client.get(DESK, {"tab": "late"}).context["rows"]}
    assert rows[order].levels == [3]


def test_it_lists_extension_requests_and_approves_one(client, org, extension):
    client.force_login(org.sue)
    response = client.get(DESK, {"tab": "extensions"})
    [row] = response.context["rows"]
    assert row.order == extension and row.extension.days == 5
    assert "需协调管网施工" in response.content.decode()
    response = _act(client, extension, "approve_extension")
    assert response.status_code == 200
    ext = ExtensionRequest.objects.get(order=extension)
    assert ext.status == ExtensionStatus.APPROVED and ext.decided_by == org.sue
    assert _events(extension, Action.APPROVE_EXTENSION).exists()


def test_it_rejects_an_extension_only_with_a_reason(client, org, extension):
    client.force_login(org.sue)
    assert _act(client, extension, "reject_extension", note="").status_code == 400
    assert ExtensionRequest.objects.get(order=extension).status == ExtensionStatus.PENDING
    response = _act(client, extension, "reject_extension", note="施工可并行，不予延期")
    assert response.status_code == 200
    ext = ExtensionRequest.objects.get(order=extension)
    assert ext.status == ExtensionStatus.REJECTED and ext.decision_note == "施工可并行，不予延期"


def test_it_answers_404_for_an_order_outside_scope_and_unknown_tabs(client, org):
    order = factories.replied(org)
    outsider = user_create(
        username="olga",
        password=PASSWORD,
        display_name="olga",
        memberships=[(org.sub_centre, Role.SUPERVISOR)],
    )
    client.force_login(outsider)
    assert client.get(DESK).context["rows"] == []
    assert _act(client, order, "accept_reply").status_code == 404
    assert WorkOrder.objects.get(pk=order.pk).status == Status.REPLIED
    assert client.get(DESK, {"tab": "nope"}).status_code == 404
    client.force_login(org.sue)
    assert _act(client, order, "dispatch").status_code == 404


def test_it_accepts_without_javascript_and_redirects_to_the_tab(client, org):
    order = factories.replied(org)
    client.force_login(org.sue)
    response = client.post(
        reverse("desk_supervise_act", args=[order.number, "accept_reply"]),
        {"expected_version": order.version},
    )
    assert response.status_code == 302 and response["Location"] == f"{DESK}?tab=review"
    assert WorkOrder.objects.get(pk=order.pk).status == Status.AWAITING_CALLBACK
