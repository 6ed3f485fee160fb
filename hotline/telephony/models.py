"""Call records (话单): one row per call that reached the hotline's queue or was placed by it.

Until the telephony integration lands these come from imports and the demo generator; the
answer-rate figures (接通率, N 秒接通率, 呼损率) are computed from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Unit
from hotline.workorders.models import WorkOrder

from .choices import CallOutcome, Direction, MissedCallState


class CallRecord(models.Model):
    centre = models.ForeignKey(Unit, verbose_name=_("热线中心"), on_delete=models.PROTECT)
    direction = models.CharField(
        _("方向"), max_length=3, choices=Direction.choices, default=Direction.INBOUND
    )
    caller_number = models.CharField(_("主叫号码"), max_length=20)
    called_number = models.CharField(_("被叫号码"), max_length=20, default="12345")
    # Entered the agent queue (inbound) or dialled (outbound).
    started_at = models.DateTimeField(_("进入队列时间"), db_index=True)
    answered_at = models.DateTimeField(_("接听时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Seconds in the queue before an answer or a hang-up.
    wait_seconds = models.PositiveIntegerField(_("等待秒数"), default=0)
    talk_seconds = models.PositiveIntegerField(_("通话秒数"), default=0)
    outcome = models.CharField(_("结果"), max_length=12, choices=CallOutcome.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("话务员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    # The telephony system's own id, for imports that must not duplicate.
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("话单")
        verbose_name_plural = _("话单")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "started_at"], name="call_centre_started"),
            models.Index(fields=["caller_number", "started_at"], name="call_caller_started"),
            models.Index(fields=["outcome", "started_at"], name="call_outcome_started"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="call_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller_number} {self.started_at:%Y-%m-%d %H:%M}"


class MissedCall(models.Model):
    """A call that reached the queue but was not answered (漏接), on the agents' call-back list
    (回拨) until its outcome is recorded. Comes from an abandoned CallRecord or from the phone
    system through the API."""

    centre = models.ForeignKey(Unit, verbose_name=_("热线中心"), on_delete=models.PROTECT)
    caller_number = models.CharField(_("来电号码"), max_length=20)
    missed_at = models.DateTimeField(_("来电时间"), db_index=True)
    call = models.OneToOneField(
        CallRecord,
        verbose_name=_("话单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="missed_call",
    )
    # The phone system's id of the call, so a re-sent record does not duplicate.
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    state = models.CharField(
        _("状态"), max_length=12, choices=MissedCallState.choices, default=MissedCallState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("回拨次数"), default=0)
    last_attempt_at = models.DateTimeField(_("最近回拨"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("登记工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回拨人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Bumped by every recorded attempt: a stale form cannot overwrite a newer outcome.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("漏接来电")
        verbose_name_plural = _("漏接来电")
        ordering = ["missed_at", "id"]
        indexes = [models.Index(fields=["centre", "state", "missed_at"], name="missed_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="missed_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.caller_number} {self.missed_at:%Y-%m-%d %H:%M}"
