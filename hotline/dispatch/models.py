"""Models of the dispatch app: trained models, suggestions served, hot-topic warnings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Region, Unit
from hotline.catalog.models import Category
from hotline.workorders.models import WorkOrder


class DispatchModel(models.Model):
    """One trained version of the suggestion model: its file in the model store, what it was
    trained on, its held-out metrics, and whether it is the one serving suggestions."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    file_name = models.CharField(_("模型文件"), max_length=200)
    trained_at = models.DateTimeField(_("训练时间"))
    orders = models.PositiveIntegerField(_("训练工单数"), default=0)
    metrics = models.JSONField(_("评估指标"), default=dict, blank=True)
    is_active = models.BooleanField(_("当前使用"), default=False)

    class Meta:
        verbose_name = _("派单模型")
        verbose_name_plural = _("派单模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="dispatch_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Source(models.TextChoices):
    RULE = "rule", _("派单目录")
    MODEL = "model", _("模型")
    NAMES = "names", _("分类名称匹配")
    KNOWLEDGE = "knowledge", _("知识库匹配")
    NONE = "none", _("无")


class Context(models.TextChoices):
    INTAKE = "intake", _("受理")
    DISPATCH = "dispatch", _("派单")
    API = "api", _("接口")


class Suggestion(models.Model):
    """One suggestion served to a person: what was suggested, by which model version, for which
    order when known. Joined later with the order's final unit to measure accuracy."""

    served_at = models.DateTimeField(_("时间"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    context = models.CharField(_("场景"), max_length=10, choices=Context.choices)
    order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # None when no trained model was active (catalogue rules and category names only).
    model_version = models.PositiveIntegerField(_("模型版本"), null=True, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category_confidence = models.FloatField(_("分类置信度"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_confidence = models.FloatField(_("单位置信度"), null=True, blank=True)
    unit_source = models.CharField(_("单位来源"), max_length=10, choices=Source.choices)
    # The full top-3 lists as served: [[pk, confidence, source], ...].
    payload = models.JSONField(_("建议内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("派单建议记录")
        verbose_name_plural = _("派单建议记录")
        ordering = ["-served_at", "-id"]
        indexes = [models.Index(fields=["model_version", "served_at"], name="sugg_version_at")]

    def __str__(self) -> str:
        return f"{self.served_at:%Y-%m-%d %H:%M} {self.unit or '-'}"


class HotTopicWarning(models.Model):
    """An early warning (预警) raised when a cluster of similar requests in a region grew past
    the threshold against the previous period. Shown to supervisors on the hot-topic page."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateTimeField(_("统计开始"))
    period_end = models.DateTimeField(_("统计结束"))
    # The cluster's top terms joined by "/": with the period and region it names the warning,
    # so a rescan of the same period does not raise it twice.
    signature = models.CharField(_("热点特征"), max_length=200)
    terms = models.JSONField(_("关键词"), default=list)
    size = models.PositiveIntegerField(_("本期数量"))
    previous_size = models.PositiveIntegerField(_("上期数量"))
    sample_orders = models.JSONField(_("示例工单"), default=list)
    raised_at = models.DateTimeField(_("预警时间"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("热点预警")
        verbose_name_plural = _("热点预警")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "period_start", "period_end", "signature"],
                name="hotwarning_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.signature} ({self.size})"


class HotTopicDay(models.Model):
    """The hot topics of one whole past day over all orders, computed once (by the morning
    report) and read by the daily report after that: clustering a day of a big city's requests
    takes seconds, and a day that is over does not change. `topics` holds every cluster in
    `hot_topics` order: [{"terms": [...], "size", "previous", "region": id or None,
    "samples": [order numbers]}]."""

    day = models.DateField(_("日期"), unique=True)
    topics = models.JSONField(_("热点"), default=list)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("每日热点")
        verbose_name_plural = _("每日热点")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} ({len(self.topics)})"
