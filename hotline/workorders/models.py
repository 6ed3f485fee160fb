"""Work orders (工单), their assignments to units, and the event log that is their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category, RequestType, Urgency

from .addresses import AddressKey
from .choices import (
    OPEN,
    Action,
    AssignmentRole,
    Channel,
    ExtensionStatus,
    Rating,
    Status,
    TransferTarget,
)
from .querysets import WorkOrderQuerySet

# Sorted, so the index definition (and its migration) is the same in every process.
OPEN_Q = models.Q(status__in=sorted(OPEN))


class WorkOrder(models.Model):
    """One request's record from intake to evaluation. Changed only by `workorders.services`."""

    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    # Bumped by every transition; a stale version means someone else moved first (409).
    version = models.PositiveIntegerField(_("版本"), default=0)

    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    request_type = models.ForeignKey(
        RequestType, verbose_name=_("诉求类型"), on_delete=models.PROTECT
    )
    urgency = models.ForeignKey(Urgency, verbose_name=_("紧急程度"), on_delete=models.PROTECT)
    category = models.ForeignKey(
        Category, verbose_name=_("诉求分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("诉求内容"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("区划"), on_delete=models.PROTECT)

    requester_name = models.CharField(_("诉求人"), max_length=50, blank=True)
    requester_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    requester_id_number = models.CharField(_("证件号码"), max_length=18, blank=True)
    is_anonymous = models.BooleanField(_("匿名"), default=False)
    is_confidential = models.BooleanField(_("保密"), default=False)
    # Answers to the category's extra fields (附加信息项), by field code (catalog.fields).
    attributes = models.JSONField(_("附加信息"), default=dict, blank=True)

    centre = models.ForeignKey(
        Unit, verbose_name=_("受理中心"), on_delete=models.PROTECT, related_name="registered_orders"
    )
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_orders",
    )
    master = models.ForeignKey(
        "self",
        verbose_name=_("主单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_orders",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registered_orders"
    )

    created_at = models.DateTimeField(_("受理时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"))
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    redo_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    supervision_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    callback_attempts = models.PositiveSmallIntegerField(_("回访未接通次数"), default=0)
    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices, blank=True)
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    transfer_target = models.CharField(
        _("转出去向"), max_length=10, choices=TransferTarget.choices, blank=True
    )
    # Given to the requester with the number: number + phone (or + this code) finds the order
    # on the portal; the code also proves the requester when rating there.
    query_code = models.CharField(_("查询码"), max_length=8, blank=True)

    # The clocks of the current dispatch round, set and moved by the time-limit rules (sla) with
    # an event each time; a late acknowledgement or reply is recorded for good.
    acknowledge_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    reply_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    # When the reply clock turns yellow (预警).
    reply_warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    acknowledged_late = models.BooleanField(_("超时签收"), default=False)
    # Set while the unit waits on the requester and the city stops the clock for it
    # (settings.HOTLINE["PAUSE_WAITING_REQUESTER"]); the deadlines move on when it resumes.
    clock_paused_at = models.DateTimeField(_("暂停计时于"), null=True, blank=True)
    # When the hotline should have called the requester back (回访时限), set when the order
    # starts awaiting its callback.
    callback_due_at = models.DateTimeField(_("回访时限"), null=True, blank=True)
    replied_late = models.BooleanField(_("超期办结"), default=False)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="wo_status_created"),
            models.Index(fields=["lead_unit", "status"], name="wo_lead_status"),
            models.Index(fields=["region", "created_at"], name="wo_region_created"),
            models.Index(fields=["requester_phone", "created_at"], name="wo_phone_created"),
            # Repeat requests at the same place (dispatch.repeats): region + address key + time.
            models.Index(
                models.F("region"),
                AddressKey("address"),
                models.F("created_at"),
                name="wo_region_addrkey_created",
            ),
            models.Index(fields=["category", "created_at"], name="wo_category_created"),
            models.Index(fields=["centre", "created_at"], name="wo_centre_created"),
            models.Index(fields=["status", "reply_due_at"], name="wo_status_reply_due"),
            # Open orders are a few percent of a year's: partial indexes over them keep the
            # lists of open work (newest first, soonest deadline first) fast at any size.
            models.Index(fields=["created_at", "id"], condition=OPEN_Q, name="wo_open_created"),
            models.Index(fields=["reply_due_at", "id"], condition=OPEN_Q, name="wo_open_reply_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def effective_status(self) -> str:
        """A merged order follows its master's outcome."""
        if self.status == Status.MERGED and self.master_id and self.master:
            return self.master.status
        return self.status


class WorkOrderAssignment(models.Model):
    """One dispatch of an order to a unit, as lead (主办) or assisting (协办)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=10, choices=AssignmentRole.choices)
    dispatched_by = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="dispatched_assignments"
    )
    dispatched_at = models.DateTimeField(_("派单时间"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    returned_at = models.DateTimeField(_("退单时间"), null=True, blank=True)
    # The first time the unit reached the requester in this round (event contact_requester).
    contacted_at = models.DateTimeField(_("首次联系诉求人时间"), null=True, blank=True)
    # The current holder(s): earlier rounds stay for the record with is_active False.
    is_active = models.BooleanField(_("当前"), default=True)

    class Meta:
        verbose_name = _("派单记录")
        verbose_name_plural = _("派单记录")
        ordering = ["dispatched_at", "id"]
        indexes = [
            models.Index(fields=["unit", "is_active"], name="wa_unit_active"),
            models.Index(fields=["order", "is_active"], name="wa_order_active"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} → {self.unit} ({self.get_role_display()})"


class WorkOrderEvent(models.Model):
    """One change of a work order: who, when, what, from which state to which. Never edited."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("序号"))
    action = models.CharField(_("动作"), max_length=30, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT
    )
    actor_unit = models.ForeignKey(
        Unit,
        verbose_name=_("操作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("涉及单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)
    # Whether the requester may see this event (portal, SMS); internal notes are not.
    is_public = models.BooleanField(_("对诉求人公开"), default=False)
    created_at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        ordering = ["order", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seq"], name="event_unique_seq"),
        ]
        indexes = [models.Index(fields=["action", "created_at"], name="ev_action_created")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs) -> None:
        # History is never rewritten: an event row is written once.
        if self.pk is not None:
            raise PermissionError("work order events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("work order events are append-only")


class ExtensionRequest(models.Model):
    """延期申请: a unit asks for more time; the hotline approves or rejects."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("延期工作日"))
    reason = models.TextField(_("理由"))
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="pending"),
                name="extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number} +{self.days}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.order.created_at:%Y/%m}/{instance.order.number}/{filename}"


class Attachment(models.Model):
    """A file attached to an order (photos, scans, the unit's reply documents)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class WorkOrderLink(models.Model):
    """A link between related orders (关联工单), recorded in both directions by the service."""

    from_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="links")
    to_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("关联工单")
        verbose_name_plural = _("关联工单")
        constraints = [
            models.UniqueConstraint(fields=["from_order", "to_order"], name="link_unique")
        ]


class ContactReveal(models.Model):
    """A record that a user saw a requester's unmasked phone number."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("号码查看记录")
        verbose_name_plural = _("号码查看记录")


class WorkOrderSequence(models.Model):
    """The last number issued on a day; incremented under a row lock so numbers never repeat."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)


__all__ = [
    "Action",
    "Attachment",
    "ContactReveal",
    "ExtensionRequest",
    "WorkOrder",
    "WorkOrderAssignment",
    "WorkOrderEvent",
    "WorkOrderLink",
    "WorkOrderSequence",
]
