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
