"""The knowledge base's figures: 知识库发布条目数 (entries that became published in the period)
and 知识库直办占比 (orders answered at intake from an entry), computed by hand over entries and
orders made at known times, shown wherever figures are listed, and filling a self-evaluation
indicator."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from hotline.analytics.kpis import KPIS, KpiFilters, kpi_compute, kpi_table
from hotline.evaluation.models import EvaluationProject, PerformanceIndicator
from hotline.evaluation.services import indicators_fill, source_choices
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry
from hotline.knowledge.services import (
    knowledge_entry_publish,
    knowledge_entry_retire,
    knowledge_entry_submit,
    knowledge_entry_update,
    knowledge_use_record,
)
from hotline.knowledge.tests.factories import category, entry, request_type
from hotline.workorders.models import WorkOrder
from hotline.workorders.tests.factories import move, registered

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
WEEK = KpiFilters(start=date(2026, 3, 2), end=date(2026, 3, 8))


def at(day: int, hour: int = 9, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=TZ)


def entry_at(when: datetime, org, **kw) -> Entry:
    with time_machine.travel(when, tick=False):
        return entry(org, **kw)


def publish_at(when: datetime, org, row: Entry) -> Entry:
    with time_machine.travel(when, tick=False):
        return knowledge_entry_publish(actor=org.sue, entry=row, version=row.version)


def retire_at(when: datetime, org, row: Entry) -> Entry:
    with time_machine.travel(when, tick=False):
        return knowledge_entry_retire(
            actor=org.sue, entry=row, version=row.version, note="政策调整"
        )


def edit_at(when: datetime, org, row: Entry, **changes) -> Entry:
    with time_machine.travel(when, tick=False):
        return knowledge_entry_update(actor=org.sue, entry=row, version=row.version, **changes)


def count(f: KpiFilters = WEEK, base=None) -> Decimal:
    figure = kpi_compute("knowledge_entries", f, base)
    assert figure.denominator is None  # a plain count
    return figure.numerator


# --- 知识库发布条目数 -----------------------------------------------------------------------


def test_it_counts_each_entry_that_became_published_in_the_period_once(org):
    entry_at(at(3), org, title="新建即发布")
    reviewed = entry_at(at(20, month=2), org, title="审核后发布", status=EntryStatus.DRAFT)
    with time_machine.travel(at(4), tick=False):
        reviewed = knowledge_entry_submit(actor=org.bella, entry=reviewed, version=1)
    publish_at(at(5), org, reviewed)
    # Published, edited, retired and published again, all in the week: one entry.
    again = entry_at(at(3), org, title="停用后重新发布")
    again = edit_at(at(4), org, again, answer="新的答复口径")
    again = retire_at(at(6), org, again)
    publish_at(at(7), org, again)
    # Published in the week and retired later in it: it was published, history is not rewritten.
    retired_later = entry_at(at(3), org, title="发布后停用")
    retire_at(at(5), org, retired_later)
    # Never published: a draft, and one waiting for review.
    entry_at(at(3), org, title="草稿", status=EntryStatus.DRAFT)
    entry_at(at(3), org, actor=org.bella, title="待审核", status=EntryStatus.PENDING)
    # Published the week before: retiring it, or a publisher's edit, publishes nothing new.
    old = entry_at(at(20, month=2), org, title="上周发布、本周停用")
    retire_at(at(4), org, old)
    edited = entry_at(at(20, month=2), org, title="上周发布、本周修改")
    edit_at(at(4), org, edited, answer="修改后的答复口径")

    assert count() == 4
    # February: the two published then (the other was still a draft).
    assert count(KpiFilters(start=date(2026, 2, 1), end=date(2026, 2, 28))) == 2
    assert KPIS["knowledge_entries"].kind == "count"


def test_it_counts_whole_local_days_at_both_ends(org):
    entry_at(at(1, 23, 59, 59), org, title="前一天最后一秒")
    entry_at(at(2, 0), org, title="第一天零点")
    entry_at(at(8, 23, 59, 59), org, title="最后一天最后一秒")
    entry_at(at(9, 0), org, title="后一天零点")
    assert count() == 2
    assert count(KpiFilters(start=date(2026, 3, 2), end=date(2026, 3, 2))) == 1
    assert count(KpiFilters(start=date(2026, 3, 9), end=date(2026, 3, 9))) == 1
    assert count(KpiFilters(start=date(2026, 3, 1), end=date(2026, 3, 9))) == 4


def test_it_slices_by_the_maintaining_units_region_and_unit(org):
    for unit in (org.water, org.housing, org.street_office, org.community, org.sub_centre):
        entry_at(at(3), org, unit=unit, title=f"{unit.name}的条目")
    assert count() == 5
    assert count(replace(WEEK, region=org.city)) == 5
    # The county holds water and housing, and the street below it the street office and its
    # community; the sub-centre sits in the other county.
    assert count(replace(WEEK, region=org.county)) == 4
    assert count(replace(WEEK, region=org.street)) == 2
    assert count(replace(WEEK, region=org.other_county)) == 1
    assert count(replace(WEEK, unit=org.street_office)) == 2
    assert count(replace(WEEK, unit=org.street_office, unit_subtree=False)) == 1
    assert count(replace(WEEK, unit=org.water)) == 1
    assert count(replace(WEEK, region=org.other_county, unit=org.water)) == 0


def test_it_slices_by_the_entrys_type_and_category_but_not_by_channel(org):
    stop = category("城乡建设", "供水", "停水")
    entry_at(at(3), org, title="停水", category=stop, request_type=request_type("inquiry"))
    entry_at(at(3), org, title="无分类")
    assert count(replace(WEEK, request_type="inquiry")) == 1
    assert count(replace(WEEK, request_type="complaint")) == 0
    assert count(replace(WEEK, category=stop)) == 1
    assert count(replace(WEEK, category=category("城乡建设"))) == 1  # with its subtree
    other_top = next(
        c for c in type(stop).objects.filter(level=1) if not stop.path.startswith(c.path)
    )
    assert count(replace(WEEK, category=other_top)) == 0
    # The channel is an order's, not an entry's: it changes nothing.
    assert count(replace(WEEK, channel="web")) == 2
    # Nor does the viewer's scope of orders: published entries are read by all staff.
    assert count(WEEK, WorkOrder.objects.visible_to(org.bob)) == 2


def test_it_reads_the_entry_as_it_was_when_published(org):
    row = entry_at(at(3), org, title="后来移交住建局")
    edit_at(at(12), org, row, unit=org.housing)
    assert count(replace(WEEK, unit=org.water)) == 1  # the week's figure stays the water's
    assert count(replace(WEEK, unit=org.housing)) == 0


# --- 知识库直办占比 -------------------------------------------------------------------------


def test_it_shares_the_orders_answered_at_intake_that_used_an_entry(org):
    row = entry(org)  # published now; live, so uses can be recorded

    def intake(day: int, *, answered: bool, used: bool, **kw) -> WorkOrder:
        order = registered(org, at=at(day), **kw)
        if used:
            assert knowledge_use_record(actor=org.alice, entry_id=row.pk, order=order)
        if answered:
            move(order, "resolve_at_intake", org.alice, note="已按知识库口径答复", at=at(day, 10))
        else:
            move(order, "dispatch", org.dave, lead_unit=org.water.pk, at=at(day, 10))
        return order

    intake(3, answered=True, used=True)
    intake(4, answered=True, used=False, channel="web")
    intake(4, answered=True, used=True)
    intake(5, answered=False, used=True)  # the agent read the entry, then dispatched it
    intake(1, answered=True, used=True)  # registered the week before

    share = kpi_compute("knowledge_direct_share", WEEK)
    assert (share.numerator, share.denominator) == (2, 3)
    assert share.rounded() == Decimal("0.6667")
    # Its denominator is what 直办率 counts as answered at intake.
    assert kpi_compute("direct_resolution", WEEK).numerator == share.denominator
    by_phone = kpi_compute("knowledge_direct_share", replace(WEEK, channel="phone"))
    assert (by_phone.numerator, by_phone.denominator) == (2, 2)
    assert (
        kpi_compute("knowledge_direct_share", replace(WEEK, region=org.other_county)).value is None
    )
    # A water manager never sees the orders answered at intake.
    scoped = kpi_compute("knowledge_direct_share", WEEK, WorkOrder.objects.visible_to(org.bella))
    assert (scoped.numerator, scoped.denominator) == (0, 0)


# --- wherever figures are listed ------------------------------------------------------------


def test_they_are_in_the_table_the_page_and_the_api_of_the_hotline_staff(client, org):
    entry_at(at(3), org, title="一")
    entry_at(at(4), org, title="二")
    codes = [k.code for k, _ in kpi_table(WEEK)]
    assert {"knowledge_entries", "knowledge_direct_share"} <= set(codes)
    assert str(KPIS["knowledge_entries"].name) == "知识库发布条目数"
    assert str(KPIS["knowledge_direct_share"].name) == "知识库直办占比"

    client.force_login(org.ann)
    query = {"start": "2026-03-02", "end": "2026-03-08"}
    text = client.get(reverse("analytics_kpis"), query).content.decode()
    row = text[text.index('id="kpi-knowledge_entries"') :]
    row = row[: row.index("</tr>")]
    assert '知识库发布条目数</th><td class="num">2</td>' in row and "不分渠道" in row
    assert 'id="kpi-knowledge_direct_share"' in text
    figures = {k["code"]: k for k in client.get("/api/analytics/kpis", query).json()}
    assert figures["knowledge_entries"]["numerator"] == 2
    assert figures["knowledge_entries"]["kind"] == "count"
    assert figures["knowledge_direct_share"]["value"] is None  # nothing answered at intake

    # A unit manager is judged on the unit's orders: neither figure is shown.
    client.force_login(org.bella)
    text = client.get(reverse("analytics_kpis"), query).content.decode()
    assert 'id="kpi-registered"' in text and "kpi-knowledge" not in text
    codes = {k["code"] for k in client.get("/api/analytics/kpis", query).json()}
    assert "registered" in codes and not codes & {"knowledge_entries", "knowledge_direct_share"}


def test_an_evaluation_indicator_is_filled_with_the_years_published_entries(org):
    choices = dict(source_choices())
    assert choices["knowledge_entries"] == "知识库发布条目数"
    assert choices["knowledge_direct_share"] == "知识库直办占比"
    entry_at(at(3), org, unit=org.water, title="县自来水公司的条目")
    entry_at(at(10, month=6), org, unit=org.housing, title="县住建局的条目")
    entry_at(at(3), org, unit=org.sub_centre, title="榆阳区的条目")
    entry_at(at(3, month=5), org, title="草稿", status=EntryStatus.DRAFT)
    entry_at(datetime(2025, 12, 31, 23, tzinfo=TZ), org, title="去年的条目")
    project = EvaluationProject.objects.create(
        name="12345 热线服务",
        year=2026,
        unit=org.water,  # in the county: the county's entries only
        budget_initial=Decimal(49),
        budget_full_year=Decimal(49),
        executed=Decimal("48.8"),
    )
    indicator = PerformanceIndicator.objects.create(
        project=project,
        level1="output",
        level2="数量指标",
        name="知识库组织各职能单位上传信息",
        target="≥2项",
        weight=Decimal(10),
        kpi="knowledge_entries",
    )
    assert indicators_fill(project) == (1, [])
    indicator.refresh_from_db()
    assert indicator.actual_value == 2
    assert indicator.actual_text == "知识库发布条目数 2"
