"""Django admin for work orders: for looking only.

A work order changes only through `workorders.services` (the transition table, its checks and
its events), so nothing here can add, change or delete one, nor any row of its history. Reads go
through `WorkOrder.objects.visible_to`, like every other page; personal data is masked, since
seeing a number in full must be logged (workorder_reveal_phone) and the admin does not log it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hotline.core.masking import mask_id_number, mask_name, mask_phone

if TYPE_CHECKING:
    from hotline.accounts.models import User

from .models import (
    Attachment,
    ContactReveal,
    ExtensionRequest,
    WorkOrder,
    WorkOrderAssignment,
    WorkOrderEvent,
)


def _user(request: HttpRequest) -> User:
    # admin_view has already sent anyone not logged in as staff to the login page.
    return cast("User", request.user)


class ReadOnlyMixin:
    """No add, no change, no delete: the admin may look, the services write."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class OrderScopedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows belonging to an order are shown only when the order is visible to the user."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        visible = WorkOrder.objects.visible_to(_user(request)).values("pk")
        return super().get_queryset(request).filter(order__in=visible)


EVENT_FIELDS: tuple[str, ...] = (
    "seq",
    "action",
    "from_status",
    "to_status",
    "actor",
    "actor_unit",
    "unit",
    "note",
)
ASSIGNMENT_FIELDS: tuple[str, ...] = (
    "unit",
    "role",
    "dispatched_by",
    "dispatched_at",
    "acknowledged_at",
    "replied_at",
    "returned_at",
    "is_active",
)


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = WorkOrderEvent
    fields = readonly_fields = EVENT_FIELDS
    ordering = ["seq"]
    extra = 0


class AssignmentInline(ReadOnlyMixin, admin.TabularInline):
    model = WorkOrderAssignment
    fk_name = "order"
    fields = readonly_fields = ASSIGNMENT_FIELDS
    extra = 0


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "title", "status", "lead_unit", "created_at"]
    list_filter = ["status", "channel", "request_type", "urgency", "is_confidential", "created_at"]
    search_fields = ["=number", "requester_phone"]
    date_hierarchy = "created_at"
    list_select_related = ["lead_unit"]
    inlines = [AssignmentInline, EventInline]
    fieldsets = [
        (None, {"fields": ["number", "status", "version", "title", "content"]}),
        (
            _("分类"),
            {"fields": ["channel", "request_type", "urgency", "category", "region", "address"]},
        ),
        (
            _("诉求人"),
            {
                "fields": [
                    "masked_name",
                    "masked_phone",
                    "masked_id_number",
                    "is_anonymous",
                    "is_confidential",
                ]
            },
        ),
        (_("办理"), {"fields": ["centre", "lead_unit", "master", "registered_by"]}),
        (
            _("时间"),
            {
                "fields": [
                    "created_at",
                    "updated_at",
                    "dispatched_at",
                    "replied_at",
                    "closed_at",
                ]
            },
        ),
        (
            _("统计"),
            {
                "fields": [
                    "return_count",
                    "redo_count",
                    "urge_count",
                    "supervision_level",
                    "callback_attempts",
                    "rating",
                    "solved",
                    "transfer_target",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkOrder]:
        return WorkOrder.objects.visible_to(_user(request)).select_related("lead_unit")

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [str(f) for _title, opts in self.fieldsets for f in opts["fields"]]

    @admin.display(description=_("诉求人"))
    def masked_name(self, obj: WorkOrder) -> str:
        return mask_name(obj.requester_name)

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj: WorkOrder) -> str:
        return mask_phone(obj.requester_phone)

    @admin.display(description=_("证件号码"))
    def masked_id_number(self, obj: WorkOrder) -> str:
        return mask_id_number(obj.requester_id_number)


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(OrderScopedAdmin):
    list_display = ["order", "seq", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action", "to_status", "created_at"]
    search_fields = ["=order__number"]
    list_select_related = ["order", "actor"]
    date_hierarchy = "created_at"


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(OrderScopedAdmin):
    list_display = ["order", "unit", "days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["=order__number"]
    list_select_related = ["order", "unit"]


@admin.register(Attachment)
class AttachmentAdmin(OrderScopedAdmin):
    list_display = ["order", "name", "size", "content_type", "uploaded_by", "created_at"]
    # The stored file is shown as a link to the order's scoped download, never its media URL.
    fields = readonly_fields = (
        "order", "name", "size", "content_type", "uploaded_by", "created_at", "download"
    )  # fmt: skip

    @admin.display(description=_("下载"))
    def download(self, obj: Attachment) -> str:
        url = reverse("workorder_attachment", args=[obj.order.number, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.name)

    search_fields = ["=order__number", "name"]
    list_select_related = ["order", "uploaded_by"]


@admin.register(ContactReveal)
class ContactRevealAdmin(OrderScopedAdmin):
    """Who saw a requester's number in full, and why: the audit trail of unmasking."""

    list_display = ["order", "user", "reason", "created_at"]
    search_fields = ["=order__number", "user__username"]
    list_select_related = ["order", "user"]
    date_hierarchy = "created_at"
