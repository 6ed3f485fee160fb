"""The GeoReport v2 endpoints. Every one answers in .xml and .json; errors are the spec's
`errors[]` with 400 (bad input), 403 (api_key), 404 (unknown id or code)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from email import policy as email_policy
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from hotline.catalog.models import Category
from hotline.workorders.choices import TERMINAL
from hotline.workorders.errors import WorkOrderError
from hotline.workorders.models import WorkOrder
from hotline.workorders.refcache import RefCache

from ..channel_auth import channel_for_key, over_rate_limit
from ..channel_services import Submission, channel_submit
from ..models import ChannelRequest, Operation
from ..portal_selectors import requester_notes
from .attributes import (
    BadAttributeKey,
    categories_with_fields,
    definition_attributes,
    form_attributes,
)
from .public import (
    RegionNames,
    coarse,
    public_address,
    public_description,
    public_media_url,
    public_status_notes,
)
from .render import error, respond

SPEC = "http://wiki.open311.org/GeoReport_v2"
# When this API's behaviour last changed (discovery's changeset).
CHANGESET = "2026-11-22T00:00:00+08:00"
DEFAULT_WINDOW = timedelta(days=90)
# The W3C note's complete date plus hours and minutes (and seconds, and a fraction) with the
# offset, which is what GeoReport v2 requires of every date-time.
W3C_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
)
MAX_RESULTS = 1000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FIELDS = 100
# The order's fields a registration error may name, as the Open311 parameters they came from.
OPEN311_PARAMETERS = {
    "requester_phone": "phone",
    "is_anonymous": "phone",
    "requester_name": "last_name",
    "content": "description",
    "title": "description",
    "address": "address_string",
    "category": "service_code",
}
_services = RefCache(Category)


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _iso(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _service_code(category: Category) -> str:
    return category.code or str(category.pk)


def _leaf_services() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).exclude(children__is_active=True)


def _find_service(code: str) -> Category | None:
    services = _leaf_services()
    found = services.filter(code=code).first()
    if found is None and code.isdigit():
        found = services.filter(pk=int(code), code="").first()
    return found


def _service(code: str) -> Category:
    # Every POST names its service: looked up once per process and TTL (refcache), as the
    # registration looks up its category.
    found = _services.get(code, lambda: _find_service(code))
    if found is None:
        raise Open311Error(404, _("service_code「{code}」不存在").format(code=code))
    return found


def _methods(*allowed: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Django's require_http_methods, answering in the spec's errors[] (in the resource's
    format) instead of an empty text/html 405."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, **kwargs: str) -> HttpResponse:
            if request.method not in allowed:
                response = error(
                    kwargs.get("fmt", "json"),
                    405,
                    _("不支持 {method} 请求，此资源只接受 {allowed}").format(
                        method=(request.method or "")[:20], allowed=" / ".join(allowed)
                    ),
                )
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, **kwargs)

        return wrapped

    return decorate


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /open311/v2/: an unknown resource, or a format other than .xml and
    .json. The spec names no behaviour for an unknown format; the answer is JSON."""
    return error(
        "json",
        404,
        _(
            "资源「{path}」不存在：资源为 discovery、services、requests、tokens，格式为 .xml 或 .json"
        ).format(path=path[:80]),
    )


