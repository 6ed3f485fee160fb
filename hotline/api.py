"""The REST API root: /api/, OpenAPI docs at /api/docs.

Every endpoint takes a bearer token (systems) or the browser session (with CSRF); every error
has one shape: {"code", "message" (Chinese, names the problem), "field" (or null)}."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from hotline.accounts.api import AUTH
from hotline.accounts.api import router as accounts_router
from hotline.analytics.api import router as analytics_router
from hotline.callbacks.api import router as callbacks_router
from hotline.catalog.api import router as catalog_router
from hotline.dispatch.api import router as dispatch_router
from hotline.evaluation.api import router as evaluation_router
from hotline.intake.api import router as intake_router
from hotline.knowledge.api import router as knowledge_router
from hotline.sla.api import router as sla_router
from hotline.telephony.api import router as telephony_router
from hotline.workorders.api import router as workorders_router
from hotline.workorders.errors import WorkOrderError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class LocalTimeEncoder(NinjaJSONEncoder):
    """Every datetime the API answers with is local time with its offset
    (`2026-11-22T10:05:00+08:00`), whether or not its schema converted it: a stored UTC value
    would otherwise come out as `…Z` beside the `+08:00` of the rest."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class UTF8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8 rather than \\u escapes: readable in logs and half the bytes;
    datetimes in local time (LocalTimeEncoder)."""

    json_dumps_params = {"ensure_ascii": False}
    encoder_class = LocalTimeEncoder


api = NinjaAPI(
    renderer=UTF8JSONRenderer(),
    title="12345 热线平台 API",
    version="1",
    description="政务服务便民热线平台接口。认证：`Authorization: Bearer <令牌>`，或浏览器登录会话。",
    urls_namespace="api",
    auth=AUTH,
)
api.add_router("/", accounts_router)
api.add_router("/", catalog_router)
api.add_router("/", workorders_router)
api.add_router("/", sla_router)
api.add_router("/", callbacks_router)
api.add_router("/", intake_router)
api.add_router("/", telephony_router)
api.add_router("/", dispatch_router)
api.add_router("/", analytics_router)
api.add_router("/", evaluation_router)
api.add_router("/", knowledge_router)

# Chinese names of input fields, for error messages that name the field.
FIELD_LABELS: dict[str, StrOrPromise] = {
    "channel": _("渠道"),
    "request_type": _("诉求类型"),
    "urgency": _("紧急程度"),
    "category": _("诉求分类"),
    "region": _("区划"),
    "title": _("标题"),
    "content": _("诉求内容"),
    "address": _("地址"),
    "requester_name": _("诉求人姓名"),
    "requester_phone": _("联系电话"),
    "requester_id_number": _("证件号码"),
    "is_anonymous": _("是否匿名"),
    "is_confidential": _("是否保密"),
    "note": _("说明"),
    "expected_version": _("版本号"),
    "lead_unit": _("主办单位"),
    "assisting_units": _("协办单位"),
    "legal_basis": _("退单依据"),
    "days": _("延期天数"),
    "level": _("督办级别"),
    "rating": _("评价"),
    "solved": _("是否解决"),
    "master": _("主单编号"),
    "target": _("转出去向"),
    "other": _("关联工单编号"),
    "status": _("状态"),
    "sort": _("排序"),
    "cursor": _("翻页游标"),
    "size": _("每页条数"),
    "created_from": _("起始日期"),
    "created_to": _("截止日期"),
    "unit": _("承办单位"),
    "phone": _("电话"),
    "open_only": _("仅未办结"),
    "file": _("文件"),
    "reason": _("查看理由"),
    "username": _("用户名"),
    "password": _("密码"),
    "name": _("用途"),
    "parent": _("上级"),
    "q": _("关键词"),
    "caller_number": _("来电号码"),
    "missed_at": _("来电时间"),
    "outcome": _("回拨结果"),
    "order_number": _("工单编号"),
    "keywords": _("关键词"),
    "answer": _("答复口径"),
    "basis": _("政策依据"),
    "valid_until": _("有效期至"),
    "version": _("版本号"),
    "term": _("有效期"),
    "move": _("操作"),
}


# Where ninja puts a parameter; the rest of `loc` leads to the field.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})
_TYPE_TAGS = frozenset({"int", "str", "float", "bool"})
_BOUNDS = {"ge": _("不小于"), "le": _("不大于"), "gt": _("大于"), "lt": _("小于")}
_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    413: "too_large",
    429: "rate_limited",
}


def _body_is_not_an_object(request: HttpRequest) -> bool:
    """A JSON body that parses but is not an object (`[1, 2]`, `"text"`): the schema would
    otherwise report every field of the object as missing."""
    if request.method not in ("POST", "PUT", "PATCH") or request.content_type != "application/json":
        return False
    try:
        return not isinstance(json.loads(request.body or b"null"), dict)
    except ValueError:
        return False


def _error(
    request: HttpRequest, status: int, code: str, message: str, field: str | None = None, **extra
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "field": field, **extra}, status=status
    )


def _field(loc: tuple | list, params: set[str]) -> str | None:
    """("body", "payload", "title") → "title"; ("query", "size") → "size"; list items keep
    their index ("assisting_units.1")."""
    # Union members add their type to `loc` ("int", "str"); the field is what precedes them.
    parts = [str(p) for p in loc if str(p) not in _TYPE_TAGS]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in params:
        parts = parts[1:]
    return ".".join(parts) or None


def _describe(err: dict[str, Any], field: str | None) -> str:
    name = (field or "").split(".")[0]
    label = FIELD_LABELS.get(name, name or gettext("请求"))
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    if "message" in err:  # raised by an endpoint with its own wording
        return str(err["message"])
    if kind == "missing":
        return gettext("请填写{label}（{field}）").format(label=label, field=field)
    if kind == "string_too_long":
        return gettext("{label}不能超过 {max_length} 字").format(
            label=label, max_length=ctx.get("max_length")
        )
    if kind == "string_too_short":
        return gettext("请填写{label}（{field}）").format(label=label, field=field)
    if kind == "string_pattern_mismatch":
        return gettext("{label}格式不正确").format(label=label)
    if kind.startswith("bool"):
        return gettext("{label}应为 true 或 false").format(label=label)
    if kind.startswith("int") or kind == "float_parsing":
        return gettext("{label}应为整数").format(label=label)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        text = gettext("，").join(f"{_BOUNDS[k]} {v}" for k, v in ctx.items() if k in _BOUNDS)
        return gettext("{label}应{text}").format(label=label, text=text)
    if kind == "enum" or kind == "literal_error":
        # pydantic lists them in English ("'a', 'b' or 'c'"): the values, in Chinese punctuation.
        expected = str(ctx.get("expected", ""))
        values = re.findall(r"'([^']*)'", expected)
        return gettext("{label}应为 {expected} 之一").format(
            label=label, expected=gettext("、").join(values) if values else expected
        )
    if kind.startswith("datetime") or kind.startswith("timezone"):
        return gettext("{label}应为带时区的日期时间（如 2026-11-22T09:58:00+08:00）").format(
            label=label
        )
    if kind.startswith("date"):
        return gettext("{label}应为日期（YYYY-MM-DD）").format(label=label)
    if kind in ("list_type", "string_type", "dict_type", "model_type", "model_attributes_type"):
        return gettext("{label}类型不正确").format(label=label)
    if kind == "json_invalid":
        return gettext("请求体不是有效的 JSON")
    return gettext("{label}无效：{msg}").format(label=label, msg=err.get("msg", ""))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # 400 (not ninja's 422): one convention for every bad input, from the schema or the service.
    if _body_is_not_an_object(request):
        return _error(request, 400, "invalid", gettext("请求体应为 JSON 对象（{…}）"), "body")
    params: set[str] = set()
    resolver = getattr(request, "resolver_match", None)
    if resolver is not None:
        params = set(resolver.kwargs)
    errors: list[dict[str, Any]] = []
    for err in exc.errors:
        field = _field(err.get("loc", ()), params | {"payload", "filters", "query"})
        if not any(e["field"] == field for e in errors):  # one message per field
            errors.append({"field": field, "message": _describe(err, field)})
    first: dict[str, Any] = errors[0] if errors else {"field": None, "message": gettext("请求无效")}
    return _error(request, 400, "invalid", first["message"], first["field"], errors=errors)


@api.exception_handler(WorkOrderError)
def on_workorder_error(request: HttpRequest, exc: WorkOrderError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, exc.message, exc.field)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if exc.message != "Unauthorized":
        message = exc.message
    elif request.path.startswith("/api/channel/"):
        message = gettext("请在 X-Channel-Key 请求头中提供有效的渠道密钥")
    else:
        message = gettext("请先登录，或提供有效的 API 令牌")
    return _error(request, 401, "unauthenticated", message)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.message.startswith("Cannot parse request body"):
        return _error(
            request,
            400,
            "invalid",
            gettext("请求体无法解析：应为 UTF-8 编码的 JSON（Content-Type: application/json）"),
        )
    message = gettext("CSRF 校验失败，请刷新页面后重试") if "CSRF" in exc.message else exc.message
    code = _HTTP_CODES.get(exc.status_code, "error")
    return _error(request, exc.status_code, "csrf" if "CSRF" in exc.message else code, message)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return _error(
        request, 413, "too_large", gettext("请求体超过 {limit} MB 上限").format(limit=limit)
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", gettext("不存在"))
