from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.services import user_create
from hotline.catalog.models import DispatchRule
from hotline.core.testing import PASSWORD
from hotline.dispatch.models import Suggestion
from hotline.dispatch.selectors import suggestion_accuracy_table
from hotline.dispatch.training import dispatch_train
from hotline.workorders.tests.factories import move, registered

from .history import MATTERS, category, history

pytestmark = pytest.mark.django_db
URL = reverse("dispatch_suggest")
WATER_TEXT = {"title": "锦绣华庭停水", "content": "锦绣华庭今天早上开始停水，没有任何通知。"}


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_it_suggests_categories_by_name_at_cold_start(client, org):
    response = login(client, org.alice).get(URL, {**WATER_TEXT, "region": org.street.code})
    assert response.status_code == 200
    body = response.content.decode()
    assert "城乡建设 / 供水 / 停水" in body
    assert "未训练模型" in body
    assert 'class="dispatch-adopt-category"' in body
    row = Suggestion.objects.get()
    assert (row.context, row.model_version, row.order) == ("intake", None, None)
    assert row.category == category(MATTERS["water"][0])


def test_it_puts_the_catalogue_unit_first_when_the_category_decides(client, org):
    stop = category(MATTERS["water"][0])
    DispatchRule.objects.create(category=stop, lead_unit=org.water)
    response = login(client, org.alice).get(
        URL, {**WATER_TEXT, "region": org.street.pk, "category": stop.pk}
    )
    body = response.content.decode()
    assert "县自来水公司" in body and "派单目录" in body
    row = Suggestion.objects.get()
    assert (row.unit, row.unit_source, row.unit_confidence) == (org.water, "rule", 1.0)


def test_it_serves_a_dispatch_queue_row_with_unit_buttons(client, org):
    history(org, per_matter=4)
    dispatch_train(holdout=False)
    order = registered(org, **WATER_TEXT)
    response = login(client, org.dave).get(URL, {"order": order.number})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-unit="{org.water.pk}" data-order="{order.number}"' in body
    # Registered without a category: the categories the API suggests, one click each (QA).
    water = category(MATTERS["water"][0])
    assert f'data-category="{water.pk}"' in body
    assert f'data-order="{order.number}">采用</button>' in body
    row = Suggestion.objects.get()
    assert (row.context, row.order, row.model_version, row.unit) == (
        "dispatch",
        order,
        1,
        org.water,
    )


def test_it_answers_404_for_an_order_the_user_may_not_see(client, org):
    # A dispatcher of the sub-centre sees only its own county, not the order in 子洲县.
    other = user_create(
        username="olga", password=PASSWORD, memberships=[(org.sub_centre, Role.DISPATCHER)]
    )
    order = registered(org, region=org.street.code)
    assert login(client, other).get(URL, {"order": order.number}).status_code == 404
    assert client.get(URL, {"order": "X-NOPE"}).status_code == 404
    assert not Suggestion.objects.exists()
    assert login(client, org.dave).get(URL, {"order": order.number}).status_code == 200


@pytest.mark.parametrize("persona", ["bob", "charlie", "ann", "carl"])
def test_it_refuses_people_who_are_not_intake_or_dispatch_staff(client, org, persona):
    response = login(client, getattr(org, persona)).get(URL, WATER_TEXT)
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_it_sends_anonymous_visitors_to_login(client, org):
    response = client.get(URL, WATER_TEXT)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_it_names_the_field_of_a_bad_category(client, org):
    response = login(client, org.alice).get(URL, {**WATER_TEXT, "category": "abc"})
    assert response.status_code == 400
    assert "诉求分类" in response.content.decode()
    response = client.get(URL, {**WATER_TEXT, "region": "nowhere"})
    assert response.status_code == 400 and "区划" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_it_shows_a_hint_and_records_nothing_for_an_empty_form(client, org):
    response = login(client, org.alice).get(URL, {"title": "", "content": ""})
    assert "输入标题或内容后显示建议" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_it_measures_served_suggestions_against_the_unit_that_closed_the_order(client, org):
    history(org, per_matter=4)
    dispatch_train(holdout=False)
    order = registered(org, **WATER_TEXT)
    login(client, org.dave).get(URL, {"order": order.number})
    now = timezone.now()
    period = {"user": org.dave, "start": now - timedelta(days=1), "end": now + timedelta(days=1)}
    assert suggestion_accuracy_table(**period) == []  # not closed yet
    order = move(order, "dispatch", org.dave, lead_unit=org.housing.pk)
    order = move(order, "acknowledge", org.charlie)
    order = move(order, "reply", org.charlie, note="已处理")
    order = move(order, "accept_reply", org.sue)
    move(order, "callback", org.carl, rating="satisfied", solved=True)
    # Suggested the water utility; the housing bureau handled it.
    [row] = suggestion_accuracy_table(**period)  # model 1 only: no row for a model 2
    assert (row.model_version, row.suggestions, row.top1) == (1, 1, 0.0)


