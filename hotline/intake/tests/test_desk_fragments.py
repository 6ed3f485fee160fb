"""The htmx fragments of the intake desk: caller history, category type-ahead, repeat warning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.catalog.models import Category
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests import factories

from .test_desk import Tree, call, login, tree_fixture  # noqa: F401 (a fixture, by name)

HISTORY = "/intake/desk/history/"
CATEGORIES = "/intake/desk/categories/"
REPEATS = "/intake/desk/repeats/"
PHONE = "13912345678"


# --- caller history --------------------------------------------------------------------------


def test_it_shows_the_callers_earlier_orders_newest_first(org):
    first = factories.registered(org, requester_phone=PHONE, title="第一次来电")
    second = factories.dispatched(org, requester_phone=PHONE, title="第二次来电")
    other = factories.registered(org, requester_phone="13900000001", title="别人的来电")
    response = login(org.alice).get(HISTORY, {"requester_phone": PHONE}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(second.number) < html.index(first.number)
    assert "已派单" in html and "县自来水公司" in html and "第一次来电" in html
    assert other.number not in html
    assert f'href="/orders/{first.number}/"' in html


def test_it_waits_for_a_complete_number(org):
    factories.registered(org, requester_phone=PHONE)
    html = login(org.alice).get(HISTORY, {"requester_phone": PHONE[:10]}).content.decode()
    assert "输入完整号码后显示" in html and "<table" not in html


def test_it_says_so_when_a_caller_has_no_history(org):
    html = login(org.alice).get(HISTORY, {"requester_phone": PHONE}).content.decode()
    assert f"号码 {PHONE} 没有历史工单" in html


def test_it_hides_history_outside_the_agents_region(org):
    # An order of another centre's region is invisible to alice (visible_to), so it is not listed.
    mine = factories.registered(org, requester_phone=PHONE)
    WorkOrder.objects.filter(pk=mine.pk).update(region=org.other_county)
    org.centre.region = org.county
    org.centre.save()
    html = login(org.alice).get(HISTORY, {"requester_phone": PHONE}).content.decode()
    assert mine.number not in html


@pytest.mark.parametrize("persona", ["bob", "ann", "charlie"])
def test_it_refuses_the_fragments_to_anyone_but_an_agent(org, persona):
    factories.dispatched(org, requester_phone=PHONE, title="停水")
    client = login(getattr(org, persona))
    for url, params in [
        (HISTORY, {"requester_phone": PHONE}),
        (CATEGORIES, {"category_search": "停水"}),
        (REPEATS, {"requester_phone": PHONE, "category": "1"}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 403, url
        assert "停水" not in response.content.decode().split("<main", 1)[1].split("</main>")[0]


# --- category type-ahead ---------------------------------------------------------------------


def options(html: str) -> list[str]:
    import re

    return re.findall(r'data-name="([^"]+)"', html)


def test_it_lists_matching_leaves_with_their_full_path(org, tree: Tree):
    html = login(org.alice).get(CATEGORIES, {"category_search": "噪音"}).content.decode()
    found = options(html)
    assert "城市管理（测试） / 噪音扰民 / 夜间施工噪音" in found
    # A match at level 2 lists every active leaf below it, even one whose name does not match.
    assert "城市管理（测试） / 噪音扰民 / 商铺音响" in found
    assert not any("占道经营" in name for name in found)
    assert f'data-id="{tree.night.pk}"' in html


def test_it_matches_a_first_level_name(org, tree: Tree):
    found = options(
        login(org.alice).get(CATEGORIES, {"category_search": "城市管理（测试"}).content.decode()
    )
    assert "城市管理（测试） / 占道经营 / 流动摊贩" in found
    assert "城市管理（测试） / 噪音扰民 / 商铺音响" in found


def test_it_excludes_inactive_categories_and_their_branches(org, tree: Tree):
    client = login(org.alice)
    assert not any(
        "广场舞" in n
        for n in options(client.get(CATEGORIES, {"category_search": "广场舞"}).content.decode())
    )
    tree.stalls.is_active = False
    tree.stalls.save()
    found = options(client.get(CATEGORIES, {"category_search": "流动摊贩"}).content.decode())
    assert found == []


def test_it_says_when_nothing_matches(org, tree: Tree):
    html = login(org.alice).get(CATEGORIES, {"category_search": "不存在的词"}).content.decode()
    assert "没有与「不存在的词」匹配的分类" in html


def test_it_offers_a_default_tree_leaf(org):
    found = options(login(org.alice).get(CATEGORIES, {"category_search": "停水"}).content.decode())
    assert "城乡建设 / 供水 / 停水" in found


# --- repeat warning --------------------------------------------------------------------------


def repeats(org, tree, **overrides) -> str:
    params = call(org, tree, **overrides)
    return login(org.alice).get(REPEATS, params).content.decode()


def test_it_warns_of_an_open_order_from_the_same_phone_and_category(org, tree: Tree):
    earlier = factories.dispatched(org, requester_phone=PHONE, category=tree.night.pk)
    html = repeats(org, tree, address="")
    assert "重复诉求提示" in html and earlier.number in html
    assert f'name="merge_into" value="{earlier.number}"' in html
    assert 'form="intake-form"' in html


def test_it_warns_of_the_same_second_level_category(org, tree: Tree):
    earlier = factories.registered(org, requester_phone=PHONE, category=tree.shop.pk)
    assert earlier.number in repeats(org, tree)


def test_it_warns_of_the_same_address_in_the_same_region(org, tree: Tree):
    earlier = factories.registered(
        org,
        requester_phone="13900000002",
        category=tree.night.pk,
        address="双湖峪街道幸福小区 3 号楼",
        region=org.street.code,
    )
    assert earlier.number in repeats(org, tree, requester_phone="")
    # The same address in another region is another place.
    assert earlier.number not in repeats(org, tree, requester_phone="", region=org.county.code)


def test_it_does_not_warn_of_a_different_matter(org, tree: Tree):
    earlier = factories.registered(org, requester_phone=PHONE, category=tree.hawkers.pk)
    html = repeats(org, tree)
    assert earlier.number not in html and "重复诉求提示" not in html


def test_it_lists_a_recent_closed_order_without_offering_to_merge_into_it(org, tree: Tree):
    earlier = factories.awaiting_callback(org, requester_phone=PHONE, category=tree.night.pk)
    factories.move(earlier, "callback", org.carl, rating="satisfied", solved=True)
    html = repeats(org, tree)
    assert earlier.number in html and "已办结" in html
    assert f'value="{earlier.number}"' not in html and "不能并入" in html


def test_it_does_not_warn_of_an_order_older_than_the_window(org, tree: Tree, settings):
    settings.HOTLINE = {**settings.HOTLINE, "REPEAT_WINDOW_DAYS": 7}
    old = factories.registered(
        org,
        requester_phone=PHONE,
        category=tree.night.pk,
        at=timezone.now() - timedelta(days=8),
    )
    recent = factories.registered(
        org,
        requester_phone=PHONE,
        category=tree.night.pk,
        at=timezone.now() - timedelta(days=6),
    )
    html = repeats(org, tree)
    assert recent.number in html and old.number not in html


def test_without_a_category_only_similar_text_makes_a_repeat(org, tree: Tree):
    unrelated = factories.registered(org, requester_phone=PHONE, category=tree.night.pk)
    similar = factories.registered(
        org,
        requester_phone=PHONE,
        title="工地夜间施工噪音",
        content="幸福小区旁工地每晚施工到凌晨，噪音很大，无法入睡。",
    )
    html = repeats(org, tree, category="")
    assert similar.number in html and unrelated.number not in html
    assert "相似度 0." in html


def test_the_desk_shows_one_repeat_list_with_similarity(org, tree: Tree):
    earlier = factories.registered(
        org, requester_phone=PHONE, category=tree.night.pk, content=call(org, tree)["content"]
    )
    html = repeats(org, tree)
    assert html.count(f'name="merge_into" value="{earlier.number}"') == 1
    assert "同一来电号码" in html and "同类诉求" in html and "相似度" in html
    # The dispatch suggestions beside it no longer list repeats of their own.
    suggest = login(org.alice).get("/dispatch/suggest/", call(org, tree)).content.decode()
    assert earlier.number not in suggest and "疑似重复诉求" not in suggest


def test_it_does_not_warn_of_a_first_level_match_alone(org, tree: Tree):
    # Two orders filed only under the same first-level category are not the same matter.
    root_only = Category.objects.create(name="其他噪音", level=2, parent=tree.root)
    earlier = factories.registered(org, requester_phone=PHONE, category=root_only.pk)
    assert earlier.number not in repeats(org, tree)


# --- the caller's data stays out of URLs ------------------------------------------------------


def test_the_desk_posts_the_callers_data_to_its_fragments_never_in_a_url(org):
    html = login(org.alice).get("/intake/desk/").content.decode()
    for url in (HISTORY, REPEATS, "/dispatch/suggest/"):
        assert f'hx-post="{url}"' in html, url
        assert f'hx-get="{url}"' not in html, url
    # Pasted text (an input event, not a key) also refreshes the suggestions.
    assert "input changed delay:600ms from:#id_content" in html


def test_a_posted_number_shows_the_callers_history(org):
    order = factories.registered(org, requester_phone=PHONE, title="第一次来电")
    client = login(org.alice)
    response = client.post(HISTORY, {"requester_phone": PHONE}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and order.number in response.content.decode()
    response = client.post(REPEATS, {"requester_phone": PHONE, "title": "第一次来电"})
    assert response.status_code == 200 and order.number in response.content.decode()