def _no_nul(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A NUL in the path or the query string is bad input (400): PostgreSQL cannot even compare
    a text column with a parameter that holds one."""

    @wraps(view)
    def wrapped(request: HttpRequest, **kwargs: str) -> HttpResponse:
        values = [*kwargs.values(), *request.GET.keys()]
        values += [v for vs in request.GET.lists() for v in vs[1]]
        if any("\x00" in v for v in values):
            return error(kwargs.get("fmt", "json"), 400, _("请求含有不允许的控制字符（NUL）"))
        return view(request, **kwargs)

    return wrapped


# --- discovery and services -------------------------------------------------------------


@_methods("GET")
@_no_nul
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": _("12345 政务服务便民热线"),
            "key_service": _("接入密钥（api_key）请向热线中心申请"),
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _service_row(
    category: Category, groups: dict[int, str], with_fields: set[int]
) -> dict[str, Any]:
    root_id = category.ancestor_ids()[0]
    return {
        "service_code": _service_code(category),
        "service_name": category.name,
        "description": category.full_name,
        # True: the category has extra fields; the client reads them from the definition.
        "metadata": category.pk in with_fields,
        "type": "realtime",
        "keywords": "",
        "group": groups.get(root_id, category.name),
    }


@_methods("GET")
@_no_nul
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    leaves = list(_leaf_services().order_by("path"))
    roots = {c.ancestor_ids()[0] for c in leaves}
    groups = dict(Category.objects.filter(pk__in=roots).values_list("pk", "name"))
    with_fields = categories_with_fields(leaves)
    return respond(fmt, "services", [_service_row(c, groups, with_fields) for c in leaves])


@_methods("GET")
@_no_nul
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    try:
        category = _service(code)
    except Open311Error as e:
        return error(fmt, e.status, e.description)
    return respond(
        fmt,
        "service_definition",
        {"service_code": _service_code(category), "attributes": definition_attributes(category)},
    )


# --- service requests -------------------------------------------------------------------


def _public_orders() -> QuerySet[WorkOrder]:
    # Public data: confidential requests are left out entirely; requester fields never appear.
    return WorkOrder.objects.filter(is_confidential=False).select_related(
        "category", "lead_unit", "channel_request"
    )


def _latest_notes(orders: list[WorkOrder]) -> dict[int, str]:
    """status_notes of each order: what its requester may read, by the portal's rule
    (`requester_notes`: the accepted answer, a transfer's note, never a dispatcher's or a unit's
    internal note), published as the city's privacy setting allows (`public_status_notes`)."""
    by_pk = {order.pk: order for order in orders}
    return {
        pk: public_status_notes(note, by_pk[pk]) for pk, note in requester_notes(orders).items()
    }


def _request_row(order: WorkOrder, notes: dict[int, str], regions: RegionNames) -> dict[str, Any]:
    """One request as published: nothing about the requester (see public.py)."""
    req: ChannelRequest | None = getattr(order, "channel_request", None)
    closed = order.status in TERMINAL
    return {
        "service_request_id": order.number,
        "status": "closed" if closed else "open",
        "status_notes": notes.get(order.pk, ""),
        "service_name": order.category.name if order.category else "",
        "service_code": _service_code(order.category) if order.category else "",
        "description": public_description(order),
        "agency_responsible": order.lead_unit.name if order.lead_unit else "",
        "service_notice": "",
        "requested_datetime": _iso(order.created_at),
        "updated_datetime": _iso(order.updated_at),
        "expected_datetime": _iso(order.reply_due_at),
        "address": public_address(order, regions),
        "address_id": "",
        "zipcode": "",
        "lat": coarse(req.lat) if req is not None else "",
        "long": coarse(req.long) if req is not None else "",
        "media_url": public_media_url(req),
    }


def _datetime(request: HttpRequest, name: str) -> datetime | None:
    """A date-time as the spec asks: the W3C profile of ISO 8601 with the time and the offset
    (`2026-11-05T08:15:30+08:00`, `2026-11-05T00:15:30Z`). A date alone, or a time without
    an offset, is refused: which day or hour the client means would be a guess."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw) if W3C_DATETIME.match(raw) else None
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400,
            _(
                "{name} 应为 ISO 8601 日期时间（如 2026-11-05T08:15:30+08:00），收到「{raw}」"
            ).format(name=name, raw=raw[:50]),
        )
    return value


def _positive(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Open311Error(400, _("{name} 应为正整数").format(name=name))
    return min(int(raw), maximum)


def _filtered(request: HttpRequest) -> QuerySet[WorkOrder]:
    orders = _public_orders()
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        # The spec: with ids, every other parameter is ignored.
        return orders.filter(number__in=ids[:MAX_RESULTS])
    codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
    if codes:
        try:
            orders = orders.filter(category__in=[_service(c) for c in codes])
        except Open311Error as e:  # a bad filter is bad input, not a missing resource
            raise Open311Error(400, e.description) from None
    statuses = {s.strip() for s in request.GET.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed（可用逗号分隔）"))
    if statuses == {"open"}:
        orders = orders.exclude(status__in=TERMINAL)
    elif statuses == {"closed"}:
        orders = orders.filter(status__in=TERMINAL)
    start, end = _datetime(request, "start_date"), _datetime(request, "end_date")
    if start and end and start > end:
        raise Open311Error(400, _("start_date 不能晚于 end_date"))
    if start and end and end - start > DEFAULT_WINDOW:
        raise Open311Error(400, _("start_date 与 end_date 的间隔不能超过 90 天"))
    # The spec's window: at most 90 days; one date alone opens 90 days from it (start_date
    # forward, end_date back); no date at all, the last 90 days.
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        assert end is not None
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    orders = orders.filter(created_at__gte=start, created_at__lte=end)
    after, before = _datetime(request, "updated_after"), _datetime(request, "updated_before")
    if after:
        orders = orders.filter(updated_at__gt=after)
    if before:
        orders = orders.filter(updated_at__lt=before)
    return orders


@_methods("GET")
@_no_nul
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        orders = _filtered(request)
        page = _positive(request, "page", 1, 10**6)
        size = _positive(request, "page_size", MAX_RESULTS, MAX_RESULTS)
    except Open311Error as e:
        return error(fmt, e.status, e.description)
    rows = list(orders.order_by("-created_at", "-id")[(page - 1) * size : page * size])
    notes, regions = _latest_notes(rows), RegionNames()
    return respond(fmt, "service_requests", [_request_row(o, notes, regions) for o in rows])


@_methods("GET")
@_no_nul
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    order = _public_orders().filter(number=request_id).first()
    if order is None:
        return error(fmt, 404, _("service_request_id「{id}」不存在").format(id=request_id[:30]))
    row = _request_row(order, _latest_notes([order]), RegionNames())
    return respond(fmt, "service_requests", [row])


@_methods("GET")
@_no_nul
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    req = ChannelRequest.objects.select_related("order").filter(token=token).first()
    if req is None:
        return error(fmt, 404, _("token「{token}」不存在").format(token=token[:40]))
    number = req.order.number if req.order else ""
    return respond(fmt, "service_requests", [{"service_request_id": number, "token": req.token}])


# --- POST requests ----------------------------------------------------------------------


def _coordinate(value: str, name: str, limit: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Open311Error(400, _("{name} 应为数字").format(name=name)) from None
    if not number.is_finite() or abs(number) > limit:
        raise Open311Error(400, _("{name} 超出范围").format(name=name))
    return number.quantize(Decimal("0.000001"))


def _multipart_pairs(request: HttpRequest) -> list[tuple[str, str]]:
    """The text fields of a multipart/form-data body, decoded strictly: Django's multipart
    parser, like its form parser, puts replacement characters in place of bytes that are not
    UTF-8. The standard library's MIME parser gives each part's bytes as sent. File parts are
    ignored, as before (Open311 takes a `media_url`, not an upload)."""
    head = "Content-Type: " + request.META.get("CONTENT_TYPE", "") + "\r\n\r\n"
    message = BytesParser(policy=email_policy.HTTP).parsebytes(
        head.encode("latin-1", "replace") + request.body
    )
    if not message.is_multipart():
        raise Open311Error(400, _("multipart/form-data 请求体格式不正确（缺少分隔符或分段）"))
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        if part.get_filename() is not None:
            continue
        name = collapse_rfc2231_value(part.get_param("name", "", header="content-disposition"))
        if "\ufffd" in name:  # the header's bytes were not UTF-8
            raise Open311Error(400, _("请求体不是有效的 UTF-8 编码"))
        payload = part.get_payload(decode=True)
        value = payload.decode("utf-8") if isinstance(payload, bytes) else ""
        pairs.append((name, value))
        if len(pairs) > MAX_FIELDS:
            raise ValueError("too many fields")
    return pairs


def _form(request: HttpRequest) -> list[tuple[str, str]]:
    """The form's (name, value) pairs, repeated names kept (attribute[CODE][] of a list)."""
    content_type = request.content_type or ""
    if content_type not in FORM_TYPES:
        raise Open311Error(
            400,
            _("请求体应为表单（application/x-www-form-urlencoded），收到「{ct}」").format(
                ct=content_type[:60] or "-"
            ),
        )
    try:
        if content_type == FORM_TYPES[0]:
            # Decoded strictly, raw and percent-escaped bytes alike: Django's parser would put
            # replacement characters in place of bad bytes and hide the bad input.
            pairs = parse_qsl(
                request.body.decode("utf-8"),
                keep_blank_values=True,
                encoding="utf-8",
                errors="strict",
                max_num_fields=MAX_FIELDS,
            )
        else:
            pairs = _multipart_pairs(request)
    except RequestDataTooBig:
        raise Open311Error(413, _("请求体过大")) from None
    except UnicodeDecodeError:
        raise Open311Error(400, _("请求体不是有效的 UTF-8 编码")) from None
    except ValueError:
        raise Open311Error(400, _("表单字段过多")) from None
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:  # PostgreSQL cannot store NUL; nobody types one
            raise Open311Error(
                400, _("{key} 含有不允许的控制字符（NUL）").format(key=key.replace("\x00", ""))
            )
    return pairs


def _metadata(form: dict[str, str]) -> dict[str, str]:
    """The spec's parameters the order has no field for, checked and kept with the channel
    request: `email` (a valid address), `media_url` (an http(s) URL of the photo), `device_id`
    and `account_id` (the client's own identifiers)."""
    kept: dict[str, str] = {}
    email = form.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(
                400, _("email「{email}」格式不正确").format(email=email[:60])
            ) from None
        kept["email"] = email
    media_url = form.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(
                400, _("media_url 应为 http(s) 网址，收到「{url}」").format(url=media_url[:60])
            ) from None
        if len(media_url) > 500:
            raise Open311Error(400, _("media_url 不能超过 500 个字符"))
        kept["media_url"] = media_url
    for name in ("device_id", "account_id"):
        value = form.get(name, "").strip()
        if len(value) > 100:
            raise Open311Error(400, _("{name} 不能超过 100 个字符").format(name=name))
        if value:
            kept[name] = value
    return kept


def _submission(pairs: list[tuple[str, str]]) -> tuple[Submission, Category]:
    form = dict(pairs)
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code"))
    try:
        category = _service(code)
    except Open311Error:
        raise Open311Error(400, _("service_code「{code}」不存在").format(code=code[:40])) from None
    try:
        # Checked (required, datatype, list keys) with the order, by workorder_register.
        attributes = form_attributes(pairs)
    except BadAttributeKey as e:
        raise Open311Error(400, str(e)) from None
    lat_raw, long_raw = form.get("lat", "").strip(), form.get("long", "").strip()
    address = form.get("address_string", "").strip()
    address_id = form.get("address_id", "").strip()
    if bool(lat_raw) != bool(long_raw):
        raise Open311Error(400, _("lat 与 long 须同时提供"))
    if not (lat_raw or address or address_id):
        raise Open311Error(400, _("缺少位置：请提供 lat 与 long，或 address_string，或 address_id"))
    description = form.get("description", "").strip()
    if not description:
        raise Open311Error(400, _("缺少 description（诉求内容）"))
    lat = _coordinate(lat_raw, "lat", 90) if lat_raw else None
    long = _coordinate(long_raw, "long", 180) if long_raw else None
    phone = form.get("phone", "").strip()
    name = (form.get("last_name", "").strip() + form.get("first_name", "").strip())[:50]
    metadata = _metadata(form)
    where = address or address_id or f"{lat},{long}"
    fields = {
        "title": (category.name + "：" + description.splitlines()[0])[:60],
        "content": description,
        "category": category.pk,
        "address": where[:200],
        "requester_name": name,
        "requester_phone": phone,
        # Open311 clients often send no phone: such a request is taken in as anonymous.
        "is_anonymous": not phone,
        "attributes": attributes,
    }
    return Submission(fields=fields, lat=lat, long=long, metadata=metadata), category


@csrf_exempt
@_methods("GET", "POST")
@_no_nul
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return request_list(request, fmt=fmt)
    try:
        pairs = _form(request)
        channel = channel_for_key(dict(pairs).get("api_key", ""))
        if channel is None or not channel.allows(Operation.CREATE):
            raise Open311Error(403, _("api_key 无效或未获准提交诉求"))
        if over_rate_limit(channel):
            raise Open311Error(429, _("请求过于频繁"))
        submission, _category = _submission(pairs)
        req, created = channel_submit(
            channel=channel,
            submission=submission,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
    except Open311Error as e:
        return error(fmt, e.status, e.description)
    except WorkOrderError as e:
        # Named as the client sent it: `phone`, not the order's `requester_phone`.
        name = OPEN311_PARAMETERS.get(e.field, e.field) if e.field else ""
        return error(fmt, e.http_status, f"{name}: {e.message}" if name else e.message)
    number = req.order.number if req.order else ""
    row = {"service_request_id": number, "token": req.token, "service_notice": "", "account_id": ""}
    if created:
        return respond(fmt, "service_requests", [row], status=201)
    # A retry with the same Idempotency-Key: the first answer, as on the channel API.
    replayed = respond(fmt, "service_requests", [row], status=200)
    replayed["Idempotent-Replayed"] = "true"
    return replayed
