from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .assessment import ASSESSABLE
from .kpis import KPIS
from .models import AssessmentIndicator, AssessmentScheme, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("kind", "start", "end", "generated_at", "generated_by")
    list_filter = ("kind",)
    date_hierarchy = "start"
    readonly_fields = ("kind", "start", "end", "data", "generated_at", "generated_by")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # reports are generated from the pages or the morning job


class IndicatorForm(forms.ModelForm):
    kpi = forms.ChoiceField(label=_("指标"), choices=[(c, KPIS[c].name) for c in ASSESSABLE])

    class Meta:
        model = AssessmentIndicator
        fields = ("kpi", "weight")


class IndicatorInline(admin.TabularInline):
    model = AssessmentIndicator
    form = IndicatorForm
    extra = 1


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "list_size", "min_orders")
    inlines = [IndicatorInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if obj.is_active:  # one scheme is active at a time
            AssessmentScheme.objects.exclude(pk=obj.pk).update(is_active=False)
