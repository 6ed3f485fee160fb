from hotline.workorders.tests import factories as f


def test_it_lists_earlier_orders_from_the_same_number(org, client):
    first = f.dispatched(org, requester_phone="13344445555")
    second = f.registered(org, requester_phone="13344445555")
    f.registered(org)
    client.force_login(org.alice)
    r = client.get("/api/requesters/13344445555/workorders")
    assert r.status_code == 200
    assert [o["number"] for o in r.json()] == [second.number, first.number]
    assert r.json()[0]["requester"]["phone"] == "133****5555"


def test_it_lists_only_what_the_user_may_see(org, client):
    sent = f.dispatched(org, requester_phone="13344445555")
    f.registered(org, requester_phone="13344445555")
    client.force_login(org.bob)
    r = client.get("/api/requesters/13344445555/workorders")
    assert [o["number"] for o in r.json()] == [sent.number]
    client.force_login(org.charlie)
    assert client.get("/api/requesters/13344445555/workorders").json() == []


def test_it_does_not_confirm_a_confidential_requesters_number_to_a_unit(org, client):
    secret = f.dispatched(org, requester_phone="13344445555", is_confidential=True)
    client.force_login(org.bob)
    assert client.get("/api/requesters/13344445555/workorders").json() == []
    r = client.get("/api/workorders", {"phone": "13344445555"})
    assert r.json()["items"] == []
    # Without the phone filter bob still sees the order he must handle, requester hidden.
    items = client.get("/api/workorders").json()["items"]
    assert [(o["number"], o["requester"]["phone"]) for o in items] == [(secret.number, "保密")]
    client.force_login(org.alice)
    r = client.get("/api/requesters/13344445555/workorders")
    assert [o["number"] for o in r.json()] == [secret.number]
