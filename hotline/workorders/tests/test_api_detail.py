from hotline.workorders.choices import Status
from hotline.workorders.models import WorkOrderLink
from hotline.workorders.tests import factories as f


def detail(client, order):
    return client.get(f"/api/workorders/{order.number}")


def test_it_shows_every_field_and_the_current_assignments(org, client):
    order = f.registered(org, requester_id_number="612727198001011234", address="东城小区")
    f.move(
        order,
        "dispatch",
        org.dave,
        lead_unit=org.water.pk,
        assisting_units=[org.street_office.pk],
    )
    f.move(order, "acknowledge", org.bob)
    f.move(order, "request_extension", org.bob, note="需更换主管道", days=3)
    client.force_login(org.dave)
    r = detail(client, order)
    assert r.status_code == 200
    body = r.json()
    assert body["number"] == order.number
    assert (body["status"], body["status_label"], body["version"]) == ("in_progress", "办理中", 4)
    assert body["content"] == order.content and body["address"] == "东城小区"
    assert body["region"] == {"code": "610831100", "name": "双湖峪街道"}
    assert body["centre"]["code"] == "C0" and body["registered_by"] == "alice"
    assert body["channel_label"] == "电话"
    lead, assisting = body["assignments"]
    assert (lead["unit"]["code"], lead["role"], lead["dispatched_by"]["code"]) == (
        "U-WATER",
        "lead",
        "C0",
    )
    assert lead["acknowledged_at"] is not None and lead["replied_at"] is None
    assert (assisting["unit"]["code"], assisting["role_label"]) == ("U-STREET", "协办")
    assert assisting["acknowledged_at"] is None
    assert body["pending_extension"]["days"] == 3
    assert body["pending_extension"]["unit"]["code"] == "U-WATER"
    # dave dispatches: no full phone; the ID number is masked for everybody.
    assert body["requester"]["phone"] == mask(order.requester_phone)
    assert body["requester"]["phone_masked"] is True
    assert body["requester"]["id_number"] == "6127**********1234"


def mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def test_it_offers_each_user_only_the_actions_they_may_take(org, client):
    order = f.dispatched(org)
    client.force_login(org.bob)
    bob = detail(client, order).json()["allowed_actions"]
    assert {"acknowledge", "return", "request_extension", "add_note"} <= set(bob)
    assert "dispatch" not in bob and "urge" not in bob
    client.force_login(org.sue)
    sue = detail(client, order).json()["allowed_actions"]
    assert {"urge", "supervise", "reassign"} <= set(sue)
    assert "acknowledge" not in sue


def test_it_answers_404_for_an_order_another_unit_holds(org, client):
    order = f.dispatched(org)
    client.force_login(org.charlie)
    r = detail(client, order)
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert r.json()["field"] is None
    assert client.get("/api/workorders/20990101000001").status_code == 404
    client.force_login(org.bob)
    assert detail(client, order).status_code == 200


def test_it_shows_the_full_phone_to_phone_roles_only(org, client):
    order = f.dispatched(org, requester_phone="13612345678")
    for user, shown in [
        (org.alice, "13612345678"),
        (org.carl, "13612345678"),
        (org.dave, "136****5678"),
        (org.bob, "136****5678"),
    ]:
        client.force_login(user)
        assert detail(client, order).json()["requester"]["phone"] == shown, user


def test_it_hides_a_confidential_requester_from_units(org, client):
    order = f.dispatched(org, is_confidential=True, requester_id_number="612727198001011234")
    client.force_login(org.bob)
    requester = detail(client, order).json()["requester"]
    assert requester["name"] == requester["phone"] == requester["id_number"] == "保密"
    assert order.requester_phone not in client.get("/api/workorders").content.decode()
    client.force_login(org.alice)
    requester = detail(client, order).json()["requester"]
    assert requester["name"] == "王先生" and requester["phone"] == order.requester_phone


def test_it_shows_an_anonymous_requester_as_anonymous(org, client):
    order = f.dispatched(org, is_anonymous=True)
    client.force_login(org.bob)
    requester = detail(client, order).json()["requester"]
    assert requester["name"] == "匿名" and requester["is_anonymous"] is True


def test_it_shows_links_and_merges_the_user_may_see(org, client):
    master = f.dispatched(org)
    child = f.registered(org)
    f.move(child, "merge", org.dave, master=master.number)
    other = f.registered(org)
    f.move(master, "link", org.dave, other=other.number, note="同一小区")
    client.force_login(org.dave)
    body = detail(client, master).json()
    assert [o["number"] for o in body["merged_orders"]] == [child.number]
    assert body["links"] == [
        {"number": other.number, "title": other.title, "status": "registered", "note": "同一小区"}
    ]
    assert detail(client, child).json()["master"] == master.number
    assert detail(client, child).json()["status"] == Status.MERGED
    assert WorkOrderLink.objects.count() == 2
    # bob holds the master, but the merged and linked orders were never sent to water.
    client.force_login(org.bob)
    body = detail(client, master).json()
    assert body["merged_orders"] == [] and body["links"] == []
