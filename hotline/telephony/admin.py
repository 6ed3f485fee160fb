"""Admin of call records and the missed-call list (read and corrected by administrators)."""

from __future__ import annotations

from django.contrib import admin

from .models import CallRecord, MissedCall


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = ["caller_number", "started_at", "outcome", "wait_seconds", "agent", "centre"]
    list_filter = ["outcome", "direction"]
    search_fields = ["caller_number", "external_id"]
    date_hierarchy = "started_at"
    raw_id_fields = ["agent", "order"]
    list_select_related = ["agent", "centre"]


@admin.register(MissedCall)
class MissedCallAdmin(admin.ModelAdmin):
    list_display = [
        "caller_number",
        "missed_at",
        "state",
        "attempts",
        "order",
        "handled_by",
        "centre",
    ]
    list_filter = ["state", "centre"]
    search_fields = ["caller_number", "external_id"]
    date_hierarchy = "missed_at"
    raw_id_fields = ["call", "order", "handled_by"]
    list_select_related = ["order", "handled_by", "centre"]
