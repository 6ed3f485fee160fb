from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.catalog.admin import CATEGORY_PATH, category_path
from hotline.workorders.errors import WorkOrderError

from .forms import ApplyPresetForm
from .models import (
    CalendarDay,
    CalendarYear,
    Notification,
    NotificationDelivery,
    SlaAction,
    SlaAlert,
    TimeLimitRule,
)
from .presets import PRESETS
from .rulesets import RulesetError, ruleset_apply, ruleset_plan
from .services import sla_recompute

# Editing one of these makes the row the administrator's own, no longer the preset's.
LIMIT_FIELDS = frozenset(
    {"clock", "request_type", "urgency", "category", "region", "amount", "unit"}
)


class PresetFilter(admin.SimpleListFilter):
    """规则集 by its name (山东省（2020）…) rather than its code; 管理员设定 for the others."""

    title = _("规则集")
    parameter_name = "preset"

    def lookups(self, request, model_admin):
        return [*((p.code, p.name) for p in PRESETS.values()), ("-", gettext("管理员设定"))]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(preset="" if value == "-" else value)


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(admin.ModelAdmin):
    """时限规则: one readable line a rule — the clock, what it applies to in one column (全部 where
    a field is left empty), the limit with its unit, on/off, and the rule set it came from (its
    legal basis in the tooltip); the full basis and every field are on the rule's page."""

    list_display = ("clock", "applies_to", "limit", "is_active", "origin")
    list_display_links = ("clock", "applies_to")
    list_editable = ("is_active",)
    list_filter = ("clock", "is_active", PresetFilter, "request_type", "urgency", "unit")
    search_fields = ("source", "category__name", "region__name", "region__code", "preset")
    list_select_related = ("request_type", "urgency", CATEGORY_PATH, "region")
    list_per_page = 50
    raw_id_fields = ("category", "region")
    readonly_fields = ("preset",)
    change_list_template = "admin/sla/timelimitrule/change_list.html"

    @admin.display(description=_("适用范围"))
    def applies_to(self, obj: TimeLimitRule) -> str:
        parts = [
            obj.request_type.label if obj.request_type else gettext("全部类型"),
            obj.urgency.label if obj.urgency else gettext("全部紧急程度"),
        ]
        if obj.category_id:
            parts.append(category_path(obj.category))
        if obj.region_id:
            parts.append(obj.region.name)  # type: ignore[union-attr]
        return " · ".join(str(p) for p in parts)

    @admin.display(description=_("时限"), ordering="amount")
    def limit(self, obj: TimeLimitRule) -> str:
        return f"{obj.amount} {obj.get_unit_display()}"

    @admin.display(description=_("来源"), ordering="preset")
    def origin(self, obj: TimeLimitRule) -> str:
        preset = PRESETS.get(obj.preset)
        name = preset.name if preset else (obj.preset or gettext("管理员设定"))
        return format_html('<span title="{}">{}</span>', obj.source or "", name)

    def save_model(self, request: HttpRequest, obj: TimeLimitRule, form, change: bool) -> None:
        if change and obj.preset and LIMIT_FIELDS & set(form.changed_data):
            obj.preset = ""
            if "source" not in form.changed_data:
                obj.source = (gettext("管理员修改；原依据：") + obj.source)[:200]
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.apply_preset_view)
        return [path("apply/", view, name="sla_timelimitrule_apply"), *super().get_urls()]

    def apply_preset_view(self, request: HttpRequest) -> HttpResponse:
        """应用规则集: choose a preset, see which rules would change, then apply."""
        if not (self.has_change_permission(request) and self.has_add_permission(request)):
            raise PermissionDenied
        form = ApplyPresetForm(request.POST or request.GET or None)
        plan = None
        if form.is_valid():
            code, replace = form.cleaned_data["preset"], form.cleaned_data["replace"]
            try:
                if request.method == "POST" and "apply" in request.POST:
                    plan = ruleset_apply(preset=code, replace=replace)
                    self.message_user(request, plan.summary(), messages.SUCCESS)
                    return redirect("admin:sla_timelimitrule_changelist")
                plan = ruleset_plan(preset=code, replace=replace)
            except RulesetError as e:
                form.add_error("preset", str(e))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("应用规则集"),
            "form": form,
            "plan": plan,
            "presets": list(PRESETS.values()),
        }
        return TemplateResponse(request, "admin/sla/timelimitrule/apply.html", context)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "created_at")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(SlaAlert)
class SlaAlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "order", "missing_date", "message", "resolved_at")
    list_filter = ("resolved_at",)
    raw_id_fields = ("order",)
    actions = ["recompute"]

    @admin.action(description=_("按当前日历和规则重新计算这些工单的时限"))
    def recompute(self, request: HttpRequest, queryset: QuerySet[SlaAlert]) -> None:
        done = 0
        for alert in queryset.filter(resolved_at__isnull=True, order__isnull=False):
            try:
                assert alert.order_id is not None
                sla_recompute(order=alert.order_id)
                done += 1
            except WorkOrderError as e:
                self.message_user(request, str(e), messages.ERROR)
        self.message_user(request, gettext("已重新计算 {n} 张工单的时限").format(n=done))


@admin.register(SlaAction)
class SlaActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "order", "stage", "level", "due_at", "event")
    list_filter = ("stage",)
    raw_id_fields = ("order", "event")


class DeliveryInline(admin.TabularInline):
    model = NotificationDelivery
    extra = 0
    readonly_fields = ("channel", "ok", "detail", "created_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "order")
    inlines = [DeliveryInline]
