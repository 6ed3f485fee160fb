import pytest

from hotline.accounts.choices import Role
from hotline.accounts.models import ApiToken
from hotline.accounts.services import user_create
from hotline.core.testing import PASSWORD
from hotline.dispatch.hot import hot_topic_warnings_raise
from hotline.dispatch.models import Suggestion
from hotline.dispatch.training import dispatch_train
from hotline.workorders.tests.factories import registered

from .history import history

pytestmark = pytest.mark.django_db
TEXT = {"title": "南关小区停水", "content": "南关小区从昨天开始停水，没有通知。"}


def test_it_suggests_over_the_api_with_a_bearer_token(client, org):
    history(org, per_matter=4)
    dispatch_train(holdout=False)
    same = registered(org, requester_phone="13911112222", **TEXT)
    _, key = ApiToken.issue(user=org.alice, name="test")
    response = client.get(
        "/api/dispatch/suggest",
        {**TEXT, "requester_phone": "13911112222", "region": org.street.code},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == 1
    assert body["units"][0]["id"] == org.water.pk and body["units"][0]["source"] == "model"
    assert body["categories"][0]["name"] == "城乡建设 / 供水 / 停水"
    assert 0 < body["categories"][0]["confidence"] <= 1
    assert body["repeats"][0]["number"] == same.number
    row = Suggestion.objects.get()
    assert (row.context, row.user, row.unit) == ("api", org.alice, org.water)


def test_it_answers_404_for_an_invisible_order_and_403_for_units(client, org):
    order = registered(org, **TEXT)
    olga = user_create(
        username="olga", password=PASSWORD, memberships=[(org.sub_centre, Role.DISPATCHER)]
    )
    client.force_login(olga)
    response = client.get("/api/dispatch/suggest", {"order": order.number})
    assert response.status_code == 404
    client.force_login(org.bob)
    response = client.get("/api/dispatch/suggest", TEXT)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    client.force_login(org.dave)
    assert client.get("/api/dispatch/suggest", {"order": order.number}).status_code == 200


def test_it_names_the_field_of_bad_input(client, org):
    client.force_login(org.alice)
    response = client.get("/api/dispatch/suggest", {**TEXT, "category": "999999"})
    assert response.status_code == 400
    assert response.json()["field"] == "category" and "诉求分类" in response.json()["message"]
    assert not Suggestion.objects.exists()


def test_it_lists_hot_topics_and_warnings(client, rising):
    hot_topic_warnings_raise()
    client.force_login(rising.ann)
    topics = client.get("/api/dispatch/hot-topics", {"days": 7}).json()
    assert [(t["size"], t["previous"], t["region"]) for t in topics] == [(7, 1, "双湖峪街道")]
    assert "路灯" in topics[0]["terms"] and len(topics[0]["orders"]) == 5
    warnings = client.get("/api/dispatch/hot-topic-warnings").json()
    assert [w["size"] for w in warnings] == [7]
    # Local time with its offset, as everywhere in the API (stored in UTC, never shown as Z).
    assert warnings[0]["raised_at"].endswith("+08:00")
    assert warnings[0]["period_start"].endswith("+08:00")
    response = client.get("/api/dispatch/hot-topics", {"days": 3})
    assert response.status_code == 400 and response.json()["field"] == "days"
    client.force_login(rising.bob)
    assert client.get("/api/dispatch/hot-topics").status_code == 403
    assert client.get("/api/dispatch/hot-topic-warnings").status_code == 403
