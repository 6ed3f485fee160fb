"""The time-limit rules, the working-day calendar table, what the scans did, and notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region
from hotline.catalog.models import Category, RequestType, Urgency
from hotline.workorders.models import WorkOrder, WorkOrderEvent

from .choices import Clock, LimitUnit, NotificationKind, Stage


class CalendarYear(models.Model):
    """A year whose holiday notice (国务院办公厅节假日安排) an administrator has entered.

    chinese-calendar knows the years up to 2026; a later year is known only once it has a row
    here: then Monday–Friday work and weekends rest, except the days listed in CalendarDay."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day that is a holiday (休) or a make-up working day (调休上班), overriding both
    chinese-calendar and the weekday rule."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选为调休上班日，不勾选为休息日"))
    name = models.CharField(_("说明"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'} {self.name}"


class TimeLimitRule(models.Model):
    """One time limit (时限) of one clock for orders of a request type × urgency, optionally
    narrowed to a category subtree or a region subtree. Empty fields match every order; the
    most specific active rule wins (see rules.specificity). A rule replaced by another rule
    set is deactivated, never deleted: the events of the deadlines it gave name its id."""

    clock = models.CharField(_("时限类型"), max_length=20, choices=Clock.choices)
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("诉求类型"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示全部类型"),
    )
    urgency = models.ForeignKey(
        Urgency,
        verbose_name=_("紧急程度"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示全部紧急程度"),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("诉求分类"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示全部分类；选定时含其下级分类"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("留空表示全部区划；选定时含其下级区划"),
    )
    amount = models.PositiveIntegerField(_("时限"))
    unit = models.CharField(_("单位"), max_length=20, choices=LimitUnit.choices)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    preset = models.CharField(
        _("规则集"),
        max_length=40,
        blank=True,
        help_text=_("写入本规则的规则集；管理员新增或修改的规则为空"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["clock", "request_type", "urgency", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="timelimit_positive",
                violation_error_message=_("时限必须大于 0"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} {self.amount} {self.get_unit_display()}"


class SlaAlert(models.Model):
    """Something an administrator must fix, e.g. a deadline that needs a day the working-day
    calendar does not know yet (the order then has no deadline, never a wrong one)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("工单"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(_("内容"))
    missing_date = models.DateField(_("缺少的日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("时限告警")
        verbose_name_plural = _("时限告警")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class SlaAction(models.Model):
    """What a scan did for one order and one deadline: the record that makes a second scan
    send nothing twice (unique per order, stage, level and deadline). A moved deadline (an
    extension, a new round) is a new deadline, so its warnings are sent again."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(_("环节"), max_length=20, choices=Stage.choices)
    level = models.PositiveSmallIntegerField(_("次序"), default=0)
    due_at = models.DateTimeField(_("所针对的时限"))
    event = models.ForeignKey(
        WorkOrderEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("自动处理记录")
        verbose_name_plural = _("自动处理记录")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "stage", "level", "due_at"], name="slaaction_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.stage}#{self.level}"


class Notification(models.Model):
    """A message to one person (in-app inbox, and the other channels configured)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_recipient_read")]

    def __str__(self) -> str:
        return self.title


class NotificationDelivery(models.Model):
    """One attempt to deliver a notification through a channel other than the inbox."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=50)
    ok = models.BooleanField(_("成功"))
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")
