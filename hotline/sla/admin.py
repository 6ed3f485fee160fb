from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.workorders.errors import WorkOrderError

from .models import (
    CalendarDay,
    CalendarYear,
    Notification,
    NotificationDelivery,
    SlaAction,
    SlaAlert,
    TimeLimitRule,
)
from .services import sla_recompute


@admin.register(TimeLimitRule)
class TimeLimitRuleAdmin(admin.ModelAdmin):
    list_display = (
        "clock",
        "request_type",
        "urgency",
        "category",
        "region",
        "amount",
        "unit",
        "is_active",
    )
    list_filter = ("clock", "unit", "is_active", "request_type", "urgency")
    list_editable = ("amount", "unit", "is_active")
    raw_id_fields = ("category", "region")


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
