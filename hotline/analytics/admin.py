from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("kind", "start", "end", "generated_at", "generated_by")
    list_filter = ("kind",)
    date_hierarchy = "start"
    readonly_fields = ("kind", "start", "end", "data", "generated_at", "generated_by")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # reports are generated from the pages or the morning job
