"""The search over the live entries: what ranks first, where an answer holds, and that every
change of an entry is seen by the next search."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hotline.knowledge import search
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.services import (
    knowledge_entry_publish,
    knowledge_entry_retire,
    knowledge_entry_update,
)

from .factories import entry, request_type

pytestmark = pytest.mark.django_db


def _titles(text: str, **kw) -> list[str]:
    return [h.row.title for h in search.search(text, **kw)]


@pytest.fixture
def three(org):
    water = entry(org)
    gas = entry(
        org,
        title="燃气费怎么缴纳",
        answer="可在燃气公司营业厅、微信公众号或手机银行缴纳燃气费。",
        keywords="燃气费 气费 缴费",
    )
    subsidy = entry(
        org,
        unit=org.housing,
        title="高龄补贴怎么申请",
        answer="年满 80 周岁的老人携身份证、户口本到社区申请高龄补贴。",
        keywords="老年补贴 高龄津贴",
    )
    return water, gas, subsidy


def test_it_ranks_the_entry_that_matches_the_callers_words_first(three):
    water = three[0]
    hits = search.search("我家停水了，什么时候来水？")
    assert [h.row.pk for h in hits][:1] == [water.pk]
    assert "停水" in hits[0].terms
    assert _titles("燃气费在哪里交") == ["燃气费怎么缴纳"]
    assert _titles("老人高龄补贴申请") == ["高龄补贴怎么申请"]
    assert search.search("路灯不亮") == []


def test_scores_fall_with_the_match(three):
    hits = search.search("停水 燃气费")
    assert len(hits) == 2
    assert hits[0].score >= hits[1].score > search.MIN_SCORE


def test_an_entry_for_a_region_holds_there_and_below_only(org):
    entry(org, title="子洲县停水抢修电话", region=org.county, keywords="停水 抢修")
    assert _titles("停水抢修", region_path=org.street.path) == ["子洲县停水抢修电话"]
    assert _titles("停水抢修", region_path=org.county.path) == ["子洲县停水抢修电话"]
    assert _titles("停水抢修", region_path=org.other_county.path) == []
    # Where the request has no region yet, every entry may hold.
    assert _titles("停水抢修") == ["子洲县停水抢修电话"]


def test_an_entry_for_everywhere_holds_in_every_region(org):
    entry(org)
    assert _titles("停水", region_path=org.other_county.path) == ["停水什么时候恢复供水"]


def test_the_request_type_ranks_entries_of_another_type_lower_but_keeps_them(org):
    # The agent's type is often the default (咨询) while the caller asks for help: the entry
    # that answers is not hidden for that, only weighed less than one of the call's type.
    entry(org, title="停水投诉处理时限", request_type=request_type("complaint"))
    entry(org, title="停水投诉受理时限", request_type=request_type("inquiry"))
    plain = {h.row.title: h.score for h in search.search("停水投诉时限")}
    complaint = request_type("complaint").pk
    typed = {h.row.title: h.score for h in search.search("停水投诉时限", request_type_id=complaint)}
    assert set(typed) == set(plain) == {"停水投诉处理时限", "停水投诉受理时限"}
    assert typed["停水投诉处理时限"] == plain["停水投诉处理时限"]
    assert typed["停水投诉受理时限"] == pytest.approx(
        plain["停水投诉受理时限"] * search.OTHER_TYPE_WEIGHT, abs=0.001
    )
    assert _titles("停水投诉时限", request_type_id=complaint)[0] == "停水投诉处理时限"


def test_a_change_to_an_entry_is_seen_by_the_next_search(org):
    row = entry(org)
    assert _titles("停水") == ["停水什么时候恢复供水"]
    row = knowledge_entry_update(
        actor=org.sue,
        entry=row,
        version=1,
        title="供水管网抢修多久",
        keywords="抢修 爆管",
        answer="爆管抢修一般 8 小时内完成。",
    )
    assert _titles("停水") == []
    assert _titles("爆管抢修") == ["供水管网抢修多久"]
    assert search.search("爆管抢修")[0].row.version == row.version


def test_a_retired_entry_is_not_found_and_a_republished_one_is(org):
    row = entry(org)
    row = knowledge_entry_retire(actor=org.sue, entry=row, version=1, note="政策调整")
    assert _titles("停水") == []
    knowledge_entry_publish(actor=org.sue, entry=row, version=row.version)
    assert _titles("停水") == ["停水什么时候恢复供水"]


def test_drafts_and_pending_entries_are_not_found(org):
    entry(org, status=EntryStatus.DRAFT)
    entry(org, actor=org.bella, status=EntryStatus.PENDING, title="停水补偿")
    assert _titles("停水") == []


def test_an_expired_entry_is_not_found_from_the_day_after_its_term(org):
    today = timezone.localdate()
    entry(org, valid_until=today)
    assert _titles("停水") == ["停水什么时候恢复供水"]
    # Nothing changed in the database: the index is rebuilt because the day did.
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert _titles("停水") == []


def test_a_citys_own_filler_words_are_left_out_before_matching(org, settings):
    # "啥时候" (Shaanxi for 什么时候) is how the caller asks, not what about: left in, it alone
    # matches the question that also asks "啥时候".
    entry(org, title="暖气啥时候开始供", answer="供暖期为11月15日至次年3月15日。", keywords="")
    asked = "停水啥时候"
    assert _titles(asked) == ["暖气啥时候开始供"]
    settings.HOTLINE = {**settings.HOTLINE, "KNOWLEDGE_FILLER_EXTRA": "啥时候，咋办"}
    assert search.plain("停水啥时候来，咋办").split() == ["停水", "来"]
    assert _titles(asked) == []  # the index was rebuilt with the city's filler
    assert _titles("暖气") == ["暖气啥时候开始供"]
