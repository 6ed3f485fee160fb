"""The agent's intake desk (话务受理) through the Django client: who may use it, and taking a call
down as 转派单, 直接办结 or 登记并并入, with nothing written when anything is wrong."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from hotline.catalog.models import Category
from hotline.core.testing import PASSWORD
from hotline.workorders.choices import Action, Status
from hotline.workorders.models import WorkOrder, WorkOrderEvent, WorkOrderSequence
from hotline.workorders.tests import factories

URL = "/intake/desk/"


@dataclass
class Tree:
    root: Category
    noise: Category  # second level
    night: Category  # leaf under noise
    shop: Category  # leaf under noise
    dance: Category  # inactive leaf under noise
    stalls: Category  # another second level
    hawkers: Category  # leaf under stalls


@pytest.fixture(name="tree")
def tree_fixture(db) -> Tree:
    root = Category.objects.create(name="城市管理（测试）", level=1)
    noise = Category.objects.create(name="噪音扰民", level=2, parent=root)
    stalls = Category.objects.create(name="占道经营", level=2, parent=root)
    return Tree(
        root=root,
        noise=noise,
        night=Category.objects.create(name="夜间施工噪音", level=3, parent=noise),
        shop=Category.objects.create(name="商铺音响", level=3, parent=noise),
        dance=Category.objects.create(name="广场舞噪音", level=3, parent=noise, is_active=False),
        stalls=stalls,
        hawkers=Category.objects.create(name="流动摊贩", level=3, parent=stalls),
    )


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def call(org, tree, **overrides) -> dict[str, str]:
    """What alice types for a typical call."""
    data = {
        "requester_phone": "13912345678",
        "request_type": "complaint",
        "urgency": "normal",
        "category": str(tree.night.pk),
        "region": org.street.code,
        "address": "双湖峪街道幸福小区 3 号楼",
        "title": "",
        "content": "幸福小区旁工地每晚施工到凌晨两点，噪音很大，无法入睡。",
        "requester_name": "李女士",
        "answer": "",
        "decision": "dispatch",
    }
    data.update(overrides)
    return data


def nothing_written() -> None:
    assert WorkOrder.objects.count() == 0
    assert WorkOrderEvent.objects.count() == 0
    assert WorkOrderSequence.objects.filter(last__gt=0).count() == 0


def test_it_renders_the_desk_for_an_agent(org):
    response = login(org.alice).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="intake-form"' in html
    assert 'id="id_requester_phone"' in html and "autofocus" in html
    assert 'id="id_category"' in html and 'id="id_category_search"' in html
    assert "来电历史" in html and "转派单" in html and "直接办结" in html
    # The region picker offers the centre's region subtree and nothing outside it.
    assert org.street.code in html and org.county.code in html


@pytest.mark.parametrize("persona", ["bob", "ann", "dave"])
def test_it_refuses_the_desk_to_anyone_but_an_agent(org, persona):
    client = login(getattr(org, persona))
    response = client.get(URL)
    assert response.status_code == 403
    assert "只供热线中心的话务员使用" in response.content.decode()
    response = client.post(URL, {"requester_phone": "13912345678", "content": "x"})
    assert response.status_code == 403
    assert WorkOrder.objects.count() == 0


def test_it_sends_the_signed_out_to_the_login_page(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_the_desk_in_the_agents_navigation_and_lands_there(org):
    client = login(org.alice)
    assert f'href="{URL}"' in client.get(URL).content.decode()
    assert client.get("/")["Location"] == URL
    assert f'href="{URL}"' not in login(org.bob).get("/orders/").content.decode()


def test_it_registers_an_order_for_the_dispatcher(org, tree):
    client = login(org.alice)
    response = client.post(URL, call(org, tree))
    assert response.status_code == 302 and response["Location"] == reverse("desk_agent")
    order = WorkOrder.objects.get()
    assert order.status == Status.REGISTERED
    assert order.channel == "phone"
    assert order.category == tree.night
    assert order.region == org.street
    assert order.requester_phone == "13912345678"
    assert order.registered_by == org.alice
    # No title typed: the start of the content stands in.
    assert order.title == "幸福小区旁工地每晚施工到凌晨两点，噪音很大，无法入睡。"
    assert list(order.events.values_list("action", flat=True)) == [Action.REGISTER]

    page = client.get(URL).content.decode()
    assert f'id="intake-result-number">{order.number}<' in page
    assert f'id="intake-result-code">{order.query_code}<' in page
    # The form is clear for the next call, and the new order tops today's list.
    assert 'value="13912345678"' not in page
    assert page.index(order.number, page.index('id="today-orders"')) > 0
    # The number is read out once: a reload does not show it again.
    assert 'id="intake-result"' not in client.get(URL).content.decode()


def test_it_cuts_a_long_content_down_to_a_title(org, tree):
    content = "小区门口" * 20
    login(org.alice).post(URL, call(org, tree, content=content))
    assert WorkOrder.objects.get().title == content[:30] + "…"


def test_it_keeps_a_title_typed_by_the_agent(org, tree):
    login(org.alice).post(URL, call(org, tree, title="工地夜间施工扰民"))
    assert WorkOrder.objects.get().title == "工地夜间施工扰民"


def test_it_resolves_at_intake_with_both_events(org, tree):
    answer = "已告知来电人夜间施工须办理许可，可向城管执法局举报。"
    response = login(org.alice).post(
        URL, call(org, tree, request_type="inquiry", decision="resolve", answer=answer)
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    # 直办 ends the agent's part; the order then waits for its callback (domain.md §3).
    assert order.status == Status.AWAITING_CALLBACK
    events = list(order.events.order_by("seq"))
    assert [e.action for e in events] == [Action.REGISTER, Action.RESOLVE_AT_INTAKE]
    assert events[1].note == answer and events[1].actor == org.alice
    assert events[1].payload["answer"] == answer


def test_it_requires_the_answer_to_resolve_at_intake(org, tree):
    response = login(org.alice).post(URL, call(org, tree, decision="resolve", answer=" "))
    assert response.status_code == 400
    assert 'id="error-answer"' in response.content.decode()
    assert "直接办结须填写答复内容" in response.content.decode()
    nothing_written()


def test_it_writes_nothing_when_the_second_step_fails(org, tree, settings):
    # The answer passes the desk's own check but the transition refuses it (too long): the
    # order registered in the first step must roll back with it.
    settings.HOTLINE = {**settings.HOTLINE, "CONTENT_MAX_LENGTH": 100}
    response = login(org.alice).post(URL, call(org, tree, decision="resolve", answer="答" * 101))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-answer"' in html and "说明过长" in html
    nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"requester_phone": ""}, "requester_phone", "请填写联系电话（匿名诉求除外）"),
        ({"requester_phone": "12345"}, "requester_phone", "格式不正确"),
        ({"content": "长" * 5001}, "content", "诉求内容不能超过 5000 字"),
        ({"content": ""}, "content", "请填写诉求内容"),
        ({"category": "999999"}, "category", "不存在"),
        ({"region": "999999"}, "region", "选择一个有效的选项"),
    ],
)
def test_it_shows_bad_input_beside_the_field_and_writes_nothing(
    org, tree, overrides, field, message
):
    response = login(org.alice).post(URL, call(org, tree, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="error-{field}"' in html
    assert message in html
    # What was typed stays on the form.
    assert "幸福小区旁工地" in html or field == "content"
    nothing_written()


def test_it_refuses_an_unknown_decision(org, tree):
    response = login(org.alice).post(URL, call(org, tree, decision="publish"))
    assert response.status_code == 400
    assert "未知的处理方式「publish」" in response.content.decode()
    nothing_written()


def test_it_refuses_an_inactive_category(org, tree):
    response = login(org.alice).post(URL, call(org, tree, category=str(tree.dance.pk)))
    assert response.status_code == 400
    assert "已停用" in response.content.decode()
    nothing_written()


def test_it_takes_an_anonymous_call_without_a_phone(org, tree):
    response = login(org.alice).post(
        URL, call(org, tree, requester_phone="", is_anonymous="on", requester_name="王某")
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.is_anonymous and order.requester_phone == "" and order.requester_name == ""


def test_it_keeps_a_confidential_requester_flag(org, tree):
    login(org.alice).post(URL, call(org, tree, is_confidential="on"))
    assert WorkOrder.objects.get().is_confidential


def test_it_registers_and_merges_into_the_master(org, tree):
    master = factories.dispatched(org, category=tree.shop.pk, requester_phone="13912345678")
    before = master.version
    response = login(org.alice).post(URL, call(org, tree, merge_into=master.number))
    assert response.status_code == 302
    order = WorkOrder.objects.exclude(pk=master.pk).get()
    assert order.status == Status.MERGED and order.master == master
    assert list(order.events.order_by("seq").values_list("action", flat=True)) == [
        Action.REGISTER,
        Action.MERGE,
    ]
    master.refresh_from_db()
    assert master.status == Status.DISPATCHED and master.version == before + 1
    last = master.events.order_by("-seq").first()
    assert last is not None and last.action == Action.MERGE
    assert last.payload == {"merged": order.number}
    page = login(org.alice).get(URL)  # a new session: the banner belongs to the first one
    assert page.status_code == 200


def test_it_writes_nothing_when_the_master_is_closed(org, tree):
    master = factories.awaiting_callback(org, category=tree.shop.pk)
    factories.move(master, "callback", org.carl, rating="satisfied", solved=True)
    assert master.status == Status.CLOSED
    orders, events = WorkOrder.objects.count(), WorkOrderEvent.objects.count()
    response = login(org.alice).post(URL, call(org, tree, merge_into=master.number))
    assert response.status_code == 400
    assert "不能并入" in response.content.decode()
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == (orders, events)


def test_it_shows_the_merge_result_banner(org, tree):
    master = factories.registered(org, category=tree.shop.pk)
    client = login(org.alice)
    client.post(URL, call(org, tree, merge_into=master.number))
    html = client.get(URL).content.decode()
    assert f"并入主单 {master.number}" in html


def test_it_lists_only_the_agents_own_orders_of_today(org, tree, time_machine):
    time_machine.move_to("2026-03-02 01:00:00+00:00", tick=False)
    yesterday = factories.registered(org, at=None)
    time_machine.move_to("2026-03-03 02:00:00+00:00", tick=False)
    mine = factories.registered(org, title="今天第一单")
    time_machine.move_to("2026-03-03 03:00:00+00:00", tick=False)
    mine_later = factories.registered(org, title="今天第二单")
    other_agents = factories.registered(org, actor=org.dave, title="派单员登记")
    html = login(org.alice).get(URL).content.decode()
    table = html[html.index('id="today-orders"') :]
    assert mine.number in table and mine_later.number in table
    assert table.index(mine_later.number) < table.index(mine.number)
    assert yesterday.number not in table and other_agents.number not in table


def test_it_refuses_to_merge_into_an_order_the_agent_cannot_see(org, tree):
    # alice's centre now covers only the county; the master lies in the other county.
    master = factories.registered(org, category=tree.shop.pk)
    WorkOrder.objects.filter(pk=master.pk).update(region=org.other_county)
    org.centre.region = org.county
    org.centre.save()
    response = login(org.alice).post(URL, call(org, tree, merge_into=master.number))
    assert response.status_code == 400
    assert f"主单「{master.number}」不存在" in response.content.decode()
    assert WorkOrder.objects.count() == 1
    assert master.events.count() == 1


def test_it_offers_a_sub_centre_agent_only_its_own_regions(org, tree):
    from hotline.accounts.choices import Role
    from hotline.accounts.services import user_create

    zoe = user_create(username="zoe", password=PASSWORD, memberships=[(org.sub_centre, Role.AGENT)])
    client = login(zoe)
    html = client.get(URL).content.decode()
    assert f'value="{org.other_county.code}"' in html
    assert f'value="{org.street.code}"' not in html and f'value="{org.city.code}"' not in html
    response = client.post(URL, call(org, tree, region=org.street.code))
    assert response.status_code == 400 and 'id="error-region"' in response.content.decode()
    nothing_written()
    response = client.post(URL, call(org, tree, region=org.other_county.code))
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.centre == org.sub_centre and order.region == org.other_county