def test_the_agent_desk_asks_for_suggestions_as_the_title_is_typed(client, org):
    """QA: suggestions were fetched on content, region and request type, not on the title."""
    import re

    body = login(client, org.alice).get(reverse("desk_agent")).content.decode()
    [trigger] = re.findall(r'id="dispatch-suggest"[^>]*?hx-trigger="([^"]*)"', body, re.S)
    events = [e.strip() for e in trigger.split(",")]
    assert "input changed delay:600ms from:#id_title" in events
    assert "input changed delay:600ms from:#id_content" in events


def test_the_dispatcher_gives_an_uncategorised_order_its_category_with_the_dispatch(client, org):
    """QA: the dispatcher page offered only units, so an order without a category was
    dispatched without one (and Open311 showed service_code "")."""
    from hotline.workorders.models import WorkOrder

    history(org, per_matter=4)
    dispatch_train(holdout=False)
    order = registered(org, **WATER_TEXT)
    classified = registered(org, category=category(MATTERS["water"][0]).pk, **WATER_TEXT)
    dave = login(client, org.dave)
    queue = dave.get(reverse("desk_dispatch")).content.decode()
    assert f'name="category" value="" form="dispatch-{order.number}"' in queue
    assert f'form="dispatch-{classified.number}" data-order' not in queue
    body = dave.get(URL, {"order": classified.number}).content.decode()
    assert "dispatch-adopt-category" not in body  # it has one already
    url = reverse("desk_dispatch_one", args=[order.number])
    fields = {"expected_version": order.version, "lead_unit": org.water.pk}
    # A category that does not exist: refused by name, nothing written.
    bad = dave.post(url, {**fields, "category": "999999"})
    assert bad.status_code == 400 and "诉求分类" in bad.content.decode()
    order.refresh_from_db()
    assert (order.status, order.category_id) == ("registered", None)
    assert dave.post(url, {**fields, "category": category(MATTERS["water"][0]).pk}).status_code in (
        200,
        302,
    )
    order = WorkOrder.objects.get(pk=order.pk)
    assert (order.status, order.category, order.lead_unit) == (
        "dispatched",
        category(MATTERS["water"][0]),
        org.water,
    )
    event = order.events.order_by("-seq").first()
    assert (
        event.action == "dispatch" and event.payload["category"] == category(MATTERS["water"][0]).pk
    )


def test_the_dispatch_refuses_an_inactive_category_or_changing_one(org):
    from hotline.catalog.models import Category
    from hotline.workorders.errors import InvalidInput

    history(org, per_matter=1)
    water = category(MATTERS["water"][0])
    stale = Category.objects.create(name="旧分类", level=3, parent=water.parent, is_active=False)
    order = registered(org, **WATER_TEXT)
    with pytest.raises(InvalidInput, match="已停用") as refused:
        move(order, "dispatch", org.dave, lead_unit=org.water.pk, category=stale.pk)
    assert refused.value.field == "category"
    classified = registered(org, category=water.pk, **WATER_TEXT)
    other = category(MATTERS["housing"][0])
    with pytest.raises(InvalidInput, match="不能更改"):
        move(classified, "dispatch", org.dave, lead_unit=org.water.pk, category=other.pk)
    order.refresh_from_db()
    classified.refresh_from_db()
    assert (order.status, order.category_id) == ("registered", None)
    assert (classified.status, classified.category) == ("registered", water)
