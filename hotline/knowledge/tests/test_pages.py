"""The knowledge pages: the list and its search, an entry, the entry form and the moves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.services import user_create
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry, Revision
from hotline.knowledge.services import knowledge_entry_update, knowledge_use_record
from hotline.workorders.tests.factories import dispatched, registered

from .factories import category, entry, water_stop

pytestmark = pytest.mark.django_db

LIST = reverse("knowledge_list")
NEW = reverse("knowledge_create")


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return [e.title for e, _hit in response.context["rows"]]


def _detail(pk: int) -> str:
    return reverse("knowledge_detail", args=[pk])


def _move(pk: int, move: str) -> str:
    return reverse("knowledge_move", args=[pk, move])


def _counts() -> tuple[int, int]:
    return Entry.objects.count(), Revision.objects.count()


# --- list -------------------------------------------------------------------------------------


def test_the_list_shows_agents_the_live_entries_and_writers_their_drafts(client, org):
    water_stop(org)
    entry(org, actor=org.bella, status=EntryStatus.DRAFT, title="水表报停")
    client.force_login(org.alice)
    body = client.get(LIST)
    assert _titles(body) == ["停水什么时候恢复供水"]
    assert NEW not in body.content.decode() and "待审核" not in body.content.decode()
    client.force_login(org.bella)
    body = client.get(LIST)
    assert _titles(body) == ["水表报停", "停水什么时候恢复供水"]
    page = body.content.decode()
    assert NEW in page and "我单位的条目" in page and "?tab=review" not in page


def test_the_list_searches_with_the_callers_words_and_shows_what_matched(client, org):
    water_stop(org)
    entry(
        org,
        title="燃气费怎么缴纳",
        answer="可在燃气公司营业厅缴纳燃气费。",
        keywords="燃气费 缴费",
        valid_until=timezone.localdate() + timedelta(days=5),
    )
    client.force_login(org.alice)
    response = client.get(LIST, {"q": "我家停水了"})
    assert _titles(response) == ["停水什么时候恢复供水"]
    page = response.content.decode()
    assert "匹配" in page and "停水" in page and "96116" in page  # the answer's excerpt
    assert _titles(client.get(LIST, {"term": "expiring"})) == ["燃气费怎么缴纳"]
    assert _titles(client.get(LIST, {"q": "路灯不亮"})) == []


def test_the_list_pages_through_many_entries(client, org):
    for i in range(23):
        entry(org, title=f"条目 {i:02d}")
    client.force_login(org.alice)
    first = client.get(LIST)
    assert len(_titles(first)) == 20 and "page=2" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert _titles(second) == ["条目 02", "条目 01", "条目 00"]
    assert client.get(LIST, {"page": 99}).context["page"].number == 2


def test_a_bad_filter_is_named_on_the_list(client, org):
    client.force_login(org.sue)
    response = client.get(LIST, {"status": "lost"})
    assert response.status_code == 400
    assert "状态" in response.content.decode()
    assert client.get(LIST, {"page": "x"}).status_code == 400


def test_the_review_tab_lists_pending_entries_for_publishers(client, org):
    water_stop(org)
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING, title="水表更换流程")
    client.force_login(org.sue)
    response = client.get(LIST, {"tab": "review"})
    assert _titles(response) == [pending.title]
    assert response.context["pending_count"] == 1
    client.force_login(org.bella)
    assert _titles(client.get(LIST, {"tab": "review"})) == []
    assert set(_titles(client.get(LIST, {"tab": "mine"}))) == {
        pending.title,
        "停水什么时候恢复供水",
    }


def test_the_list_is_for_staff_only(client, org):
    outsider = user_create(username="zed", password="x-12345-word", memberships=[])
    client.force_login(outsider)
    assert client.get(LIST).status_code == 403
    client.logout()
    assert client.get(LIST).status_code == 302


def test_the_header_links_to_the_knowledge_base(client, org):
    for persona in (org.alice, org.bob):
        client.force_login(persona)
        assert f'href="{LIST}"' in client.get(reverse("workorder_list")).content.decode()


# --- one entry --------------------------------------------------------------------------------


def test_an_entry_shows_its_answer_history_and_facts(client, org):
    row = water_stop(org)
    knowledge_entry_update(
        actor=org.sue, entry=row, version=1, keywords="停水 断水", note="补充说法"
    )
    client.force_login(org.alice)
    page = client.get(_detail(row.pk)).content.decode()
    for words in (
        "96116",
        "城乡建设 / 供水 / 停水",
        "县自来水公司",
        "第 2 版",
        "补充说法",
        "查看该版本内容",
    ):
        assert words in page
    assert 'data-copy="#entry-answer"' in page
    # An agent reads; she sees no button to change it.
    for move in ("edit", "submit", "publish", "reject", "retire"):
        assert f'id="move-{move}"' not in page
    assert reverse("knowledge_edit", args=[row.pk]) not in page


def test_an_entry_one_may_not_see_is_not_found(client, org):
    draft = entry(org, actor=org.bella, status=EntryStatus.DRAFT)
    for persona in (org.alice, org.charlie, org.bob):
        client.force_login(persona)
        assert client.get(_detail(draft.pk)).status_code == 404
        assert client.post(_move(draft.pk, "submit"), {"version": 1}).status_code == 404
    client.force_login(org.bella)
    assert client.get(_detail(draft.pk)).status_code == 200
    assert client.get(_detail(987654)).status_code == 404


def test_the_buttons_follow_the_viewers_rights(client, org):
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING)
    client.force_login(org.bella)
    page = client.get(_detail(pending.pk)).content.decode()
    assert 'id="entry-edit"' in page
    assert 'id="move-publish"' not in page and 'id="move-reject"' not in page
    client.force_login(org.sue)
    page = client.get(_detail(pending.pk)).content.decode()
    for move in ("publish", "reject", "retire"):
        assert f'id="move-{move}"' in page
    assert 'id="move-submit"' not in page


def test_the_uses_link_only_orders_the_viewer_may_see(client, org):
    row = water_stop(org)
    bobs = dispatched(org)
    other = registered(org, title="路灯不亮")
    for order in (bobs, other):
        knowledge_use_record(actor=org.alice, entry_id=row.pk, order=order)
    client.force_login(org.bob)
    page = client.get(_detail(row.pk)).content.decode()
    assert "已有 2 件工单据此直办" in page
    assert bobs.number in page and other.number not in page


# --- moves ------------------------------------------------------------------------------------


def test_sue_publishes_a_pending_entry(client, org):
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING)
    client.force_login(org.sue)
    response = client.post(_move(pending.pk, "publish"), {"version": 1, "note": "核实"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == EntryStatus.PUBLISHED and pending.version == 2
    last = pending.revisions.get(version=2)
    assert (last.action, last.actor, last.note) == ("publish", org.sue, "核实")


def test_a_stale_page_changes_nothing(client, org):
    row = water_stop(org)
    knowledge_entry_update(actor=org.sue, entry=row, version=1, keywords="停水 断水")
    before = _counts()
    client.force_login(org.sue)
    response = client.post(_move(row.pk, "retire"), {"version": 1, "note": "过时"})
    assert response.status_code == 409
    assert "已被 sue 修改" in response.content.decode()
    row.refresh_from_db()
    assert row.status == EntryStatus.PUBLISHED and _counts() == before


def test_sending_back_needs_a_reason(client, org):
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING)
    before = _counts()
    client.force_login(org.sue)
    response = client.post(_move(pending.pk, "reject"), {"version": 1, "note": ""})
    assert response.status_code == 400 and "请填写说明" in response.content.decode()
    assert _counts() == before
    response = client.post(_move(pending.pk, "reject"), {"version": 1, "note": "电话有误"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == EntryStatus.DRAFT


def test_a_manager_may_not_publish(client, org):
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING)
    client.force_login(org.bella)
    assert client.post(_move(pending.pk, "publish"), {"version": 1}).status_code == 403
    assert client.post(_move(pending.pk, "publish"), {}).status_code == 400
    pending.refresh_from_db()
    assert pending.status == EntryStatus.PENDING


# --- the entry form ---------------------------------------------------------------------------


def _fields(**overrides):
    stop = category("城乡建设", "供水", "停水")
    values = {
        "title": "停水后水费怎么算",
        "keywords": "水费 停水",
        "answer": "停水期间不计水费，按实际用水量计费。",
        "basis": "",
        "category": stop.pk,
        "request_type": "",
        "region": "",
        "unit": "",
        "valid_until": "",
        "note": "",
    }
    values.update(overrides)
    return values


def test_bella_creates_a_draft_for_her_unit_only(client, org):
    client.force_login(org.bella)
    form = client.get(NEW).context["form"]
    assert [c for c, _label in form.fields["unit"].choices] == [str(org.water.pk)]
    response = client.post(NEW, _fields(unit=org.water.pk, status="pending", note="新政策"))
    assert response.status_code == 302
    row = Entry.objects.get(title="停水后水费怎么算")
    assert (row.status, row.unit, row.created_by) == (EntryStatus.PENDING, org.water, org.bella)
    assert row.revisions.get().note == "新政策"
    before = _counts()
    response = client.post(NEW, _fields(unit=org.housing.pk, title="别的单位"))
    assert response.status_code == 400 and "您无权维护该单位的知识条目" in response.content.decode()
    response = client.post(NEW, _fields(unit=org.water.pk, status="published"))
    assert response.status_code == 403
    assert _counts() == before


def test_the_category_must_be_a_leaf_on_the_form(client, org):
    client.force_login(org.sue)
    form = client.get(NEW).context["form"]
    leaves = {k for _group, options in form.fields["category"].choices[1:] for k, _v in options}
    assert str(category("城乡建设", "供水", "停水").pk) in leaves
    assert str(category("城乡建设", "供水").pk) not in leaves
    response = client.post(NEW, _fields(unit=org.water.pk, category=category("城乡建设").pk))
    assert response.status_code == 400
    assert "诉求分类不存在或已停用" in response.content.decode()


def test_a_service_error_is_shown_beside_its_field(client, org):
    client.force_login(org.sue)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    before = _counts()
    response = client.post(
        NEW, _fields(unit=org.water.pk, valid_until=yesterday, status="published")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "有效期已过" in form.errors["valid_until"][0]
    assert _counts() == before


def test_a_missing_answer_is_named(client, org):
    client.force_login(org.sue)
    response = client.post(NEW, _fields(unit=org.water.pk, answer=""))
    assert response.status_code == 400 and "answer" in response.context["form"].errors
    assert not Entry.objects.exists()


def test_a_managers_edit_of_a_published_entry_waits_for_review(client, org):
    row = water_stop(org)
    client.force_login(org.bella)
    url = reverse("knowledge_edit", args=[row.pk])
    form = client.get(url).context["form"]
    assert form.initial["title"] == row.title
    fields = _fields(
        title=row.title,
        keywords=row.keywords,
        answer="抢修一般在 6 小时内恢复供水。",
        unit=org.water.pk,
        note="缩短时限",
        version=1,
    )
    response = client.post(url, fields, follow=True)
    assert "待热线中心审核后重新发布" in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.version, row.answer) == (
        EntryStatus.PENDING,
        2,
        "抢修一般在 6 小时内恢复供水。",
    )
    # The same form again, from the version it was loaded at: refused, nothing written.
    before = _counts()
    response = client.post(url, {**fields, "answer": "别的答复"})
    assert response.status_code == 409
    assert "第 2 版" in response.content.decode()
    assert 'name="version" value="1"' in response.content.decode()
    assert _counts() == before


def test_only_writers_reach_the_form(client, org):
    row = water_stop(org)
    draft = entry(org, status=EntryStatus.DRAFT)
    client.force_login(org.bob)
    assert client.get(reverse("knowledge_edit", args=[row.pk])).status_code == 403
    assert client.get(reverse("knowledge_edit", args=[draft.pk])).status_code == 404
    assert client.get(NEW).status_code == 403
    client.force_login(org.charlie)
    response = client.post(reverse("knowledge_edit", args=[row.pk]), _fields(version=1))
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.version == 1


def test_the_list_costs_the_same_queries_for_more_rows(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    for i in range(2):
        water_stop(org, title=f"条目 {i}", region=org.county)
    client.force_login(org.sue)
    few = queries()
    for i in range(2, 12):
        water_stop(org, title=f"条目 {i}", region=org.county)
    assert queries() == few


def test_an_entrys_page_costs_the_same_queries_for_a_longer_history(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    row = water_stop(org, region=org.county)
    client.force_login(org.sue)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_detail(row.pk)).status_code == 200
        return len(ctx.captured_queries)

    knowledge_entry_update(actor=org.sue, entry=row, version=1, keywords="断水")
    short = queries()
    for version in range(2, 8):
        knowledge_entry_update(
            actor=org.bella, entry=row, version=version, keywords=f"停水{version}"
        )
    assert queries() == short
