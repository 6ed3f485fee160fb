from django.contrib import admin

from .models import Appeal, ChecklistItem, Inspection


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    """The checklist is edited here; changes apply to inspections made afterwards (each outcome
    keeps the items as they were when it was scored)."""

    list_display = (
        "name",
        "points",
        "is_veto",
        "applies_to_calls",
        "applies_to_orders",
        "position",
        "is_active",
    )
    list_editable = ("points", "is_veto", "position", "is_active")
    list_filter = ("is_active", "is_veto")


class ReadOnly(admin.ModelAdmin):
    """Inspections and appeals are records: read here, written only through the pages."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnly):
    list_display = (
        "kind",
        "subject_at",
        "agent",
        "inspector",
        "created_at",
        "score",
        "max_score",
        "passed",
    )
    list_filter = ("kind", "passed")
    date_hierarchy = "subject_at"


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = ("inspection", "filed_by", "filed_at", "status", "reviewed_by", "reviewed_at")
    list_filter = ("status",)
