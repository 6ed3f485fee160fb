from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderAssignment, WorkOrderEvent
from hotline.workorders.tests import factories as f


def act(client, number, action, **body):
    return client.post(
        f"/api/workorders/{number}/actions/{action}", body, content_type="application/json"
    )


def test_it_runs_the_closed_loop_through_the_api(org, client):
    client.force_login(org.alice)
    r = client.post(
        "/api/workorders",
        {
            "channel": "phone",
            "request_type": "complaint",
            "title": "停水",
            "content": "小区停水两天",
            "requester_phone": "13800138000",
            "region": "610831100",
        },
        content_type="application/json",
    )
    number = r.json()["number"]
    steps = [
        (org.dave, "dispatch", {"lead_unit": "U-WATER", "assisting_units": [org.street_office.pk]}),
        (org.bob, "acknowledge", {}),
        (org.bob, "reply", {"note": "已抢修，恢复供水"}),
        (org.sue, "accept_reply", {}),
        (org.carl, "callback", {"rating": "satisfied", "solved": True}),
    ]
    for version, (user, action, body) in enumerate(steps, start=1):
        client.force_login(user)
        r = act(client, number, action, expected_version=version, **body)
        assert r.status_code == 200, (action, r.json())
        assert r.json()["version"] == version + 1
        assert r.json()["event"]["action"] == action
        assert r.json()["event"]["actor"] == user.username
    assert r.json()["status"] == "closed" and r.json()["status_label"] == "已办结"

    order = WorkOrder.objects.get(number=number)
    assert order.status == Status.CLOSED
    assert (order.rating, order.solved, order.version) == ("satisfied", True, 6)
    assert order.lead_unit == org.water and order.closed_at is not None
    lead = WorkOrderAssignment.objects.get(order=order, role="lead")
    assert lead.acknowledged_at and lead.replied_at and lead.reply == "已抢修，恢复供水"
    assert WorkOrderAssignment.objects.get(order=order, role="assisting").unit == org.street_office
    events = list(order.events.values_list("seq", "action", "from_status", "to_status"))
    assert events == [
        (1, Action.REGISTER, "", Status.REGISTERED),
        (2, Action.DISPATCH, Status.REGISTERED, Status.DISPATCHED),
        (3, Action.ACKNOWLEDGE, Status.DISPATCHED, Status.IN_PROGRESS),
        (4, Action.REPLY, Status.IN_PROGRESS, Status.REPLIED),
        (5, Action.ACCEPT_REPLY, Status.REPLIED, Status.AWAITING_CALLBACK),
        (6, Action.CALLBACK, Status.AWAITING_CALLBACK, Status.CLOSED),
    ]
    assert order.events.get(seq=2).payload["lead_unit"] == "U-WATER"
    assert order.events.get(seq=6).actor == org.carl


def test_it_answers_409_for_a_stale_version_and_changes_nothing(org, client):
    order = f.dispatched(org)
    client.force_login(org.bob)
    r = act(client, order.number, "acknowledge", expected_version=1)
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"
    assert "已被他人更新" in r.json()["message"]
    order.refresh_from_db()
    assert (order.status, order.version) == (Status.DISPATCHED, 2)
    assert order.events.count() == 2


def test_it_answers_409_for_an_illegal_move(org, client):
    order = f.dispatched(org)
    client.force_login(org.bob)
    r = act(client, order.number, "reply", note="已处理")
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition"
    assert "已派单" in r.json()["message"]
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.events.count() == 2


def test_it_answers_404_when_another_unit_acts(org, client):
    order = f.dispatched(org)
    client.force_login(org.charlie)
    r = act(client, order.number, "acknowledge")
    assert r.status_code == 404
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.events.count() == 2


def test_it_answers_403_when_a_user_who_sees_the_order_may_not_act(org, client):
    order = f.dispatched(org)
    client.force_login(org.ann)  # the analyst sees the region's orders but acts on none
    r = act(client, order.number, "acknowledge")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert order.events.count() == 2


def test_it_refuses_an_unknown_action_naming_the_field(org, client):
    order = f.registered(org)
    client.force_login(org.dave)
    before = WorkOrderEvent.objects.count()
    r = act(client, order.number, "teleport")
    assert r.status_code == 400
    assert r.json()["field"] == "action"
    assert WorkOrderEvent.objects.count() == before


def test_it_refuses_missing_or_mistyped_parameters(org, client):
    order = f.in_progress(org)
    client.force_login(org.bob)
    cases = [
        ("reply", {}, "note"),
        ("return", {"note": "不归我们管"}, "legal_basis"),
        ("request_extension", {"note": "需要时间", "days": "three"}, "days"),
        ("request_extension", {"note": "需要时间", "days": 99}, "days"),
        ("acknowledge", {"expected_version": "new"}, "expected_version"),
    ]
    for action, body, field in cases:
        r = act(client, order.number, action, **body)
        assert r.status_code == 400, (action, r.json())
        assert r.json()["field"] == field, (action, r.json())
    order.refresh_from_db()
    assert order.status == Status.IN_PROGRESS and order.events.count() == 3


def test_it_refuses_an_unknown_unit_and_a_bad_rating(org, client):
    order = f.registered(org)
    client.force_login(org.dave)
    r = act(client, order.number, "dispatch", lead_unit="U-NOWHERE")
    assert (r.status_code, r.json()["field"]) == (400, "lead_unit")
    r = act(client, order.number, "dispatch", lead_unit=org.water.pk, assisting_units="U-STREET")
    assert (r.status_code, r.json()["field"]) == (400, "assisting_units")
    order = f.awaiting_callback(org)
    client.force_login(org.carl)
    r = act(client, order.number, "callback", rating="so-so", solved=True)
    assert (r.status_code, r.json()["field"]) == (400, "rating")
    assert WorkOrder.objects.filter(status=Status.CLOSED).count() == 0


def test_it_passes_every_parameter_to_the_move(org, client):
    order = f.returned(org)
    assert order.status == Status.RETURNED
    client.force_login(org.dave)
    r = act(client, order.number, "reassign", lead_unit="U-HOUSING")
    assert r.status_code == 200, r.json()
    order.refresh_from_db()
    assert order.lead_unit == org.housing and order.status == Status.DISPATCHED
    client.force_login(org.sue)
    r = act(client, order.number, "supervise", level=2)
    assert r.status_code == 200
    order.refresh_from_db()
    assert order.supervision_level == 2
    assert order.events.last().payload["level"] == 2
    other = f.registered(org)
    client.force_login(org.alice)
    r = act(client, other.number, "transfer_out", target="110", note="涉及治安，转110")
    assert r.status_code == 200
    other.refresh_from_db()
    assert (other.status, other.transfer_target) == (Status.TRANSFERRED_OUT, "110")
