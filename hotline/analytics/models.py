"""Models of the analytics app: the reports generated from the figures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ReportKind


class Report(models.Model):
    """One generated report (日报 / 周报 / 月报) of the whole platform for one period.

    `data` is the snapshot the page, the DOCX and the PDF are all rendered from, so the three
    always say the same and a report read next year shows the figures of the day it was made.
    Regenerating replaces the snapshot and records who did it and when."""

    kind = models.CharField(_("类型"), max_length=10, choices=ReportKind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    data = models.JSONField(_("数据"), default=dict)
    generated_at = models.DateTimeField(_("生成时间"))
    # None when the morning job made it.
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="report_unique_period")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d}"


class AssessmentScheme(models.Model):
    """考核方案: the weighted indicators units are ranked on each month. One scheme is active."""

    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=False)
    # Red and black lists: the best and worst N units with enough orders to be judged fairly.
    list_size = models.PositiveSmallIntegerField(_("红黑榜各列单位数"), default=3)
    min_orders = models.PositiveIntegerField(
        _("参与排名的最少派单量"),
        default=5,
        help_text=_("当月派单少于此数的单位只列分数，不进红黑榜"),
    )

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name


class AssessmentIndicator(models.Model):
    """One weighted indicator of a scheme; the figure comes from analytics.kpis."""

    scheme = models.ForeignKey(
        AssessmentScheme, on_delete=models.CASCADE, related_name="indicators"
    )
    kpi = models.CharField(_("指标"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("权重"))

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "-weight", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kpi"], name="assessment_unique_kpi")
        ]

    def __str__(self) -> str:
        return f"{self.kpi} × {self.weight}"


class OrderDimensions(models.Model):
    """The order's dimensions a KPI slice filters on (never changed after intake), copied into
    each facts row so a slice needs no join. No database constraint: the order protects them."""

    region = models.ForeignKey(
        "accounts.Region", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    channel = models.CharField(max_length=20)
    request_type = models.ForeignKey(
        "catalog.RequestType", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class WorkOrderFacts(OrderDimensions):
    """What the KPI passes need of one work order, read from one narrow row (issue #7).

    The dimensions the filters slice by, the dates that place the order in a period, and what
    the figures would otherwise find with a correlated sub-query per order (answered at intake,
    lead unit acknowledged, first contact, the same caller's previous request). Every field is a
    pure function of the order's own history at `version` (and, for `previous_same_at`, of the
    earlier orders of the same number and category, whose phone, category and time never
    change); anything that depends on "now" or on a setting is decided when a figure is read.
    Rows are (re)built by `analytics.facts.facts_refresh`, never by the write path."""

    order = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.CASCADE, primary_key=True, related_name="facts"
    )
    # The order's version the row was computed from; a different one means stale.
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True)
    reply_due_at = models.DateTimeField(null=True)
    replied_at = models.DateTimeField(null=True)
    # The current lead unit (it changes with the order: not one of the fixed dimensions).
    lead_unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    closed = models.BooleanField()
    acknowledged_late = models.BooleanField()
    replied_late = models.BooleanField()
    # An event resolve_at_intake exists.
    resolved_at_intake = models.BooleanField()
    # The current lead assignment has been acknowledged.
    lead_acknowledged = models.BooleanField()
    # The shortest time from an acknowledged current lead round's dispatch to its first
    # contact with the requester (None: no contact recorded); 响应率 compares it with its limit.
    contact_delay = models.DurationField(null=True)
    # The latest strictly earlier registration of the same number on the same category (None
    # without a number or a category); 重复来电率 compares it with its window.
    previous_same_at = models.DateTimeField(null=True)
    # The current round's acknowledgement limit: an order neither acknowledged nor past it is
    # not yet decided for 按时签收率 and 响应率.
    acknowledge_due_at = models.DateTimeField(null=True)
    # The callback limit while the order awaits its callback (None otherwise): until then an
    # order not yet called back is not yet decided for 回访率.
    awaiting_callback_until = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("工单统计事实")
        verbose_name_plural = _("工单统计事实")
        indexes = [
            models.Index(fields=["created_at"], name="facts_created"),
            models.Index(fields=["dispatched_at"], name="facts_dispatched"),
            models.Index(fields=["reply_due_at"], name="facts_reply_due"),
        ]

    def __str__(self) -> str:
        return f"facts of order {self.order_id} v{self.version}"


class WorkOrderFactsMark(models.Model):
    """The newest event already folded into the facts: row 1 for the order facts (the next
    refresh looks only at the orders of the events after it), row 2 for the event facts (the
    next refresh copies only the events after it); both with a margin for transactions that
    commit late."""

    event_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("工单统计事实进度")
        verbose_name_plural = _("工单统计事实进度")


class WorkOrderEventFacts(OrderDimensions):
    """A narrow copy of one counted event (return, dispatch, reply, callback…) for the event
    pass of the KPIs: the month's events read without their notes and payloads (issue #7).

    Events are append-only, so a row, once written, is never stale: the refresh only adds the
    events written since (`analytics.facts.event_facts_refresh`). The rating and the solved flag
    of a callback are taken out of its payload by the very lookups the figures use."""

    event = models.OneToOneField(
        "workorders.WorkOrderEvent",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="+",
    )
    order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    created_at = models.DateTimeField()
    action = models.CharField(max_length=30)
    unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_unit = models.ForeignKey(
        "accounts.Unit",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    rating = models.CharField(max_length=20, blank=True)  # "" when not a rated callback
    solved = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("工单事件统计事实")
        verbose_name_plural = _("工单事件统计事实")
        indexes = [models.Index(fields=["created_at"], name="event_facts_created")]

    def __str__(self) -> str:
        return f"facts of event {self.event_id}"
