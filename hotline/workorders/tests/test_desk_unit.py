"""The unit inbox (办件箱): tabs, capped counts, keyset paging, and every move made in the row
through htmx — allowed and refused, with the database state and the events written."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hotline.workorders.choices import Action, ExtensionStatus, Status
from hotline.workorders.desks import unit as inbox
from hotline.workorders.models import (
    Attachment,
    ExtensionRequest,
    WorkOrder,
    WorkOrderAssignment,
    WorkOrderEvent,
)
from hotline.workorders.tests import factories as f
from hotline.workorders.tests import samples

HX = {"HTTP_HX_REQUEST": "true"}
INBOX = "/desk/unit/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _tab(client, tab, **params):
    response = client.get(INBOX, {"tab": tab, **params})
    assert response.status_code == 200, response.content.decode()[:500]
    return [o.number for o, _actions in response.context["rows"]]


def _act(client, order, action, data=None, files=None, version=None, htmx=True):
    prefix = f"{action}-{order.number}"
    fields = {f"{prefix}-expected_version": order.version if version is None else version}
    fields.update({f"{prefix}-{k}": v for k, v in (data or {}).items()})
    fields.update({f"{prefix}-{k}": v for k, v in (files or {}).items()})
    url = reverse("desk_unit_act", args=[order.number, action])
    return client.post(url, fields, **(HX if htmx else {}))


def _events(order):
    return list(WorkOrderEvent.objects.filter(order=order).order_by("seq"))


def _set_clock(order, *, due, warn):
    # The clocks are the time-limit rules' to set (sla); a test sets them directly.
    WorkOrder.objects.filter(pk=order.pk).update(reply_due_at=due, reply_warn_at=warn)


# --- landing and access ----------------------------------------------------------------------


def test_it_lands_unit_staff_on_the_inbox(client, org):
    client.force_login(org.bob)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == INBOX
    assert "办件箱" in client.get(INBOX).content.decode()


def test_it_refuses_the_inbox_to_hotline_staff(client, org):
    client.force_login(org.dave)
    assert client.get(INBOX).status_code == 403


def test_it_answers_an_unknown_tab_with_404(client, org):
    client.force_login(org.bob)
    assert client.get(INBOX, {"tab": "everything"}).status_code == 404


# --- tabs ------------------------------------------------------------------------------------


def test_it_puts_each_order_in_its_tab(client, org):
    now = timezone.now()
    to_ack = f.dispatched(org, title="待签收")
    working = f.in_progress(org, title="办理中")
    warning = f.in_progress(org, title="临期")
    _set_clock(warning, due=now + timedelta(hours=5), warn=now - timedelta(hours=1))
    overdue = f.in_progress(org, title="超期")
    _set_clock(overdue, due=now - timedelta(hours=2), warn=now - timedelta(days=1))
    sent_back = f.move(f.replied(org), Action.SEND_BACK, org.sue, note="答复不完整")
    redone = f.move(
        f.awaiting_callback(org), Action.CALLBACK, org.carl, rating="dissatisfied", solved=False
    )
    redone = f.move(redone, Action.REDO, org.carl, note="群众不满意，请重新处理")
    refused_return = f.move(f.returned(org), Action.REJECT_RETURN, org.dave, note="属于职责")
    assisting = f.move(
        f.registered(org),
        Action.DISPATCH,
        org.dave,
        lead_unit=org.housing.pk,
        assisting_units=[org.water.pk],
    )
    replied = f.replied(org)
    returned = f.returned(org)
    housing = f.move(f.registered(org), Action.DISPATCH, org.dave, lead_unit=org.housing.pk)

    client.force_login(org.bob)
    assert set(_tab(client, "acknowledge")) == {to_ack.number, redone.number}
    in_progress = set(_tab(client, "in_progress"))
    assert in_progress == {
        working.number,
        warning.number,
        overdue.number,
        sent_back.number,
        refused_return.number,
    }
    assert _tab(client, "warning") == [warning.number]
    assert _tab(client, "overdue") == [overdue.number]
    assert set(_tab(client, "sent_back")) == {
        sent_back.number,
        redone.number,
        refused_return.number,
    }
    assert _tab(client, "assisting") == [assisting.number]
    everywhere = {n for t in inbox.TAB_KEYS for n in _tab(client, t)}
    assert not everywhere & {replied.number, returned.number, housing.number}

    counts = dict((t.key, c) for t, c in client.get(INBOX).context["tabs"])
    assert counts == {
        "acknowledge": "2",
        "in_progress": "5",
        "warning": "1",
        "overdue": "1",
        "sent_back": "3",
        "assisting": "1",
    }


def test_it_drops_a_sent_back_order_once_it_is_replied_again(client, org):
    order = f.move(f.replied(org), Action.SEND_BACK, org.sue, note="答复不完整")
    client.force_login(org.bob)
    assert _tab(client, "sent_back") == [order.number]
    f.move(order, Action.REPLY, org.bob, note="已补充答复")
    assert _tab(client, "sent_back") == []


def test_it_caps_tab_counts(org):
    for _ in range(3):
        f.dispatched(org)
    qs = WorkOrder.objects.filter(status=Status.DISPATCHED)
    assert inbox.capped_count(qs, cap=2) == "2+"
    assert inbox.capped_count(qs, cap=3) == "3"


def test_it_pages_with_a_keyset(client, org, monkeypatch):
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    orders = [f.dispatched(org) for _ in range(3)]
    client.force_login(org.bob)
    first = client.get(INBOX)
    assert [o.number for o, _a in first.context["rows"]] == [o.number for o in orders[:2]]
    assert first.context["next_query"]
    second = client.get(f"{INBOX}?{first.context['next_query']}")
    assert [o.number for o, _a in second.context["rows"]] == [orders[2].number]
    assert not second.context["next_query"]


def test_it_offers_the_row_moves_the_unit_may_make(client, org):
    dispatched = f.dispatched(org)
    working = f.in_progress(org)
    client.force_login(org.bob)
    rows = {o.number: [a for a, _l in actions] for o, actions in client.get(INBOX).context["rows"]}
    assert rows[dispatched.number] == [
        "acknowledge",
        "contact_requester",
        "request_extension",
        "return",
    ]
    rows = {
        o.number: [a for a, _l in actions]
        for o, actions in client.get(INBOX, {"tab": "in_progress"}).context["rows"]
    }
    assert rows[working.number] == ["contact_requester", "reply", "request_extension", "return"]
    # bella manages the water utility, which has no unit below: nothing to re-dispatch to.
    client.force_login(org.bella)
    rows = {o.number: [a for a, _l in actions] for o, actions in client.get(INBOX).context["rows"]}
    assert "redispatch" not in rows[dispatched.number]


# --- moves in the row ------------------------------------------------------------------------


def test_it_opens_a_form_in_the_row(client, org):
    order = f.dispatched(org)
    client.force_login(org.bob)
    response = client.get(reverse("desk_unit_act", args=[order.number, "return"]), **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith(f'<tbody id="order-{order.number}"')
    assert f'name="return-{order.number}-legal_basis"' in body
    assert "<html" not in body


def test_it_acknowledges_from_the_inbox(client, org):
    order = f.dispatched(org)
    client.force_login(org.bob)
    response = _act(client, order, "acknowledge")
    assert response.status_code == 200
    assert f"已签收：工单 {order.number}" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS
    event = _events(order)[-1]
    assert (event.action, event.actor, event.actor_unit) == ("acknowledge", org.bob, org.water)
    assignment = WorkOrderAssignment.objects.get(order=order, is_active=True)
    assert assignment.acknowledged_at is not None
    assert _tab(client, "acknowledge") == [] and _tab(client, "in_progress") == [order.number]


def test_it_refreshes_the_tab_counts_out_of_band(client, org):
    order = f.dispatched(org)
    client.force_login(org.bob)
    prefix = f"acknowledge-{order.number}"
    response = client.post(
        reverse("desk_unit_act", args=[order.number, "acknowledge"]),
        {f"{prefix}-expected_version": order.version},
        HTTP_HX_CURRENT_URL="http://testserver/desk/unit/?tab=acknowledge",
        **HX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="inbox-tabs" aria-label="办件箱分栏" hx-swap-oob="true"' in body
    counts = dict((t.key, c) for t, c in response.context["oob"]["tabs"])
    assert counts["acknowledge"] == "0" and counts["in_progress"] == "1"


def test_it_replies_with_result_and_attachments(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    files = {
        "files": [
            SimpleUploadedFile("现场.jpg", samples.jpeg(), content_type="image/jpeg"),
            SimpleUploadedFile("回复函.pdf", samples.pdf(), content_type="application/pdf"),
        ]
    }
    response = _act(client, order, "reply", {"note": "已更换破裂管道，恢复供水。"}, files)
    assert response.status_code == 200, response.content.decode()[:800]
    order.refresh_from_db()
    assert order.status == Status.REPLIED
    assert WorkOrderAssignment.objects.get(order=order).reply == "已更换破裂管道，恢复供水。"
    assert sorted(Attachment.objects.filter(order=order).values_list("name", flat=True)) == [
        "回复函.pdf",
        "现场.jpg",
    ]
    assert [e.action for e in _events(order)][-3:] == ["reply", "attach", "attach"]


def test_it_refuses_an_empty_reply_and_writes_nothing(client, org):
    order = f.in_progress(org)
    before = len(_events(order))
    client.force_login(org.bob)
    files = {"files": [SimpleUploadedFile("a.txt", b"x")]}
    response = _act(client, order, "reply", {"note": ""}, files)
    assert response.status_code == 400
    assert "请填写答复内容" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS and len(_events(order)) == before
    assert not Attachment.objects.exists()


def test_it_refuses_an_empty_file_and_keeps_the_reply_unwritten(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    files = {"files": [SimpleUploadedFile("空.txt", b"")]}
    response = _act(client, order, "reply", {"note": "已处理"}, files)
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS
    assert not Attachment.objects.exists()


def test_it_returns_with_reason_and_legal_basis(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    data = {"note": "该小区为自备井供水", "legal_basis": "《城市供水条例》第二十二条"}
    response = _act(client, order, "return", data)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.RETURNED and order.return_count == 1
    event = _events(order)[-1]
    assert event.action == "return"
    assert event.payload["legal_basis"] == "《城市供水条例》第二十二条"
    assert event.note == "该小区为自备井供水"


def test_it_refuses_a_return_without_legal_basis(client, org):
    order = f.in_progress(org)
    before = order.version
    client.force_login(org.bob)
    response = _act(client, order, "return", {"note": "不归我们管"})
    assert response.status_code == 400
    assert "退单依据" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS and order.version == before


def test_it_asks_for_an_extension(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    response = _act(client, order, "request_extension", {"days": 5, "note": "需协调管网改造"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "延期待审批" in body and 'data-action="request_extension"' not in body
    ext = ExtensionRequest.objects.get(order=order)
    assert (ext.days, ext.status, ext.unit, ext.reason) == (
        5,
        ExtensionStatus.PENDING,
        org.water,
        "需协调管网改造",
    )
    assert _events(order)[-1].action == "request_extension"


def test_it_refuses_an_extension_of_zero_days(client, org):
    order = f.in_progress(org)
    client.force_login(org.bob)
    response = _act(client, order, "request_extension", {"days": 0, "note": "理由"})
    assert response.status_code == 400
    assert not ExtensionRequest.objects.exists()


def test_it_answers_a_stale_version_with_409_and_the_fresh_row(client, org):
    order = f.dispatched(org)
    stale = order.version
    f.move(order, Action.ACKNOWLEDGE, org.bella)  # a colleague acknowledged first
    client.force_login(org.bob)
    response = _act(client, order, "request_extension", {"days": 3, "note": "理由"}, version=stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "已被他人更新" in body and "办理中" in body
    assert not ExtensionRequest.objects.exists()


def test_it_refuses_a_move_not_on_offer(client, org):
    order = f.dispatched(org)
    client.force_login(org.bob)
    response = client.get(reverse("desk_unit_act", args=[order.number, "reply"]), **HX)
    assert response.status_code == 403
    assert "不能对工单" in response.content.decode()
    response = _act(client, order, "reply", {"note": "已处理"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED


def test_it_refuses_charlie_the_water_order(client, org):
    order = f.dispatched(org)
    client.force_login(org.charlie)
    assert client.get(reverse("desk_unit_row", args=[order.number]), **HX).status_code == 404
    assert (
        client.get(reverse("desk_unit_act", args=[order.number, "acknowledge"])).status_code == 404
    )
    assert _act(client, order, "acknowledge").status_code == 404
    assert order.number not in {n for t in inbox.TAB_KEYS for n in _tab(client, t)}
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and len(_events(order)) == 2


def test_it_falls_back_to_a_redirect_without_htmx(client, org):
    order = f.dispatched(org)
    client.force_login(org.bob)
    response = _act(client, order, "acknowledge", htmx=False)
    assert response.status_code == 302 and response["Location"] == INBOX
    assert "已签收" in client.get(INBOX).content.decode()
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS


def test_it_lets_an_assisting_unit_reply(client, org):
    order = f.move(
        f.registered(org),
        Action.DISPATCH,
        org.dave,
        lead_unit=org.housing.pk,
        assisting_units=[org.water.pk],
    )
    client.force_login(org.bob)
    response = _act(client, order, "assist_reply", {"note": "供水管线无异常，可配合施工"})
    assert response.status_code == 200
    assert "协办意见已提交" in response.content.decode()
    assistance = WorkOrderAssignment.objects.get(order=order, unit=org.water)
    assert assistance.reply == "供水管线无异常，可配合施工" and assistance.replied_at
    event = _events(order)[-1]
    assert (event.action, event.actor_unit) == ("assist_reply", org.water)


# --- a manager's subtree ---------------------------------------------------------------------


def _street_order(org):
    return f.move(f.registered(org), Action.DISPATCH, org.dave, lead_unit=org.street_office.pk)


def test_it_shows_mia_her_subtree_and_redispatches_to_cora(client, org):
    order = _street_order(org)
    client.force_login(org.mia)
    page = client.get(INBOX)
    assert page.context["show_unit"] is True
    assert [u.name for u in page.context["units"]] == ["双湖峪街道办", "东城社区"]
    rows = {o.number: [a for a, _l in actions] for o, actions in page.context["rows"]}
    assert "redispatch" in rows[order.number]

    form = client.get(reverse("desk_unit_act", args=[order.number, "redispatch"]), **HX)
    assert "东城社区" in form.content.decode() and "县自来水公司" not in form.content.decode()
    response = _act(
        client, order, "redispatch", {"lead_unit": org.community.pk, "note": "请社区核实"}
    )
    assert response.status_code == 200, response.content.decode()[:800]
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.lead_unit == org.community
    event = _events(order)[-1]
    assert (event.action, event.actor, event.actor_unit, event.unit) == (
        "redispatch",
        org.mia,
        org.street_office,
        org.community,
    )
    # Still in mia's inbox, under the community, and now in cora's.
    assert _tab(client, "acknowledge", unit=org.community.pk) == [order.number]
    assert _tab(client, "acknowledge", unit=org.street_office.pk) == []
    client.force_login(org.cora)
    assert _tab(client, "acknowledge") == [order.number]
    assert client.get(INBOX).context["show_unit"] is False


def test_it_refuses_a_manager_a_unit_outside_her_subtree(client, org):
    client.force_login(org.mia)
    response = client.get(INBOX, {"unit": org.water.pk})
    assert response.status_code == 400
    assert "不在您的办件范围内" in response.content.decode()


def test_it_refuses_a_redispatch_outside_the_subtree(client, org):
    order = _street_order(org)
    client.force_login(org.mia)
    response = _act(client, order, "redispatch", {"lead_unit": org.water.pk})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.lead_unit == org.street_office


def test_it_refuses_bob_a_redispatch(client, org):
    order = f.dispatched(org)
    client.force_login(org.bob)
    response = _act(client, order, "redispatch", {"lead_unit": org.community.pk})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.lead_unit == org.water


def test_it_shows_the_acknowledge_deadline_while_the_order_waits_to_be_acknowledged(client, org):
    # An urgent outage must be acknowledged within minutes: the 待签收 row names that deadline,
    # not only the days left to reply.
    order = f.dispatched(org)
    due = timezone.now() + timedelta(minutes=30)
    late = f.dispatched(org)
    WorkOrder.objects.filter(pk=order.pk).update(acknowledge_due_at=due)
    WorkOrder.objects.filter(pk=late.pk).update(
        acknowledge_due_at=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(org.bob)
    page = client.get(INBOX, {"tab": "acknowledge"}).content.decode()
    local = timezone.localtime(due).strftime("%m-%d %H:%M")
    row = page.split(f'id="order-{order.number}"', 1)[1].split("</tbody>", 1)[0]
    assert f"签收时限 {local}" in row and 'class="clock ack normal"' in row
    row = page.split(f'id="order-{late.number}"', 1)[1].split("</tbody>", 1)[0]
    assert 'class="clock ack overdue"' in row

    f.move(order, Action.ACKNOWLEDGE, org.bob)
    page = client.get(INBOX, {"tab": "in_progress"}).content.decode()
    assert "签收时限" not in page
