from hotline.workorders.tests import factories as f


def test_it_shows_the_timeline_in_order(org, client):
    order = f.in_progress(org)
    f.move(order, "add_note", org.bob, note="已联系物业")
    client.force_login(org.bob)
    r = client.get(f"/api/workorders/{order.number}/events")
    assert r.status_code == 200
    events = r.json()
    assert [(e["seq"], e["action"]) for e in events] == [
        (1, "register"),
        (2, "dispatch"),
        (3, "acknowledge"),
        (4, "add_note"),
    ]
    dispatch = events[1]
    assert dispatch["label"] == "派单"
    assert (dispatch["from_status"], dispatch["to_status"]) == ("registered", "dispatched")
    assert dispatch["actor"] == "dave"
    assert dispatch["actor_unit"]["code"] == "C0"
    assert dispatch["unit"]["code"] == "U-WATER"
    assert dispatch["payload"]["lead_unit"] == "U-WATER"
    assert events[3]["note"] == "已联系物业"
    assert events[3]["actor_unit"]["code"] == "U-WATER"
    assert events[0]["created_at"].endswith("+08:00")


def test_it_hides_the_timeline_of_an_order_from_another_unit(org, client):
    order = f.dispatched(org)
    client.force_login(org.charlie)
    assert client.get(f"/api/workorders/{order.number}/events").status_code == 404
