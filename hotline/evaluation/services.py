"""The self-evaluation's computed sheet, indicator templates, and filling indicators from the
platform's own figures for the project's year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.analytics.kpis import KPIS, KpiFilters, kpi_compute

from .choices import Framework, Level1
from .models import EvaluationProject, PerformanceIndicator
from .scoring import (
    DEFAULT_BANDS,
    Score,
    TargetError,
    grade_for,
    parse_target,
    score_budget,
    score_qualitative,
    score_quantitative,
)

HUNDRED = Decimal(100)

# Figures an indicator may take from the platform: the KPIs, and three of the project itself.
EXTRA_SOURCES = {
    "orders_handled": gettext_lazy("全年受理工单数（件）"),
    "cost_per_order": gettext_lazy("单件成本（元/件）"),
    "budget_spent": gettext_lazy("全年执行数（万元）"),
}


def source_choices() -> list[tuple[str, str]]:
    kpis = [(code, str(k.name)) for code, k in KPIS.items() if code != "registered"]
    return [("", "—")] + [(k, str(v)) for k, v in EXTRA_SOURCES.items()] + kpis


@dataclass
class IndicatorRow:
    indicator: PerformanceIndicator
    score: Score | None
    error: str = ""

    @property
    def lost(self) -> Decimal:
        """Points short of full marks (0 for a target met or a row that cannot be scored)."""
        return self.indicator.weight - self.score.points if self.score else Decimal(0)

    @property
    def reason_text(self) -> str:
        """The 未完成原因分析 cell: for a shortfall, what was lost and the working, then the
        reason entered — or, since every filed report explains its shortfalls, a plain
        "未填写未完成原因" that a reader cannot mistake for an explanation."""
        reason = self.indicator.reason.strip()
        if self.lost <= 0 or self.score is None:
            return reason
        return _("未达目标，扣 {lost} 分（{working}）。原因：{reason}").format(
            lost=_n(self.lost.quantize(Decimal("0.01"))),
            working=self.score.working,
            reason=reason or _("未填写未完成原因"),
        )


@dataclass
class Sheet:
    project: EvaluationProject
    execution_rate: Decimal | None
    budget_score: Score | None
    rows: list[IndicatorRow]
    total: Decimal
    full_marks: Decimal
    grade: str
    errors: list[str] = field(default_factory=list)

    @property
    def execution_rate_text(self) -> str:
        """执行率 as the working and the documents write it: 99.59%, never rounded to 100%."""
        if self.execution_rate is None:
            return ""
        return f"{(self.execution_rate * 100).quantize(Decimal('0.01'))}%"

    @property
    def missing_reasons(self) -> list[IndicatorRow]:
        """Indicators that fall short of their target with no reason entered."""
        return [r for r in self.rows if r.lost > 0 and not r.indicator.reason.strip()]

    def by_level1(self) -> list[tuple[str, Decimal, Decimal, list[IndicatorRow]]]:
        """(一级 label, full marks, points, rows) in the table's order."""
        out: dict[str, list[IndicatorRow]] = {}
        for row in self.rows:
            out.setdefault(row.indicator.level1, []).append(row)
        return [
            (
                str(Level1(level).label),
                sum((r.indicator.weight for r in rows), Decimal(0)),
                sum((r.score.points for r in rows if r.score), Decimal(0)),
                rows,
            )
            for level, rows in out.items()
        ]


def _row(indicator: PerformanceIndicator) -> IndicatorRow:
    try:
        target = parse_target(indicator.target)
        if target.kind == "qualitative":
            if not indicator.grade:
                raise TargetError(_("定性指标「{name}」未评定等级").format(name=indicator.name))
            return IndicatorRow(indicator, score_qualitative(indicator.grade, indicator.weight))
        if indicator.actual_value is None:
            raise TargetError(_("指标「{name}」未填写实际完成值").format(name=indicator.name))
        score = score_quantitative(target, indicator.actual_value, indicator.weight)
        return IndicatorRow(indicator, score)
    except TargetError as e:
        return IndicatorRow(indicator, None, str(e))


def evaluation_sheet(project: EvaluationProject) -> Sheet:
    """Score the project as it stands; problems are listed rather than raised, so a half-filled
    table still shows what is missing."""
    errors = []
    rate = budget = None
    try:
        rate, budget = score_budget(
            project.budget_full_year, project.executed, project.budget_weight
        )
    except TargetError as e:
        errors.append(str(e))
    rows = [_row(i) for i in project.indicators.all()]
    errors += [r.error for r in rows if r.error]
    total = (budget.points if budget else Decimal(0)) + sum(
        (r.score.points for r in rows if r.score), Decimal(0)
    )
    full = project.budget_weight + sum((r.indicator.weight for r in rows), Decimal(0))
    if full != HUNDRED:
        errors.append(_("分值合计为 {full}，应为 100").format(full=full))
    return Sheet(project, rate, budget, rows, total, full, grade_for(total, grade_bands()), errors)


def grade_bands() -> tuple[tuple[Decimal, str], ...]:
    """The grade bands (settings.HOTLINE_EVALUATION_BANDS, lowest score of each grade), e.g.
    {"优": 90, "良": 80, "中": 60, "差": 0}; the Ministry's defaults when unset."""
    configured = getattr(settings, "HOTLINE_EVALUATION_BANDS", None)
    if not configured:
        return DEFAULT_BANDS
    return tuple((Decimal(str(low)), grade) for grade, low in configured.items())


