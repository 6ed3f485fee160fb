"""The dispatch part of the REST API (mounted under /api/ by hotline.api): suggestions for a
text or an order, and hot topics with their warnings. Same rules as the pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from hotline.accounts.api import ApiRequest
from hotline.accounts.models import User
from hotline.workorders.errors import InvalidInput, NotFound, NotPermitted

from .errors import BadParameter
from .hot import hot_topics
from .models import Context
from .repeats import repeats_for
from .selectors import (
    orders_in_region,
    suggestion_accuracy_table,
    suggestion_input,
    visible_regions,
    warnings_for,
)
from .services import suggestion_record
from .suggest import suggest
from .views import HOT_ROLES, PERIODS, SUGGEST_ROLES

router = Router(tags=["智能派单"])


class ChoiceOut(Schema):
    id: int
    name: str
    confidence: float
    # False: `confidence` is a degree of match, not a probability (cold start before the
    # knowledge base has enough entries to calibrate on).
    calibrated: bool
    source: str
    reason: str


class RepeatOut(Schema):
    number: str
    title: str
    status: str
    similarity: float
    same_phone: bool
    same_address: bool


class SuggestOut(Schema):
    model_version: int | None
    categories: list[ChoiceOut]
    units: list[ChoiceOut]
    repeats: list[RepeatOut]


class HotTopicOut(Schema):
    terms: list[str]
    region: str | None
    size: int
    previous: int
    # Growth over the previous period (1.0 = doubled); null for a new topic (`new`).
    trend: float | None
    new: bool
    orders: list[str]


class WarningOut(Schema):
    id: int
    region: str
    period_start: datetime
    period_end: datetime
    terms: list[str]
    size: int
    previous_size: int
    sample_orders: list[str]
    raised_at: datetime
    acknowledged_at: datetime | None


class AccuracyOut(Schema):
    model_version: int | None
    context: str
    suggestions: int
    top1: float
    top3: float


def _check_days(days: int) -> None:
    if days not in PERIODS:
        raise InvalidInput(_("统计周期：只能是 %s 天") % "/".join(map(str, PERIODS)), field="days")


def _stop(end: str) -> datetime:
    """The end of the period: the start of the day after `end` (today by default)."""
    try:
        end_day = datetime.strptime(end, "%Y-%m-%d").date() if end else timezone.localdate()
    except ValueError:
        raise InvalidInput(_("截止日期格式应为 年-月-日"), field="end") from None
    return timezone.make_aware(datetime.combine(end_day + timedelta(days=1), time.min))


def _require(user: User, roles: tuple[str, ...]) -> None:
    if not user.has_role(*roles):
        raise NotPermitted(_("您的角色不能使用此功能"))


@router.get(
    "/dispatch/suggest", response=SuggestOut, summary="派单建议（分类、承办单位、重复诉求）"
)
def api_suggest(
    request: ApiRequest,
    title: str = "",
    content: str = "",
    region: str = "",
    category: str = "",
    request_type: str = "",
    requester_phone: str = "",
    address: str = "",
    order: str = "",
) -> dict[str, Any]:
    _require(request.auth, SUGGEST_ROLES)
    params = {
        "title": title,
        "content": content,
        "region": region,
        "category": category,
        "request_type": request_type,
        "requester_phone": requester_phone,
        "address": address,
        "order": order,
    }
    try:
        data = suggestion_input(user=request.auth, params=params)
    except BadParameter as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    if data.missing_order:
        raise NotFound(_("工单不存在"), field="order")
    result = suggest(
        title=data.title,
        content=data.content,
        region=data.region,
        category=data.category,
        request_type=data.request_type,
    )
    repeats = []
    if data.order is None:
        repeats = repeats_for(
            user=request.auth,
            title=data.title,
            content=data.content,
            phone=data.phone,
            address=data.address,
            region=data.region,
        )
    suggestion_record(user=request.auth, context=Context.API, order=data.order, result=result)

    def choice(c: Any, name: str) -> dict[str, Any]:
        return {
            "id": c.obj.pk,
            "name": name,
            "confidence": round(c.confidence, 4),
            "calibrated": c.calibrated,
            "source": c.source,
            "reason": c.reason,
        }

    return {
        "model_version": result.model_version,
        "categories": [choice(c, c.name) for c in result.categories],
        "units": [choice(u, u.obj.name) for u in result.units],
        "repeats": [
            {
                "number": r.order.number,
                "title": r.order.title,
                "status": r.order.status,
                "similarity": r.similarity,
                "same_phone": r.same_phone,
                "same_address": r.same_address,
            }
            for r in repeats
        ],
    }


@router.get(
    "/dispatch/hot-topics", response=list[HotTopicOut], summary="热点诉求（上升的相似诉求簇）"
)
def api_hot_topics(
    request: ApiRequest, region: str = "", days: int = 7, end: str = ""
) -> list[dict[str, Any]]:
    _require(request.auth, HOT_ROLES)
    _check_days(days)
    stop = _stop(end)
    try:
        _region, orders = orders_in_region(
            user=request.auth, region=region, regions=visible_regions(request.auth)
        )
    except BadParameter as exc:
        raise InvalidInput(exc.message, field=exc.field) from None
    topics = hot_topics(orders=orders, start=stop - timedelta(days=days), end=stop)
    return [
        {
            "terms": t.terms,
            "region": t.region.name if t.region else None,
            "size": t.size,
            "previous": t.previous,
            "trend": round(t.trend, 3) if t.trend is not None else None,
            "new": t.is_new,
            "orders": [o.number for o in t.orders],
        }
        for t in topics
        if t.rising  # hot topics are the rising clusters
    ]


@router.get("/dispatch/hot-topic-warnings", response=list[WarningOut], summary="热点预警")
def api_hot_topic_warnings(request: ApiRequest) -> list[dict[str, Any]]:
    _require(request.auth, HOT_ROLES)
    return [
        {
            "id": w.pk,
            "region": w.region.name,
            "period_start": w.period_start,
            "period_end": w.period_end,
            "terms": w.terms,
            "size": w.size,
            "previous_size": w.previous_size,
            "sample_orders": w.sample_orders,
            "raised_at": w.raised_at,
            "acknowledged_at": w.acknowledged_at,
        }
        for w in warnings_for(request.auth)[:100]
    ]


@router.get(
    "/dispatch/suggestion-accuracy",
    response=list[AccuracyOut],
    summary="派单建议准确率（建议单位与最终承办单位）",
)
def api_suggestion_accuracy(request: ApiRequest, days: int = 30, end: str = "") -> list[Any]:
    """Per model version and place (intake, dispatch, api): suggestions served in the period
    for orders since closed that the caller may see, and the share whose top unit (top1) or
    one of the three (top3) was the unit that finally handled the order."""
    _require(request.auth, HOT_ROLES)
    _check_days(days)
    stop = _stop(end)
    rows = suggestion_accuracy_table(user=request.auth, start=stop - timedelta(days=days), end=stop)
    return [
        {
            "model_version": r.model_version,
            "context": r.context,
            "suggestions": r.suggestions,
            "top1": round(r.top1, 4),
            "top3": round(r.top3, 4),
        }
        for r in rows
    ]
