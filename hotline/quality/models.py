"""Quality inspection (质检): a checklist, inspections of sampled calls and orders, their outcomes
and the agents' appeals.

An inspection and each outcome are written once and never edited. The first outcome is the
inspector's; an upheld appeal adds another, and the inspection's `passed` / `score` then follow
the latest outcome (the one 质检合格率 counts). The old outcome stays as it was."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Unit
from hotline.telephony.models import CallRecord
from hotline.workorders.models import WorkOrder

from .choices import AppealStatus, SampleKind


class ChecklistItem(models.Model):
    """One line of the inspection checklist (开头语规范, 分类准确 …) with the points it is worth. A
    veto item (一票否决) failed fails the sample whatever its score."""

    name = models.CharField(_("检查项"), max_length=50, unique=True)
    description = models.CharField(_("评分要点"), max_length=200, blank=True)
    points = models.PositiveSmallIntegerField(_("分值"))
    is_veto = models.BooleanField(_("一票否决"), default=False)
    applies_to_calls = models.BooleanField(_("适用于来电"), default=True)
    applies_to_orders = models.BooleanField(_("适用于工单"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("质检项")
        verbose_name_plural = _("质检项")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}）"


class Inspection(models.Model):
    """One inspected sample: an answered call or a registered order, the agent whose work it is,
    who inspected it and when. `score`, `max_score` and `passed` are those of the latest outcome."""

    kind = models.CharField(_("样本类型"), max_length=10, choices=SampleKind.choices)
    call = models.ForeignKey(
        CallRecord,
        verbose_name=_("话单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被检话务员"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    centre = models.ForeignKey(Unit, verbose_name=_("热线中心"), on_delete=models.PROTECT)
    # When the inspected work was done (the call's start, the order's registration).
    subject_at = models.DateTimeField(_("服务时间"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("质检员"),
        on_delete=models.PROTECT,
        related_name="inspections_made",
    )
    created_at = models.DateTimeField(_("质检时间"))
    comment = models.TextField(_("质检评语"), blank=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=1)
    max_score = models.PositiveSmallIntegerField(_("满分"))
    passed = models.BooleanField(_("合格"))

    class Meta:
        verbose_name = _("质检记录")
        verbose_name_plural = _("质检记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_at"], name="inspection_subject"),
            models.Index(fields=["agent", "subject_at"], name="inspection_agent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["call"], condition=models.Q(call__isnull=False), name="inspection_one_call"
            ),
            models.UniqueConstraint(
                fields=["kind", "order"],
                condition=models.Q(kind="order"),
                name="inspection_one_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject_at:%Y-%m-%d %H:%M} {self.agent}"


class Outcome(models.Model):
    """A scoring of an inspection: the inspector's first, or the one an upheld appeal gave."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="outcomes")
    appeal = models.OneToOneField(
        "Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="outcome"
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=1)
    max_score = models.PositiveSmallIntegerField(_("满分"))
    pass_mark = models.PositiveSmallIntegerField(_("合格线（百分制）"))
    vetoed = models.BooleanField(_("一票否决"), default=False)
    passed = models.BooleanField(_("合格"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评定人"), on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("评定时间"))

    class Meta:
        verbose_name = _("质检结论")
        verbose_name_plural = _("质检结论")
        ordering = ["decided_at", "id"]


class OutcomeItem(models.Model):
    """The points one checklist item got in one outcome, with the item as it was then."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("检查项"), max_length=50)
    points = models.PositiveSmallIntegerField(_("分值"))
    is_veto = models.BooleanField(_("一票否决"), default=False)
    awarded = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    comment = models.CharField(_("扣分说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]


class Appeal(models.Model):
    """申诉: the inspected agent disputes an outcome; a reviewer upholds it (a new outcome) or
    rejects it (the outcome stands)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="appeals")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申诉人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("申诉时间"))
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    review_note = models.TextField(_("复核意见"), blank=True)

    class Meta:
        verbose_name = _("质检申诉")
        verbose_name_plural = _("质检申诉")
        ordering = ["filed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection"],
                condition=models.Q(status="pending"),
                name="appeal_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection} {self.get_status_display()}"
