from hotline.workorders.models import ContactReveal
from hotline.workorders.tests import factories as f


def reveal(client, order, **body):
    return client.post(
        f"/api/workorders/{order.number}/reveal-phone", body, content_type="application/json"
    )


def test_it_reveals_the_number_and_records_who_saw_it(org, client):
    order = f.dispatched(
        org, requester_phone="13512345678", requester_id_number="61272719800101123X"
    )
    client.force_login(org.bob)
    r = reveal(client, order, reason="联系诉求人上门维修")
    assert r.status_code == 200
    assert r.json() == {
        "number": order.number,
        "phone": "13512345678",
        "id_number": "61272719800101123X",
    }
    seen = ContactReveal.objects.get()
    assert (seen.order, seen.user, seen.reason) == (order, org.bob, "联系诉求人上门维修")


def test_it_reveals_without_a_reason(org, client):
    order = f.dispatched(org)
    client.force_login(org.dave)
    assert reveal(client, order).status_code == 200
    assert ContactReveal.objects.get().user == org.dave


def test_it_refuses_to_reveal_a_confidential_requester_to_a_unit(org, client):
    order = f.dispatched(org, is_confidential=True)
    client.force_login(org.bob)
    r = reveal(client, order)
    assert r.status_code == 403
    assert order.requester_phone not in r.content.decode()
    assert not ContactReveal.objects.exists()


def test_it_answers_404_to_another_unit(org, client):
    order = f.dispatched(org)
    client.force_login(org.charlie)
    assert reveal(client, order).status_code == 404
    assert not ContactReveal.objects.exists()
