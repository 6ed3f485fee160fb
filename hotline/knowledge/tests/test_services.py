"""The knowledge base's writes and scoped reads: who may do what, versions, input, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.knowledge import selectors
from hotline.knowledge.choices import EntryStatus, RevisionAction
from hotline.knowledge.models import Entry, Revision, Use
from hotline.knowledge.services import (
    knowledge_entry_publish,
    knowledge_entry_reject,
    knowledge_entry_retire,
    knowledge_entry_submit,
    knowledge_entry_update,
    knowledge_use_record,
    scope_of,
)
from hotline.workorders.errors import (
    ConcurrentUpdate,
    IllegalTransition,
    InvalidInput,
    NotFound,
    NotPermitted,
)
from hotline.workorders.tests.factories import dispatched, registered

from .factories import category, entry, water_stop

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int]:
    return Entry.objects.count(), Revision.objects.count()


# --- who may write ----------------------------------------------------------------------------


def test_it_lets_sue_publish_an_entry_of_a_unit_in_her_region(org):
    row = entry(org, actor=org.sue, unit=org.water)
    assert row.status == EntryStatus.PUBLISHED and row.published_at is not None
    assert row.is_live()


def test_it_lets_bella_draft_and_submit_her_units_entries_but_not_publish_them(org):
    row = entry(org, actor=org.bella, status=EntryStatus.DRAFT)
    row = knowledge_entry_submit(actor=org.bella, entry=row, version=row.version)
    assert row.status == EntryStatus.PENDING
    with pytest.raises(NotPermitted):
        knowledge_entry_publish(actor=org.bella, entry=row, version=row.version)
    with pytest.raises(NotPermitted):
        entry(org, actor=org.bella, status=EntryStatus.PUBLISHED)
    row = knowledge_entry_publish(actor=org.sue, entry=row, version=row.version, note="核实无误")
    assert row.status == EntryStatus.PUBLISHED and row.version == 3


@pytest.mark.parametrize("persona", ["bob", "charlie", "alice", "dave"])
def test_it_refuses_staff_who_do_not_maintain_the_unit_and_writes_nothing(org, persona):
    before = _counts()
    with pytest.raises(NotPermitted) as caught:
        entry(org, actor=getattr(org, persona), status=EntryStatus.DRAFT)
    assert caught.value.field == "unit"
    assert _counts() == before


def test_it_refuses_bella_the_housing_bureaus_entries(org):
    row = entry(org, unit=org.housing, title="公租房怎么申请")
    with pytest.raises(NotPermitted):
        knowledge_entry_update(actor=org.bella, entry=row, version=1, title="改一下")
    with pytest.raises(NotPermitted):
        entry(org, actor=org.bella, unit=org.housing, status=EntryStatus.DRAFT)
    with pytest.raises(NotPermitted):
        # Nor may she move her own entry to a unit she does not maintain.
        own = entry(org, actor=org.bella, status=EntryStatus.DRAFT)
        knowledge_entry_update(actor=org.bella, entry=own, version=1, unit=org.housing)


def test_it_lets_mia_write_for_the_community_below_her_street_office(org):
    row = entry(org, actor=org.mia, unit=org.community, status=EntryStatus.PENDING)
    assert row.unit == org.community
    with pytest.raises(NotPermitted):
        entry(org, actor=org.mia, unit=org.water, status=EntryStatus.DRAFT)


def test_it_gives_handlers_and_agents_no_scope_and_publishers_theirs(org):
    assert not scope_of(org.bob).writes and not scope_of(org.alice).writes
    assert scope_of(org.bella).writes and not scope_of(org.bella).is_publisher
    assert scope_of(org.sue).is_publisher and scope_of(org.sue).publishes(org.water)


def test_a_managers_edit_of_a_published_entry_goes_to_pending(org):
    row = entry(org)
    row = knowledge_entry_update(
        actor=org.bella,
        entry=row,
        version=1,
        answer="抢修一般在 6 小时内恢复供水。",
        note="时限缩短",
    )
    assert row.status == EntryStatus.PENDING
    assert not row.is_live()
    last = row.revisions.order_by("-version").first()
    assert last is not None
    assert (last.action, last.status, last.actor, last.note) == (
        RevisionAction.EDIT,
        EntryStatus.PENDING,
        org.bella,
        "时限缩短",
    )


def test_a_publishers_edit_keeps_the_entry_published(org):
    row = entry(org)
    row = knowledge_entry_update(actor=org.sue, entry=row, version=1, keywords="停水 断水")
    assert row.status == EntryStatus.PUBLISHED and row.version == 2


def test_it_sends_back_and_retires_only_with_a_reason(org):
    row = entry(org, actor=org.bella, status=EntryStatus.PENDING)
    with pytest.raises(InvalidInput) as caught:
        knowledge_entry_reject(actor=org.sue, entry=row, version=1, note="  ")
    assert caught.value.field == "note"
    row = knowledge_entry_reject(actor=org.sue, entry=row, version=1, note="电话号码有误")
    assert row.status == EntryStatus.DRAFT
    with pytest.raises(IllegalTransition):
        knowledge_entry_reject(actor=org.sue, entry=row, version=2, note="再退")
    row = knowledge_entry_retire(actor=org.sue, entry=row, version=2, note="政策已废止")
    assert row.status == EntryStatus.RETIRED
    with pytest.raises(IllegalTransition):
        knowledge_entry_retire(actor=org.sue, entry=row, version=3, note="再停")


# --- versions ---------------------------------------------------------------------------------


def test_a_stale_version_is_refused_and_nothing_is_written(org):
    row = entry(org)
    knowledge_entry_update(actor=org.sue, entry=row, version=1, title="停水后多久恢复供水")
    before = _counts()
    with pytest.raises(ConcurrentUpdate) as caught:
        knowledge_entry_update(actor=org.bella, entry=row, version=1, title="别的标题")
    assert caught.value.field == "version" and caught.value.http_status == 409
    assert "第 2 版" in caught.value.message and "sue" in caught.value.message
    for move in (knowledge_entry_retire, knowledge_entry_reject):
        with pytest.raises(ConcurrentUpdate):
            move(actor=org.sue, entry=row, version=1, note="理由")
    row.refresh_from_db()
    assert (row.title, row.version, row.status) == ("停水后多久恢复供水", 2, EntryStatus.PUBLISHED)
    assert _counts() == before


def test_an_unknown_entry_is_not_found(org):
    with pytest.raises(NotFound):
        knowledge_entry_submit(actor=org.sue, entry=987654, version=1)


# --- input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"title": "   "}, "title", "请填写问题"),
        ({"answer": ""}, "answer", "请填写答复口径"),
        ({"answer": "答" * 4001}, "answer", "不能超过 4000 个字"),
        ({"keywords": "a\x00b"}, "keywords", "无效字符"),
    ],
)
def test_bad_input_is_named_and_nothing_is_written(org, fields, field, words):
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        entry(org, **fields)
    assert caught.value.field == field and words in caught.value.message
    assert _counts() == before


def test_a_category_must_be_a_leaf(org):
    with pytest.raises(InvalidInput) as caught:
        entry(org, category=category("城乡建设", "供水"))
    assert caught.value.field == "category" and "最末一级" in caught.value.message


def test_an_expired_term_cannot_be_published(org):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        entry(org, valid_until=yesterday)
    assert caught.value.field == "valid_until"
    draft = entry(org, status=EntryStatus.DRAFT, valid_until=yesterday)
    with pytest.raises(InvalidInput):
        knowledge_entry_publish(actor=org.sue, entry=draft, version=1)
    draft.refresh_from_db()
    assert draft.status == EntryStatus.DRAFT and draft.version == 1


def test_an_edit_that_changes_nothing_is_refused(org):
    row = entry(org)
    with pytest.raises(InvalidInput) as caught:
        knowledge_entry_update(actor=org.sue, entry=row, version=1, title=row.title)
    assert "没有修改" in caught.value.message


def test_a_field_that_may_not_be_edited_is_named(org):
    row = entry(org)
    with pytest.raises(InvalidInput) as caught:
        knowledge_entry_update(actor=org.sue, entry=row, version=1, status="published")
    assert "status" in caught.value.message


# --- history ----------------------------------------------------------------------------------


def test_the_revision_history_is_complete_and_append_only(org):
    row = entry(org, actor=org.bella, status=EntryStatus.DRAFT, title="停水怎么办")
    first = Revision.objects.get(entry=row, version=1)
    first_values = (first.title, first.answer, first.status, first.at)
    row = knowledge_entry_submit(actor=org.bella, entry=row, version=1, note="请审核")
    row = knowledge_entry_reject(actor=org.sue, entry=row, version=2, note="补充电话")
    row = knowledge_entry_update(
        actor=org.bella, entry=row, version=3, answer="请拨打 96116 报修。", note="已补充"
    )
    row = knowledge_entry_submit(actor=org.bella, entry=row, version=4)
    row = knowledge_entry_publish(actor=org.sue, entry=row, version=5)
    row = knowledge_entry_retire(actor=org.sue, entry=row, version=6, note="并入新条目")

    history = list(row.revisions.order_by("version"))
    assert [(r.version, r.action, r.status, r.actor.username) for r in history] == [
        (1, "create", "draft", "bella"),
        (2, "submit", "pending", "bella"),
        (3, "reject", "draft", "sue"),
        (4, "edit", "draft", "bella"),
        (5, "submit", "pending", "bella"),
        (6, "publish", "published", "sue"),
        (7, "retire", "retired", "sue"),
    ]
    # Each revision holds the entry as it then stood; the first is untouched by what followed.
    assert history[0].answer != history[3].answer == "请拨打 96116 报修。"
    first.refresh_from_db()
    assert (first.title, first.answer, first.status, first.at) == first_values
    assert row.version == history[-1].version


def test_a_retired_entry_edited_by_its_manager_becomes_a_draft(org):
    row = entry(org)
    row = knowledge_entry_retire(actor=org.sue, entry=row, version=1, note="暂停")
    row = knowledge_entry_update(actor=org.bella, entry=row, version=2, title="停水后多久来水")
    assert row.status == EntryStatus.DRAFT


# --- what is live -----------------------------------------------------------------------------


def test_an_expired_entry_is_not_live_and_only_its_maintainers_see_it(org):
    row = entry(org, valid_until=timezone.localdate())
    assert row.is_live()
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert not row.is_live(today=tomorrow) and row.is_expired(today=tomorrow)
    Entry.objects.filter(pk=row.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    row.refresh_from_db()
    assert not row.is_live()
    assert selectors.entry_for(org.bella, row.pk) == row
    assert selectors.entry_for(org.sue, row.pk) == row
    for persona in (org.alice, org.bob, org.charlie):
        with pytest.raises(NotFound):
            selectors.entry_for(persona, row.pk)


def test_a_draft_is_seen_by_its_writers_only(org):
    row = entry(org, actor=org.bella, status=EntryStatus.DRAFT)
    assert selectors.entry_for(org.bella, row.pk) == row
    assert selectors.entry_for(org.sue, row.pk) == row
    for persona in (org.alice, org.bob, org.charlie, org.mia):
        with pytest.raises(NotFound):
            selectors.entry_for(persona, row.pk)


def test_every_staff_member_reads_a_live_entry_and_nobody_else(org):
    from hotline.accounts.services import user_create

    row = entry(org)
    for persona in (org.alice, org.bob, org.charlie, org.cora, org.ann):
        assert selectors.entry_for(persona, row.pk) == row
    outsider = user_create(username="zed", password="x-12345-word", memberships=[])
    with pytest.raises(NotFound):
        selectors.entry_for(outsider, row.pk)
    with pytest.raises(NotFound):
        selectors.entry_for(org.alice, "abc")


def test_the_list_filters_by_status_term_unit_and_tab(org):
    today = timezone.localdate()
    live = water_stop(org)
    soon = entry(org, title="夏季错峰供水安排", valid_until=today + timedelta(days=10))
    later = entry(org, title="阶梯水价标准", valid_until=today + timedelta(days=90))
    pending = entry(org, actor=org.bella, status=EntryStatus.PENDING, title="水表更换")
    housing = entry(org, unit=org.housing, title="公租房申请条件")
    Entry.objects.filter(pk=later.pk).update(valid_until=today - timedelta(days=1))

    def ids(user, **kw):
        result = selectors.entry_list(user=user, filters=selectors.EntryFilters(**kw))
        return {e.pk for e in result.entries}

    assert ids(org.alice) == {live.pk, soon.pk, housing.pk}
    assert ids(org.bella) == {live.pk, soon.pk, later.pk, pending.pk, housing.pk}
    assert ids(org.bella, term="expiring") == {soon.pk}
    assert ids(org.bella, term="expired") == {later.pk}
    assert ids(org.bella, status="pending") == {pending.pk}
    assert ids(org.bella, mine=True) == {live.pk, soon.pk, later.pk, pending.pk}
    assert ids(org.bella, review=True) == set()
    assert ids(org.sue, review=True) == {pending.pk}
    assert ids(org.alice, mine=True) == set()
    assert ids(org.sue, unit=org.housing.pk) == {housing.pk}
    assert ids(org.sue, category=category("城乡建设").pk) == {live.pk}
    with pytest.raises(InvalidInput) as caught:
        ids(org.sue, status="lost")
    assert caught.value.field == "status"


def test_the_list_ranks_by_the_search_and_finds_a_writers_drafts_by_their_words(org):
    water_stop(org)
    entry(
        org,
        title="燃气费怎么缴纳",
        answer="可在燃气公司营业厅或手机银行缴纳燃气费。",
        keywords="燃气费 缴费",
    )
    draft = entry(org, actor=org.bella, status=EntryStatus.DRAFT, title="停水补偿标准")
    result = selectors.entry_list(user=org.bella, filters=selectors.EntryFilters(q="停水"))
    titles = [e.title for e in result.entries]
    assert titles == ["停水什么时候恢复供水", "停水补偿标准"]
    assert draft.pk not in result.hits
    result = selectors.entry_list(user=org.alice, filters=selectors.EntryFilters(q="停水"))
    assert [e.title for e in result.entries] == ["停水什么时候恢复供水"]


# --- uses -------------------------------------------------------------------------------------


def test_a_use_is_recorded_once_and_only_for_a_live_entry(org):
    row = entry(org)
    order = registered(org)
    first = knowledge_use_record(actor=org.alice, entry_id=str(row.pk), order=order)
    again = knowledge_use_record(actor=org.alice, entry_id=row.pk, order=order)
    assert first is not None and again is not None and first.pk == again.pk
    assert Use.objects.filter(entry=row).count() == 1 and first.version == 1
    draft = entry(org, status=EntryStatus.DRAFT)
    assert knowledge_use_record(actor=org.alice, entry_id=draft.pk, order=order) is None
    assert knowledge_use_record(actor=org.alice, entry_id="12; drop", order=order) is None
    assert Use.objects.count() == 1


def test_the_uses_list_only_orders_the_viewer_may_see(org):
    row = entry(org)
    seen_by_bob = dispatched(org)  # sent to the water utility
    not_bobs = registered(org, title="路灯不亮")
    for order in (seen_by_bob, not_bobs):
        knowledge_use_record(actor=org.alice, entry_id=row.pk, order=order)
    uses = selectors.entry_uses(org.bob, row)
    assert uses.count == 2
    assert [u.order for u in uses.recent] == [seen_by_bob]
    assert {u.order for u in selectors.entry_uses(org.sue, row).recent} == {seen_by_bob, not_bobs}
    assert selectors.entry_uses(org.charlie, row).recent == []


def test_the_list_finds_words_as_typed_beyond_what_the_search_ranks(org):
    deep = entry(org, title="错峰供水安排", answer="夏季用水高峰期间。" * 30 + "咨询电话 96110。")
    result = selectors.entry_list(user=org.alice, filters=selectors.EntryFilters(q="96110"))
    assert [e.pk for e in result.entries] == [deep.pk]
    assert deep.pk not in result.hits  # past the part of the answer the search reads
