"""How a performance self-evaluation (绩效自评) is scored — pure functions, no database.

- Budget execution: 执行率 = 全年执行数 B ÷ 全年预算数 A; score = 分值 × min(执行率, 100 %).
- A quantitative indicator ("≥95%", "≤49万元", "100%", "≥300件") scores in proportion to
  achievement, capped at full marks: for "at least" targets 分值 × actual ÷ target, for "at most"
  targets (lower is better: costs, complaints) 分值 × target ÷ actual; a target met scores full.
- A qualitative indicator ("明显", "好", "较好") scores by the grade given: 优 100 %, 良 80 %,
  中 60 %, 差 0 (GRADE_SHARE).
- Total = budget score + Σ indicator scores; grade by bands (default 优 ≥ 90, 良 ≥ 80, 中 ≥ 60,
  差 below).

Every score carries its working (the arithmetic written out), because the self-evaluations filed
by hand contain slips that a reader must be able to check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

HUNDRED = Decimal(100)
GRADE_SHARE = {"优": Decimal(1), "良": Decimal("0.8"), "中": Decimal("0.6"), "差": Decimal(0)}
DEFAULT_BANDS = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))

_TARGET = re.compile(
    r"^\s*(?P<op>[≥≤>=<＝]{0,2})\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>%|％|万元|元|件|次|个|天|小时|分钟|秒|人|项|条|家|户)?\s*$"
)


class TargetError(ValueError):
    """A target expression that cannot be read; the message names it."""


@dataclass(frozen=True)
class Target:
    # "at_least", "at_most" or "qualitative"
    kind: str
    value: Decimal | None = None
    unit: str = ""
    text: str = ""


@dataclass(frozen=True)
class Score:
    points: Decimal
    working: str


def parse_target(text: str) -> Target:
    """Read a target as the tables write it: ≥95% · ≤49万元 · 100% · >=300件 · 明显."""
    text = (text or "").strip()
    if not text:
        raise TargetError(_("年度指标值为空"))
    m = _TARGET.match(text)
    if m is None:
        if re.search(r"\d", text):
            raise TargetError(_("无法识别的指标值「{text}」").format(text=text))
        return Target("qualitative", text=text)
    op = m.group("op").replace("＝", "=")
    unit = (m.group("unit") or "").replace("％", "%")
    value = Decimal(m.group("value"))
    kind = "at_most" if op in ("≤", "<=", "<") else "at_least"
    return Target(kind, value, unit, text)


def _q(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _fmt(value: Decimal) -> str:
    text = f"{_q(value, '0.0001').normalize():f}"
    return text


def _met(got: Decimal, goal: Decimal, unit: str, weight: Decimal, op: str) -> str:
    return _("{got}{unit} {op} {goal}{unit}，达标，得满分 {weight}").format(
        got=_fmt(got), unit=unit, op=op, goal=_fmt(goal), weight=_fmt(weight)
    )


def _working(
    text: str, got: Decimal, goal: Decimal, unit: str, weight: Decimal, points: Decimal
) -> str:
    return text.format(
        got=_fmt(got), goal=_fmt(goal), unit=unit, weight=_fmt(weight), points=_fmt(points)
    )


def score_quantitative(target: Target, actual: Decimal, weight: Decimal) -> Score:
    if target.value is None:
        raise TargetError(_("定性指标不能按数值计分"))
    unit = target.unit
    goal, got = target.value, actual
    if target.kind == "at_most":
        if got <= goal:
            return Score(weight, _met(got, goal, unit, weight, "≤"))
        points = _q(weight * goal / got) if got else weight
        working = _("{got}{unit} 超过 {goal}{unit}：{weight} × {goal} ÷ {got} = {points}")
        return Score(points, _working(working, got, goal, unit, weight, points))
    if got >= goal:
        return Score(weight, _met(got, goal, unit, weight, "≥"))
    points = _q(weight * got / goal) if goal else weight
    working = _("{got}{unit} 未达 {goal}{unit}：{weight} × {got} ÷ {goal} = {points}")
    return Score(points, _working(working, got, goal, unit, weight, points))


def score_qualitative(grade: str, weight: Decimal) -> Score:
    if grade not in GRADE_SHARE:
        raise TargetError(
            _("定性指标的评价等级应为 优、良、中、差 之一，而不是「{grade}」").format(grade=grade)
        )
    share = GRADE_SHARE[grade]
    points = _q(weight * share)
    return Score(
        points,
        _("评为「{grade}」：{weight} × {share}% = {points}").format(
            grade=grade, weight=_fmt(weight), share=_fmt(share * HUNDRED), points=_fmt(points)
        ),
    )


def score_budget(planned: Decimal, executed: Decimal, weight: Decimal) -> tuple[Decimal, Score]:
    """(执行率 as a fraction, score). A budget of zero cannot be executed against: an error."""
    if planned <= 0:
        raise TargetError(_("全年预算数应大于 0"))
    rate = executed / planned
    points = _q(weight * min(rate, Decimal(1)))
    working = _("执行率 {executed} ÷ {planned} = {rate}%；{weight} × {capped}% = {points}")
    return rate, Score(
        points,
        working.format(
            executed=_fmt(executed),
            planned=_fmt(planned),
            rate=_fmt(_q(rate * HUNDRED)),
            weight=_fmt(weight),
            capped=_fmt(_q(min(rate, Decimal(1)) * HUNDRED)),
            points=_fmt(points),
        ),
    )


def grade_for(total: Decimal, bands: tuple[tuple[Decimal, str], ...] = DEFAULT_BANDS) -> str:
    for low, grade in sorted(bands, key=lambda b: -b[0]):
        if total >= low:
            return grade
    return bands[-1][1]


def parse_number(text: str) -> Decimal:
    try:
        return Decimal(str(text).replace(",", "").replace("%", "").strip())
    except InvalidOperation:
        raise TargetError(_("「{text}」不是数字").format(text=text)) from None
