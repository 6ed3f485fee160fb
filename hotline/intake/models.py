"""Models of the intake app: channels as API clients, their requests (with idempotency keys),
the webhook outbox, and requester SMS (templates, log, opt-outs)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.workorders.choices import Channel as ChannelKind
from hotline.workorders.models import WorkOrder, WorkOrderEvent


class Operation(models.TextChoices):
    """What a channel's key allows."""

    CREATE = "create", _("提交诉求")
    READ = "read", _("查询本渠道诉求")
    WEBHOOK = "webhook", _("登记状态推送")


class Channel(models.Model):
    """A channel (渠道) that brings requests in as an API client: a WeChat account, the
    government app, a partner hotline, an Open311 client... Only a hash of its key is stored."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("渠道类型"), max_length=20, choices=ChannelKind.choices)
    prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False, blank=True)
    key_hash = models.CharField(max_length=64, editable=False, blank=True, db_index=True)
    # Requests a minute; 0 means no limit.
    rate_limit = models.PositiveIntegerField(_("每分钟请求上限"), default=120)
    operations = models.JSONField(_("允许的操作"), default=list, blank=True)
    # Open311 and other channels that carry no request type of their own register this type.
    request_type = models.CharField(_("默认诉求类型编码"), max_length=20, default="help")
    webhook_url = models.URLField(_("状态推送地址"), blank=True)
    webhook_secret = models.CharField(_("推送签名密钥"), max_length=64, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    key_rotated_at = models.DateTimeField(_("密钥更新时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("密钥吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接入渠道")
        verbose_name_plural = _("接入渠道")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def allows(self, operation: str) -> bool:
        return operation in (self.operations or [])

    @property
    def creates_pending(self) -> bool:
        """A message-board post waits for an agent to confirm it before it becomes an order."""
        return self.kind == ChannelKind.MESSAGE_BOARD


class ChannelRequest(models.Model):
    """One request a channel submitted: its idempotency key, the order it became
    (or, for a message-board post, the pending data an agent confirms), and its Open311 token."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("处理中")
        CREATED = "created", _("已受理")
        PENDING = "pending", _("待确认")
        REJECTED = "rejected", _("不予受理")

    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="requests"
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=100, blank=True)
    token = models.CharField(_("查询令牌"), max_length=32, unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices)
    order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channel_request",
    )
    # The validated submission: kept for pending posts (registered on confirmation).
    data = models.JSONField(_("提交内容"), default=dict, blank=True)
    # The first response, returned again to a retry with the same key.
    response = models.JSONField(_("首次应答"), default=dict, blank=True)
    # SHA-256 of the submission: a retry must send the same request, not reuse the key.
    body_hash = models.CharField(_("请求内容摘要"), max_length=64, blank=True, editable=False)
    # Open311 carries a point; the work order has none.
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    external_id = models.CharField(_("渠道内编号"), max_length=64, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("渠道诉求")
        verbose_name_plural = _("渠道诉求")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Inserted in the order's transaction: a concurrent retry waits on this index, fails
            # on it and rolls its own order back, so there is never a second order.
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="channelrequest_idempotency",
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="chreq_state_created")]

    def __str__(self) -> str:
        return f"{self.channel} {self.token}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_hex(8)


class NoticeKind(models.TextChoices):
    """Requester-visible moments of an order, told to the channel and by SMS."""

    REGISTERED = "registered", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    CALLBACK_REQUEST = "callback_request", _("回访请求")
    # A message-board post an agent declined (不予受理): told to the channel, no order exists.
    REJECTED = "rejected", _("不予受理")


class WebhookDelivery(models.Model):
    """The outbox of status pushes: one row per (channel, event), written when the event is
    committed and retried with back-off until the channel answers 2xx. Audit log and queue.
    A declined message-board post has no order and no event: its row names the request."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("已放弃")

    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        WorkOrderEvent,
        verbose_name=_("工单事件"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    request = models.ForeignKey(
        ChannelRequest,
        verbose_name=_("渠道诉求"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("通知类型"), max_length=20, choices=NoticeKind.choices)
    url = models.URLField(_("推送地址"))
    payload = models.JSONField(_("内容"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    last_status = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("状态推送")
        verbose_name_plural = _("状态推送")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "event"], name="webhook_once_per_event"),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(event__isnull=True),
                name="webhook_once_per_rejection",
            ),
            models.CheckConstraint(
                condition=models.Q(event__isnull=False) | models.Q(request__isnull=False),
                name="webhook_event_or_request",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} #{self.event_id or self.request_id}"


class SmsTemplate(models.Model):
    """The text of a requester SMS, edited by the centre. Placeholders: {number}, {query_code},
    {unit}, {title}, {hotline}. Confidential orders get only {number} and {query_code}."""

    kind = models.CharField(_("场景"), max_length=20, choices=NoticeKind.choices, unique=True)
    text = models.TextField(_("模板"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class SmsMessage(models.Model):
    """One SMS to a requester and its delivery state; written before it is sent."""

    class State(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        OPTED_OUT = "opted_out", _("已退订未发送")

    # Orders are never deleted in use; benchmarks and tests that delete theirs take the log too.
    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("工单"),
        on_delete=models.CASCADE,
        related_name="sms_messages",
        null=True,
        blank=True,
    )
    event = models.ForeignKey(
        WorkOrderEvent,
        verbose_name=_("工单事件"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("场景"), max_length=20, choices=NoticeKind.choices)
    phone = models.CharField(_("手机号"), max_length=20)
    text = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    detail = models.CharField(_("网关回执"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind"],
                condition=models.Q(event__isnull=False),
                name="sms_once_per_event",
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="sms_state_created")]

    def __str__(self) -> str:
        return f"{self.phone} {self.get_kind_display()}"


class SmsOptOut(models.Model):
    """A phone number that asked not to receive notices (回复 TD 退订)."""

    phone = models.CharField(_("手机号"), max_length=20, unique=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("退订时间"), default=timezone.now)

    class Meta:
        verbose_name = _("短信退订")
        verbose_name_plural = _("短信退订")

    def __str__(self) -> str:
        return self.phone


# Receivers of workorder_event: connected when this module loads (it always does, as the app's
# models), so the intake app needs no AppConfig.ready() of its own.
from . import notices  # noqa: E402, F401