def achievement_summary(sheet: Sheet) -> str:
    """实际完成情况 written from the scored indicators, so the prose cannot claim what the
    figures deny: each indicator's actual value against its target, met or not."""
    parts = []
    for r in sheet.rows:
        i = r.indicator
        if r.score is None or not (i.actual_text or i.actual_value is not None):
            continue
        actual = i.actual_text or _n(i.actual_value)  # type: ignore[arg-type]
        state = _("达标") if r.lost <= 0 else _("未达标")
        parts.append(
            _("{name}：{actual}（年度指标值 {target}，{state}）").format(
                name=i.name, actual=actual, target=i.target, state=state
            )
        )
    return _("；").join(parts) + (_("。") if parts else "")


# --- templates ------------------------------------------------------------------------------

# (一级, 二级, 三级, 目标, 分值, 来源) — the hotline's usual table, after the seeds.
SIMPLE_TEMPLATE = [
    (Level1.OUTPUT, "数量指标", "全年受理群众诉求工单", "≥{orders}件", 20, "orders_handled"),
    (Level1.OUTPUT, "质量指标", "工单办结率", "≥95%", 10, "closure"),
    (Level1.OUTPUT, "质量指标", "回访率", "≥90%", 10, "callback_rate"),
    (Level1.OUTPUT, "时效指标", "电话接通率", "≥95%", 10, "answer_rate"),
    (Level1.OUTPUT, "时效指标", "工单按时办结率", "≥95%", 10, "on_time_reply"),
    (Level1.OUTPUT, "成本指标", "预算控制数", "≤{budget}万元", 10, "budget_spent"),
    (Level1.BENEFIT, "社会效益指标", "群众诉求解决率", "≥90%", 10, "resolution"),
    (Level1.SATISFACTION, "服务对象满意度指标", "群众满意度", "≥95%", 10, "satisfaction"),
]
FULL_TEMPLATE = [
    (Level1.DECISION, "项目立项", "立项依据充分性", "充分", 5, ""),
    (Level1.DECISION, "绩效目标", "绩效目标明确性", "明确", 5, ""),
    (Level1.DECISION, "资金投入", "预算编制科学性", "科学", 5, ""),
    (Level1.PROCESS, "资金管理", "资金使用合规性", "合规", 5, ""),
    (Level1.PROCESS, "组织实施", "管理制度健全性", "健全", 5, ""),
    (Level1.PROCESS, "组织实施", "制度执行有效性", "有效", 5, ""),
    (Level1.OUTPUT, "产出数量", "全年受理群众诉求工单", "≥{orders}件", 15, "orders_handled"),
    (Level1.OUTPUT, "产出质量", "工单办结率", "≥95%", 10, "closure"),
    (Level1.OUTPUT, "产出时效", "工单按时办结率", "≥95%", 10, "on_time_reply"),
    (Level1.OUTPUT, "产出成本", "预算控制数", "≤{budget}万元", 5, "budget_spent"),
    (Level1.BENEFIT, "社会效益", "群众诉求解决率", "≥90%", 10, "resolution"),
    (Level1.BENEFIT, "满意度", "群众满意度", "≥95%", 10, "satisfaction"),
]


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}"


def indicators_from_template(project: EvaluationProject, *, orders_target: int = 300) -> int:
    """Create the framework's usual indicators for a project that has none; returns how many."""
    with transaction.atomic():
        if project.indicators.exists():
            return 0
        template = SIMPLE_TEMPLATE if project.framework == Framework.SIMPLE else FULL_TEMPLATE
        PerformanceIndicator.objects.bulk_create(
            [
                PerformanceIndicator(
                    project=project,
                    level1=l1,
                    level2=l2,
                    name=name,
                    target=target.format(orders=orders_target, budget=_n(project.budget_full_year)),
                    weight=Decimal(weight),
                    kpi=source,
                    position=i,
                )
                for i, (l1, l2, name, target, weight, source) in enumerate(template)
            ]
        )
        return len(template)


# --- figures from the platform --------------------------------------------------------------


def _year(project: EvaluationProject) -> KpiFilters:
    return KpiFilters(
        start=date(project.year, 1, 1), end=date(project.year, 12, 31), region=project.unit.region
    )


def source_value(project: EvaluationProject, source: str) -> tuple[Decimal, str] | None:
    """The figure `source` for the project's year over its unit's region: (value in the unit
    the target uses, text for the table); None when there is nothing to divide by."""
    f = _year(project)
    if source == "budget_spent":
        return project.executed, _("{value}万元").format(value=_n(project.executed))
    if source == "orders_handled":
        n = kpi_compute("registered", f).numerator
        return n, _("受理工单 {n} 件").format(n=_n(n))
    if source == "cost_per_order":
        n = kpi_compute("registered", f).numerator
        if not n:
            return None
        cost = (project.executed * 10000 / n).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return cost, _("{cost} 元/件").format(cost=_n(cost))
    kpi = KPIS[source]
    fig = kpi_compute(source, f)
    if fig.value is None:
        return None
    if kpi.kind == "ratio":
        pct = (fig.value * HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return pct, f"{kpi.name} {_n(pct)}%"
    value = fig.value.quantize(Decimal("0.01"), ROUND_HALF_UP)
    return value, f"{kpi.name} {_n(value)}"


def indicators_fill(project: EvaluationProject) -> tuple[int, list[str]]:
    """Fill every indicator linked to a figure from the platform's data for the year.
    Returns (filled, names of indicators without data)."""
    filled, empty = 0, []
    with transaction.atomic():
        for indicator in project.indicators.exclude(kpi="").select_for_update():
            if indicator.kpi not in EXTRA_SOURCES and indicator.kpi not in KPIS:
                empty.append(indicator.name)
                continue
            found = source_value(project, indicator.kpi)
            if found is None:
                empty.append(indicator.name)
                continue
            indicator.actual_value, indicator.actual_text = found
            indicator.save(update_fields=["actual_value", "actual_text"])
            filled += 1
    return filled, empty
