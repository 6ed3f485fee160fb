"""The REST API root: /api/, OpenAPI docs at /api/docs.

Every endpoint takes a bearer token (systems) or the browser session (with CSRF); every error
has one shape: {"code", "message" (Chinese, names the problem), "field" (or null)}."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from hotline.accounts.api import AUTH
from hotline.accounts.api import router as accounts_router
from hotline.catalog.api import router as catalog_router
from hotline.workorders.api import router as workorders_router
from hotline.workorders.errors import WorkOrderError


class UTF8JSONRenderer(JSONRenderer):
    """Chinese text as UTF-8 rather than \\u escapes: readable in logs and half the bytes."""

    json_dumps_params = {"ensure_ascii": False}


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

# Chinese names of input fields, for error messages that name the field.
FIELD_LABELS: dict[str, str] = {
    "channel": "渠道",
    "request_type": "诉求类型",
    "urgency": "紧急程度",
    "category": "诉求分类",
    "region": "区划",
    "title": "标题",
    "content": "诉求内容",
    "address": "地址",
    "requester_name": "诉求人姓名",
    "requester_phone": "联系电话",
    "requester_id_number": "证件号码",
    "is_anonymous": "是否匿名",
    "is_confidential": "是否保密",
    "note": "说明",
    "expected_version": "版本号",
    "lead_unit": "主办单位",
    "assisting_units": "协办单位",
    "legal_basis": "退单依据",
    "days": "延期天数",
    "level": "督办级别",
    "rating": "评价",
    "solved": "是否解决",
    "master": "主单编号",
    "target": "转出去向",
    "other": "关联工单编号",
    "status": "状态",
    "sort": "排序",
    "cursor": "翻页游标",
    "size": "每页条数",
    "created_from": "起始日期",
    "created_to": "截止日期",
    "unit": "承办单位",
    "phone": "电话",
    "open_only": "仅未办结",
    "file": "文件",
    "reason": "查看理由",
    "username": "用户名",
    "password": "密码",
    "name": "用途",
    "parent": "上级",
    "q": "关键词",
}


# Where ninja puts a parameter; the rest of `loc` leads to the field.
_SOURCES = frozenset({"body", "query", "path", "form", "file", "header", "cookie"})
_TYPE_TAGS = frozenset({"int", "str", "float", "bool"})
_BOUNDS = {"ge": "不小于", "le": "不大于", "gt": "大于", "lt": "小于"}
_HTTP_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "not_allowed"}


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
    label = FIELD_LABELS.get(name, name or "请求")
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    if "message" in err:  # raised by an endpoint with its own wording
        return str(err["message"])
    if kind == "missing":
        return f"请填写{label}（{field}）"
    if kind == "string_too_long":
        return f"{label}不能超过 {ctx.get('max_length')} 字"
    if kind == "string_too_short":
        return f"请填写{label}（{field}）"
    if kind == "string_pattern_mismatch":
        return f"{label}格式不正确"
    if kind.startswith("bool"):
        return f"{label}应为 true 或 false"
    if kind.startswith("int") or kind == "float_parsing":
        return f"{label}应为整数"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        text = "，".join(f"{_BOUNDS[k]} {v}" for k, v in ctx.items() if k in _BOUNDS)
        return f"{label}应{text}"
    if kind == "enum" or kind == "literal_error":
        return f"{label}应为 {ctx.get('expected', '')} 之一"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{label}应为日期（YYYY-MM-DD）"
    if kind in ("list_type", "string_type", "dict_type", "model_type", "model_attributes_type"):
        return f"{label}类型不正确"
    if kind == "json_invalid":
        return "请求体不是有效的 JSON"
    return f"{label}无效：{err.get('msg', '')}"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # 400 (not ninja's 422): one convention for every bad input, from the schema or the service.
    params: set[str] = set()
    resolver = getattr(request, "resolver_match", None)
    if resolver is not None:
        params = set(resolver.kwargs)
    errors: list[dict[str, Any]] = []
    for err in exc.errors:
        field = _field(err.get("loc", ()), params | {"payload", "filters", "query"})
        if not any(e["field"] == field for e in errors):  # one message per field
            errors.append({"field": field, "message": _describe(err, field)})
    first: dict[str, Any] = errors[0] if errors else {"field": None, "message": "请求无效"}
    return _error(request, 400, "invalid", first["message"], first["field"], errors=errors)


@api.exception_handler(WorkOrderError)
def on_workorder_error(request: HttpRequest, exc: WorkOrderError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, exc.message, exc.field)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else "请先登录，或提供有效的 API 令牌"
    return _error(request, 401, "unauthenticated", message)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.message.startswith("Cannot parse request body"):
        return _error(
            request,
            400,
            "invalid",
            "请求体无法解析：应为 UTF-8 编码的 JSON（Content-Type: application/json）",
        )
    message = "CSRF 校验失败，请刷新页面后重试" if "CSRF" in exc.message else exc.message
    code = _HTTP_CODES.get(exc.status_code, "error")
    return _error(request, exc.status_code, "csrf" if "CSRF" in exc.message else code, message)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    return _error(request, 413, "too_large", f"请求体超过 {limit} MB 上限")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "不存在")
