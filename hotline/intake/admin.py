"""Admin of channels (keys issued, rotated and revoked here, the key shown once), pending
message-board posts (confirm / reject), webhook deliveries, and requester SMS."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.workorders.errors import WorkOrderError

from .channel_auth import channel_issue_key, channel_revoke_key
from .channel_services import channel_request_confirm, channel_request_reject
from .models import (
    Channel,
    ChannelRequest,
    Operation,
    SmsMessage,
    SmsOptOut,
    SmsTemplate,
    WebhookDelivery,
)
from .sms_notices import validate_template
from .webhooks import webhook_url_problem


class ChannelForm(forms.ModelForm):
    operations = forms.MultipleChoiceField(
        label=_("允许的操作"),
        choices=Operation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    webhook_url = forms.URLField(label=_("状态推送地址"), required=False, assume_scheme="https")

    def clean_webhook_url(self) -> str:
        url: str = self.cleaned_data.get("webhook_url") or ""
        problem = webhook_url_problem(url) if url else None
        if problem:
            raise forms.ValidationError(problem)
        return url

    class Meta:
        model = Channel
        fields = [
            "name",
            "kind",
            "operations",
            "rate_limit",
            "request_type",
            "webhook_url",
            "webhook_secret",
            "is_active",
        ]


def _show_key_once(request: HttpRequest, channel: Channel, key: str) -> None:
    messages.warning(
        request,
        gettext(
            "渠道「{channel}」的接入密钥：{key}　请立即复制保存：系统只保存其摘要，此后无法再次查看。"
        ).format(channel=channel.name, key=key),
    )


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Saving a new channel issues its key and shows it once; rotate and revoke are actions."""

    form = ChannelForm
    list_display = [
        "name",
        "kind",
        "prefix",
        "rate_limit",
        "is_active",
        "key_rotated_at",
        "revoked_at",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "key_rotated_at", "revoked_at"]
    actions = ["rotate_key", "revoke_key"]

    def save_model(self, request: HttpRequest, obj: Channel, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            _show_key_once(request, obj, channel_issue_key(channel=obj))

    @admin.action(description=_("更换所选渠道的密钥（旧密钥立即失效，新密钥只显示一次）"))
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        for channel in queryset:
            _show_key_once(request, channel, channel_issue_key(channel=channel))

    @admin.action(description=_("吊销所选渠道的密钥"))
    def revoke_key(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        for channel in queryset:
            channel_revoke_key(channel=channel)
        self.message_user(
            request,
            gettext("已吊销 {n} 个渠道的密钥。").format(n=queryset.count()),
            messages.SUCCESS,
        )


class RejectForm(forms.Form):
    note = forms.CharField(label=_("不予受理的理由"), max_length=200)


@admin.register(ChannelRequest)
class ChannelRequestAdmin(admin.ModelAdmin):
    """Pending message-board posts are confirmed (they become orders, registered by the agent)
    or rejected with a reason here."""

    list_display = ["token", "channel", "state", "order", "title", "created_at", "decided_by"]
    list_filter = ["state", "channel"]
    search_fields = ["token", "idempotency_key", "external_id", "order__number"]
    list_select_related = ["channel", "order", "decided_by"]
    readonly_fields = [
        "channel",
        "idempotency_key",
        "token",
        "state",
        "order",
        "data",
        "response",
        "lat",
        "long",
        "external_id",
        "decided_by",
        "decision_note",
        "created_at",
    ]
    actions = ["confirm", "reject_as_spam"]

    @admin.display(description=_("标题"))
    def title(self, obj: ChannelRequest) -> str:
        if obj.order_id:
            return obj.order.title if obj.order else ""
        return str((obj.data or {}).get("fields", {}).get("title", ""))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("确认受理所选待确认诉求（生成工单）"))
    def confirm(self, request: HttpRequest, queryset: QuerySet[ChannelRequest]) -> None:
        for req in queryset.filter(state=ChannelRequest.State.PENDING):
            try:
                order = channel_request_confirm(request=req, actor=request.user)  # type: ignore[arg-type]
            except WorkOrderError as e:
                self.message_user(request, f"{req.token}: {e.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("已受理，工单号 {number}").format(number=order.number),
                    messages.SUCCESS,
                )

    @admin.action(description=_("所选待确认诉求不予受理（无效信息）"))
    def reject_as_spam(self, request: HttpRequest, queryset: QuerySet[ChannelRequest]) -> None:
        count = 0
        for req in queryset.filter(state=ChannelRequest.State.PENDING):
            channel_request_reject(request=req, actor=request.user, note=gettext("无效信息"))  # type: ignore[arg-type]
            count += 1
        self.message_user(request, gettext("已处理 {n} 条。").format(n=count), messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "channel",
        "kind",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["state", "kind", "channel"]
    list_select_related = ["channel"]
    actions = ["retry_now"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("立即重试所选推送"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        n = queryset.exclude(state=WebhookDelivery.State.DELIVERED).update(
            state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, gettext("已安排重试 {n} 条。").format(n=n), messages.SUCCESS)


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["kind", "text", "is_active"]

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        try:
            validate_template(text)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None
        return text


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    form = SmsTemplateForm
    list_display = ["kind", "text", "is_active"]


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ["phone", "kind", "state", "order", "created_at", "sent_at", "detail"]
    list_filter = ["state", "kind"]
    search_fields = ["phone", "order__number"]
    list_select_related = ["order"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in SmsMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ["phone", "note", "created_at"]
    search_fields = ["phone"]
