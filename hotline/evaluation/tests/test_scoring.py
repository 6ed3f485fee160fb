"""Scoring of the self-evaluation, without a database (house style: pure domain tests)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.evaluation.scoring import (
    Target,
    TargetError,
    grade_for,
    parse_target,
    score_budget,
    score_qualitative,
    score_quantitative,
)

D = Decimal


@pytest.mark.parametrize(
    "text, target",
    [
        ("≥95%", Target("at_least", D(95), "%", "≥95%")),
        ("≥ 95 ％", Target("at_least", D(95), "%", "≥ 95 ％")),
        ("≤49万元", Target("at_most", D(49), "万元", "≤49万元")),
        ("100%", Target("at_least", D(100), "%", "100%")),
        (">=300件", Target("at_least", D(300), "件", ">=300件")),
        # 白沙's knowledge base: "组织各职能单位上传信息368条".
        ("≥300条", Target("at_least", D(300), "条", "≥300条")),
        ("明显", Target("qualitative", text="明显")),
    ],
)
def test_it_reads_targets_as_the_tables_write_them(text, target):
    assert parse_target(text) == target


@pytest.mark.parametrize("text", ["", "约 95%", "95%以上吧"])
def test_it_refuses_targets_it_cannot_read(text):
    with pytest.raises(TargetError):
        parse_target(text)


def test_it_scores_a_met_target_full():
    score = score_quantitative(parse_target("≥300件"), D(2551), D(20))
    assert score.points == 20
    assert "达标" in score.working


def test_it_scores_a_shortfall_in_proportion():
    # The seed's satisfaction: 90 % against ≥95 %, worth 10 → 10 × 90 ÷ 95 = 9.47
    score = score_quantitative(parse_target("≥95%"), D(90), D(10))
    assert score.points == D("9.47")
    assert score.working == "90% 未达 95%：10 × 90 ÷ 95 = 9.47"


def test_it_scores_lower_is_better_targets():
    assert score_quantitative(parse_target("≤49万元"), D("48.8"), D(10)).points == 10
    over = score_quantitative(parse_target("≤49万元"), D("56"), D(10))
    assert over.points == D("8.75")  # 10 × 49 ÷ 56


def test_it_scores_qualitative_grades():
    assert score_qualitative("良", D(10)).points == D(8)
    with pytest.raises(TargetError):
        score_qualitative("很好", D(10))


def test_it_scores_the_budget_execution_and_shows_the_working():
    # The seed's 2023 table says 99.65 %; 48.8 ÷ 49 is in fact 99.59 %.
    rate, score = score_budget(D(49), D("48.8"), D(10))
    assert rate.quantize(D("0.0001")) == D("0.9959")
    assert score.points == D("9.96")
    assert score.working == "执行率 48.8 ÷ 49 = 99.59%；10 × 99.59% = 9.96"
    with pytest.raises(TargetError):
        score_budget(D(0), D(1), D(10))


def test_it_grades_by_bands():
    assert [grade_for(D(x)) for x in (94.5, 90, 89.99, 80, 60, 59.9)] == [
        "优",
        "优",
        "良",
        "良",
        "中",
        "差",
    ]


@given(
    goal=st.decimals(min_value=1, max_value=10_000, places=2),
    actual=st.decimals(min_value=0, max_value=20_000, places=2),
    weight=st.decimals(min_value=1, max_value=30, places=1),
    at_most=st.booleans(),
)
def test_it_never_scores_below_zero_or_above_full_marks(goal, actual, weight, at_most):
    target = Target("at_most" if at_most else "at_least", goal, "%", "")
    points = score_quantitative(target, actual, weight).points
    assert 0 <= points <= weight
