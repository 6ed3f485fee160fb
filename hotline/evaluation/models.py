"""A project's annual performance self-evaluation (项目支出绩效自评): budget, goals, the
three-level indicator table and the report's prose, as in the reports filed each year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Unit

from .choices import Framework, Grade, Level1


def _money(label: Any) -> models.DecimalField:
    """An amount in 万元 with two decimals, never negative."""
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )


class EvaluationProject(models.Model):
    """One project and year: what was budgeted, spent and achieved, and the report's text."""

    name = models.CharField(_("项目名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    unit = models.ForeignKey(Unit, verbose_name=_("项目单位"), on_delete=models.PROTECT)
    department = models.CharField(_("主管部门"), max_length=200, blank=True)
    department_code = models.CharField(_("单位法人代码"), max_length=30, blank=True)
    framework = models.CharField(
        _("指标框架"), max_length=10, choices=Framework.choices, default=Framework.SIMPLE
    )
    # 万元, as the tables write them.
    budget_initial = _money(_("年初预算数（万元）"))
    budget_full_year = _money(_("全年预算数（万元）"))
    executed = _money(_("全年执行数（万元）"))
    budget_weight = models.DecimalField(
        _("预算执行率分值"), max_digits=5, decimal_places=2, default=Decimal(10)
    )
    goal = models.TextField(_("年度总体目标（预期）"), blank=True)
    achievement = models.TextField(_("实际完成情况"), blank=True)
    overview = models.TextField(_("项目概况"), blank=True)
    funds = models.TextField(_("资金使用及管理情况"), blank=True)
    management = models.TextField(_("项目管理情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    measures = models.TextField(_("改进措施"), blank=True)
    leader = models.CharField(_("评价工作组负责人"), max_length=50, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    evaluated_on = models.DateField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("绩效自评项目")
        verbose_name_plural = _("绩效自评项目")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year", "unit"], name="evaluation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


class PaymentLine(models.Model):
    """One payment of the project's funds (资金支付明细)."""

    project = models.ForeignKey(
        EvaluationProject, on_delete=models.CASCADE, related_name="payments"
    )
    paid_on = models.DateField(_("支付日期"))
    nature = models.CharField(_("资金性质"), max_length=50, default="一般公共预算")
    purpose = models.CharField(_("用途"), max_length=200)
    amount = _money(_("支付金额（万元）"))

    class Meta:
        verbose_name = _("支付明细")
        verbose_name_plural = _("支付明细")
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.paid_on} {self.purpose} {self.amount}"


class PerformanceIndicator(models.Model):
    """One third-level indicator with its target, weight and actual value.

    The actual value is typed in, or — when `kpi` names a figure of the platform — filled from
    the platform's data for the project's year (see evaluation.services.indicators_fill)."""

    project = models.ForeignKey(
        EvaluationProject, on_delete=models.CASCADE, related_name="indicators"
    )
    level1 = models.CharField(_("一级指标"), max_length=20, choices=Level1.choices)
    level2 = models.CharField(_("二级指标"), max_length=50)
    name = models.CharField(_("三级指标"), max_length=200)
    target = models.CharField(
        _("年度指标值"), max_length=50, help_text=_("如 ≥95%、≤49万元、100%、≥300件、明显")
    )
    weight = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    actual_value = models.DecimalField(
        _("实际完成值（数值）"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    actual_text = models.CharField(_("实际完成值（表述）"), max_length=100, blank=True)
    grade = models.CharField(_("定性评价等级"), max_length=2, choices=Grade.choices, blank=True)
    kpi = models.CharField(_("取自平台指标"), max_length=40, blank=True)
    reason = models.TextField(_("未完成原因分析"), blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["project", "position", "id"]

    def __str__(self) -> str:
        return self.name
