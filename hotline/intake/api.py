"""The intake part of the REST API (mounted under /api/ by hotline.api): the channel intake
endpoints, authenticated by a channel key (`X-Channel-Key`), never by a staff token."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from hotline.workorders.choices import Status as OrderStatus
from hotline.workorders.errors import InvalidInput
from hotline.workorders.schemas import CONTENT_MAX, TITLE_MAX

from . import notices  # noqa: F401  (connects the receivers of workorder_event)
from .channel_auth import ChannelKeyAuth, channel_set_webhook, require
from .channel_services import Submission, channel_submit, response_of
from .models import Channel, ChannelRequest, Operation
from .sms_notices import sms_opt_out

router = Router(tags=["渠道接入"])
CHANNEL_AUTH = [ChannelKeyAuth()]


class ChannelApiRequest(HttpRequest):
    auth: Channel


class AttachmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    content_type: str = Field("application/octet-stream", max_length=100)
    data: str = Field(..., description="文件内容，Base64 编码")


class ChannelRequestIn(Schema):
    # The registration's own limits (settings.HOTLINE), so the schema promises what it takes.
    title: str = Field(..., max_length=TITLE_MAX)
    content: str = Field(..., max_length=CONTENT_MAX)
    request_type: str | None = Field(None, max_length=20, description="缺省为渠道的默认诉求类型")
    urgency: str = Field("normal", max_length=20)
    category: int | None = None
    region: str | None = Field(None, max_length=20)
    address: str = Field("", max_length=200)
    requester_name: str = Field("", max_length=50)
    requester_phone: str = Field("", max_length=30)
    is_anonymous: bool = False
    is_confidential: bool = False
    external_id: str = Field("", max_length=64, description="渠道内的编号")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)
    attributes: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="分类的附加信息项：{编码: 值}，多选为列表（见 Open311 services/{service_code}）",
    )


class ChannelRequestOut(Schema):
    token: str
    state: str = Field(..., description="created 已受理 / pending 待确认 / rejected 不予受理")
    number: str | None
    query_code: str | None
    status: str | None = Field(None, description=f"工单状态：{', '.join(OrderStatus.values)}")


class ChannelRequestStatus(ChannelRequestOut):
    updated_at: str


def _require_json(request: HttpRequest) -> None:
    """The body must be declared as what it is: JSON in UTF-8 (ninja reads it as JSON whatever
    the header says)."""
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if request.content_type != "application/json" or charset not in ("utf-8", "utf8"):
        raise InvalidInput(
            _(
                "请求体应为 UTF-8 编码的 JSON（Content-Type: application/json），收到「{ct}」"
            ).format(ct=request.META.get("CONTENT_TYPE", "")[:60] or "-"),
            field="Content-Type",
        )


@router.post(
    "/channel/requests",
    auth=CHANNEL_AUTH,
    response={200: ChannelRequestOut, 201: ChannelRequestOut},
    summary="渠道提交诉求（幂等：Idempotency-Key）",
)
def channel_request_create(
    request: ChannelApiRequest,
    payload: ChannelRequestIn,
    response: HttpResponse,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
) -> Status:
    require(request.auth, Operation.CREATE)
    _require_json(request)
    data = payload.dict()
    sub = Submission(
        fields={k: data[k] for k in data if k not in ("attachments", "external_id")},
        attachments=data["attachments"],
        external_id=payload.external_id,
    )
    req, created = channel_submit(
        channel=request.auth, submission=sub, idempotency_key=idempotency_key
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
        return Status(200, req.response)
    return Status(201, req.response)


@router.get(
    "/channel/requests/{token}",
    auth=CHANNEL_AUTH,
    response=ChannelRequestStatus,
    summary="查询本渠道提交的诉求",
)
def channel_request_detail(request: ChannelApiRequest, token: str) -> dict[str, Any]:
    require(request.auth, Operation.READ)
    req = None
    if "\x00" not in token:  # PostgreSQL cannot compare with a NUL: no such token
        req = ChannelRequest.objects.filter(channel=request.auth, token=token).first()
    if req is None:  # another channel's token does not exist for this one
        raise Http404
    return response_of(req)


class WebhookIn(Schema):
    url: str = Field(..., max_length=200, description="接收状态推送的 HTTPS 地址；空串表示取消")


class WebhookOut(Schema):
    url: str
    secret: str = Field(
        ..., description="签名密钥：X-Hotline-Signature = sha256=HMAC(密钥, 请求体)"
    )


@router.put(
    "/channel/webhook",
    auth=CHANNEL_AUTH,
    response=WebhookOut,
    summary="登记状态推送地址（返回新的签名密钥）",
)
def channel_webhook_set(request: ChannelApiRequest, payload: WebhookIn) -> dict[str, str]:
    require(request.auth, Operation.WEBHOOK)
    channel = channel_set_webhook(channel=request.auth, url=payload.url)
    return {"url": channel.webhook_url, "secret": channel.webhook_secret}


class OptOutIn(Schema):
    phone: str = Field(..., min_length=1, max_length=30)
    note: str = Field("", max_length=200)


class OptOutOut(Schema):
    phone: str
    created_at: str


@router.post(
    "/sms/opt-outs",
    response={201: OptOutOut},
    summary="短信退订（短信网关转来的“TD”回复，或坐席代为登记）",
)
def sms_opt_out_create(request: HttpRequest, payload: OptOutIn) -> Status:
    row = sms_opt_out(phone=payload.phone, note=payload.note)
    created_at = timezone.localtime(row.created_at).isoformat(timespec="seconds")
    return Status(201, {"phone": row.phone, "created_at": created_at})
