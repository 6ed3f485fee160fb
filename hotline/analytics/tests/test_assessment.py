"""Monthly unit assessment against a hand computation (default scheme: 按时签收率 20,
按时办结率 30, 满意率 30, 退单率 10, 重办率 10; lower is better for the last two).

March 2026 of the shared history, by hand:
  water    签收 1/3 → 6.667 · 办结 1/3 → 10 · 满意 1/2 → 15 · 退单 1/4 → 7.5 · 重办 1/2 → 5 = 44.17
  housing  签收 0/1 → 0     · 办结 0/1 → 0  · 满意 1/1 → 30 · 退单 0/1 → 10  · 重办 0/1 → 10 = 50.00
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hotline.analytics.assessment import active_scheme, assess, red_and_black
from hotline.analytics.assessment_views import assessment_workbook
from hotline.workorders.services import workorder_register

from .test_kpis import at, go, history  # noqa: F401 - the shared known history

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


@pytest.fixture
def scheme(history):  # noqa: F811
    scheme = active_scheme()
    scheme.min_orders = 1
    scheme.list_size = 1
    scheme.save()
    return scheme


def test_it_scores_units_as_by_hand(history, scheme):  # noqa: F811
    rows = {r.unit.code: r for r in assess(MARCH, scheme)}
    assert rows["U-WATER"].total == Decimal("44.17")
    assert rows["U-HOUSING"].total == Decimal("50.00")
    assert (rows["U-HOUSING"].rank, rows["U-WATER"].rank) == (1, 2)
    assert rows["U-WATER"].dispatched == 4


def test_it_puts_the_best_on_the_red_and_the_worst_on_the_black_list(history, scheme):  # noqa: F811
    red, black = red_and_black(assess(MARCH, scheme), scheme.list_size)
    assert [r.unit.code for r in red] == ["U-HOUSING"]
    assert [r.unit.code for r in black] == ["U-WATER"]


def test_it_keeps_units_with_too_few_orders_off_the_lists(history, scheme):  # noqa: F811
    scheme.min_orders = 2
    red, black = red_and_black(assess(MARCH, scheme), 3)
    assert [r.unit.code for r in red] == ["U-WATER"]  # housing had one dispatch only
    assert black == []


def test_it_assesses_nobody_in_a_month_without_orders(history, scheme):  # noqa: F811
    assert assess(date(2025, 1, 1), scheme) == []


def test_it_shows_the_page_and_exports_it(client, history, scheme):  # noqa: F811
    client.force_login(history.sue)
    page = client.get(reverse("analytics_assessment"), {"month": "2026-03"}).content.decode()
    red = page[page.index('id="red-list"') :]
    assert history.housing.name in red[: red.index("</section>")]
    assert "44.17" in page and "50.00" in page
    r = client.get(reverse("analytics_assessment_export"), {"month": "2026-03"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "2026-03" in rows[0][0]
    assert rows[1][:3] == ("名次", "单位", "派单量")
    assert rows[2][0] == 1 and rows[2][1] == history.housing.name and rows[2][-1] == "红榜"
    assert rows[3][1] == history.water.name and rows[3][-2] == 44.17 and rows[3][-1] == "黑榜"


def test_it_names_a_bad_month(client, history, scheme):  # noqa: F811
    client.force_login(history.sue)
    page = client.get(reverse("analytics_assessment"), {"month": "March"})
    assert "月份格式应为 YYYY-MM" in page.content.decode()
    assert client.get(reverse("analytics_assessment_export"), {"month": "x"}).status_code == 400


def test_it_refuses_units(client, history, scheme):  # noqa: F811
    client.force_login(history.bella)
    assert client.get(reverse("analytics_assessment")).status_code == 403
    assert client.get(reverse("analytics_assessment_export")).status_code == 403


def test_it_ranks_no_unit_below_the_minimum_above_a_measured_one(history, scheme):  # noqa: F811
    # Housing has one dispatch (score 50.00), water four (44.17): with a minimum of two, one
    # order handled well no longer outranks the unit measured on four; it keeps its score.
    scheme.min_orders = 2
    rows = assess(MARCH, scheme)
    assert [(r.unit.code, r.rank) for r in rows] == [("U-WATER", 1), ("U-HOUSING", None)]
    assert rows[1].total == Decimal("50.00") and not rows[1].eligible
    sheet = load_workbook(io.BytesIO(assessment_workbook(scheme, MARCH, rows))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[3][0] is None and lines[3][1] == history.housing.name
    assert lines[3][-2:] == (50.0, "派单不足，不排名")


def test_it_leaves_a_unit_without_any_measured_indicator_unscored_and_last(history, scheme):  # noqa: F811
    # Only indicators that need something due or rated: a unit with dispatches but neither
    # has no measured indicator, so it gets no score, no rank and no place on either list.
    order = workorder_register(
        actor=history.alice,
        channel="phone",
        request_type="complaint",
        title="路灯不亮",
        content="小区路灯不亮",
        requester_phone="13900000099",
        region=history.street.code,
        at=at(30),
    )
    go(order, "dispatch", history.dave, at(30, 10), lead_unit=history.street_office.pk)
    scheme.indicators.exclude(kpi__in=["on_time_reply", "satisfaction"]).delete()
    rows = assess(MARCH, scheme)
    unscored = [r for r in rows if r.total is None]
    assert [r.unit for r in unscored] == [history.street_office]
    assert all(r.rank is None and not r.eligible for r in unscored)
    assert rows[-len(unscored) :] == unscored
    red, black = red_and_black(rows, 5)
    assert not {r.unit.pk for r in red + black} & {r.unit.pk for r in unscored}


def test_it_says_on_the_page_how_a_partly_measured_unit_is_scored(client, history, scheme):  # noqa: F811
    client.force_login(history.sue)
    rows = {r.unit.code: r for r in assess(MARCH, scheme)}
    page = client.get(reverse("analytics_assessment"), {"month": "2026-03"}).content.decode()
    assert "已测各项权重之和" in page
    partial = [r for r in rows.values() if r.total is not None and r.weight_measured < 100]
    for r in partial:
        assert f"按已测 {r.weight_measured}/100 权重折算" in page
