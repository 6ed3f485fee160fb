from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import EvaluationProject, PaymentLine, PerformanceIndicator
from .scoring import TargetError, parse_target
from .services import source_choices


class IndicatorForm(forms.ModelForm):
    kpi = forms.ChoiceField(label=_("取自平台指标"), required=False, choices=source_choices)

    class Meta:
        model = PerformanceIndicator
        fields = (
            "position",
            "level1",
            "level2",
            "name",
            "target",
            "weight",
            "kpi",
            "actual_value",
            "actual_text",
            "grade",
            "reason",
        )

    def clean_target(self) -> str:
        target = self.cleaned_data["target"]
        try:
            parse_target(target)
        except TargetError as e:
            raise forms.ValidationError(str(e)) from None
        return target


class IndicatorInline(admin.TabularInline):
    model = PerformanceIndicator
    form = IndicatorForm
    extra = 0


class PaymentInline(admin.TabularInline):
    model = PaymentLine
    extra = 0


@admin.register(EvaluationProject)
class EvaluationProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "year", "unit", "budget_full_year", "executed")
    list_filter = ("year",)
    search_fields = ("name",)
    inlines = [PaymentInline, IndicatorInline]
    fieldsets = (
        (
            None,
            {"fields": ("name", "year", "unit", "department", "department_code", "framework")},
        ),
        (
            _("项目资金（万元）"),
            {"fields": ("budget_initial", "budget_full_year", "executed", "budget_weight")},
        ),
        (_("年度总体目标"), {"fields": ("goal", "achievement")}),
        (
            _("报告正文"),
            {"fields": ("overview", "funds", "management", "problems", "measures")},
        ),
        (_("评价工作组"), {"fields": ("leader", "contact", "contact_phone", "evaluated_on")}),
    )
