"""QA of issue #6: suggested against final unit could not be measured (intake suggestions never
tied to their order, one row per dispatch-queue render, the accuracy shown nowhere)."""

import re

import pytest
from django.urls import reverse

from hotline.accounts.models import ApiToken
from hotline.core.testing import PASSWORD
from hotline.dispatch.models import Suggestion
from hotline.dispatch.training import dispatch_train
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests.factories import move, registered

from .history import history

pytestmark = pytest.mark.django_db
URL = reverse("dispatch_suggest")
WATER = {"title": "锦绣华庭停水", "content": "锦绣华庭今天早上开始停水，没有任何通知。"}


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def _served_id(body: str) -> str:
    [value] = re.findall(r'name="dispatch_suggestion" value="(\d+)" form="intake-form"', body)
    return value


def test_the_dispatch_queue_records_one_suggestion_per_order_and_model(client, org):
    """QA: order 1489 got rows 3 and 11 within a second."""
    history(org, per_matter=3)
    dispatch_train(holdout=False)
    order = registered(org, **WATER)
    login(client, org.dave)
    for _ in range(3):
        assert client.get(URL, {"order": order.number}).status_code == 200
    [row] = Suggestion.objects.filter(order=order)
    assert (row.context, row.model_version) == ("dispatch", 1)
    dispatch_train(holdout=False)  # a new model: a new row
    client.get(URL, {"order": order.number})
    assert sorted(
        Suggestion.objects.filter(order=order).values_list("model_version", flat=True)
    ) == [1, 2]


def test_the_intake_suggestion_is_tied_to_the_order_registered_from_the_call(client, org):
    history(org, per_matter=3)
    dispatch_train(holdout=False)
    login(client, org.alice)
    first = _served_id(client.post(URL, {"title": "锦绣华庭", "content": ""}).content.decode())
    # The agent types on: the desk posts back the row it showed, which is rewritten.
    again = client.post(URL, {**WATER, "dispatch_suggestion": first}).content.decode()
    assert _served_id(again) == first
    [row] = Suggestion.objects.all()
    assert row.order is None and row.context == "intake" and row.unit == org.water
    form = {
        "requester_phone": "13912345678",
        "request_type": "complaint",
        "urgency": "normal",
        "region": org.street.code,
        "requester_name": "李女士",
        "decision": "dispatch",
        "dispatch_suggestion": first,
        **WATER,
    }
    assert client.post(reverse("desk_agent"), form).status_code == 302
    order = WorkOrder.objects.get(title=WATER["title"])
    row.refresh_from_db()
    assert row.order == order
    # Another agent's id, or one already tied, links nothing.
    form["dispatch_suggestion"] = first
    assert client.post(reverse("desk_agent"), form).status_code == 302
    assert Suggestion.objects.filter(order__isnull=False).count() == 1


def test_the_accuracy_per_model_version_is_on_the_hot_topic_page_and_in_the_api(client, org):
    history(org, per_matter=3)
    dispatch_train(holdout=False)
    hit, miss = registered(org, **WATER), registered(org, **WATER)
    login(client, org.dave)
    for order in (hit, miss):
        client.get(URL, {"order": order.number})
    for order, unit, handler in ((hit, org.water, org.bob), (miss, org.housing, org.charlie)):
        order = move(order, "dispatch", org.dave, lead_unit=unit.pk)
        order = move(order, "acknowledge", handler)
        order = move(order, "reply", handler, note="已处理")
        order = move(order, "accept_reply", org.sue)
        move(order, "callback", org.carl, rating="satisfied", solved=True)
    body = login(client, org.sue).get(reverse("dispatch_hot_topics"), {"days": 7}).content.decode()
    assert "派单建议准确率" in body
    [row] = re.findall(r'<table class="suggestion-accuracy">.*?<tbody>(.*?)</tbody>', body, re.S)
    cells = re.findall(r"<td>(.*?)</td>", row)
    assert cells == ["v1", "派单", "2", "50%", "100%"]
    _, key = ApiToken.issue(user=org.ann, name="test")
    response = client.get(
        "/api/dispatch/suggestion-accuracy", {"days": 7}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.json() == [
        {"model_version": 1, "context": "dispatch", "suggestions": 2, "top1": 0.5, "top3": 1.0}
    ]
    bad = client.get(
        "/api/dispatch/suggestion-accuracy", {"days": 5}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert bad.status_code == 400
