"""Pages of the dispatch app: the suggestion fragment (intake and the dispatch queue) and the
hot-topic page. Reads of orders go through `visible_to`; an invisible order is a 404."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hotline.accounts.choices import Role
from hotline.accounts.models import User
from hotline.core.suggestions import FIELD as SUGGESTION_FIELD

from .errors import BadParameter
from .models import Context
from .selectors import (
    suggestion_accuracy_table,
    suggestion_input,
    visible_regions,
    warnings_for,
)
from .services import suggestion_record
from .suggest import suggest

SUGGEST_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR)
HOT_ROLES = (Role.SUPERVISOR, Role.ANALYST, Role.DISPATCHER)
PERIODS = (1, 7, 30)


class AuthedRequest(HttpRequest):
    user: User


def _require(user: User, roles: tuple[str, ...]) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied(_("仅热线工作人员可使用"))


@require_http_methods(["GET", "POST"])
@login_required
def suggest_fragment(request: AuthedRequest) -> HttpResponse:
    """Top-3 categories and units as an HTML fragment. (Likely repeats at intake are the
    desk's own list, `intake.desk.repeats`, through the same `repeats.repeats_for`.)"""
    _require(request.user, SUGGEST_ROLES)
    try:
        # The agent desk posts the caller's words (kept out of URLs and logs); the dispatch
        # desk asks by order number.
        params = request.POST if request.method == "POST" else request.GET
        data = suggestion_input(user=request.user, params=params)
    except BadParameter as exc:
        return HttpResponseBadRequest(exc.message)
    if data.order is None and data.missing_order:
        raise Http404
    result = suggest(
        title=data.title,
        content=data.content,
        region=data.region,
        category=data.category,
        request_type=data.request_type,
    )
    record = suggestion_record(
        user=request.user,
        context=Context.DISPATCH if data.order else Context.INTAKE,
        order=data.order,
        result=result,
        replaces=params.get(SUGGESTION_FIELD, ""),
    )
    return render(
        request,
        "dispatch/suggest.html",
        {
            "result": result,
            "order": data.order,
            "data": data,
            "record": record,
            "record_field": SUGGESTION_FIELD,
        },
    )


def _period(request: HttpRequest) -> tuple[datetime, datetime, int, str]:
    try:
        days = int(request.GET.get("days", "7"))
    except ValueError:
        days = 7
    days = days if days in PERIODS else 7
    raw_end = request.GET.get("end", "")
    try:
        end_day = datetime.strptime(raw_end, "%Y-%m-%d").date() if raw_end else None
    except ValueError:
        raise BadParameter("end", _("截止日期格式应为 年-月-日")) from None
    end_day = end_day or timezone.localdate()
    end = timezone.make_aware(datetime.combine(end_day + timedelta(days=1), time.min))
    return end - timedelta(days=days), end, days, end_day.isoformat()


@require_GET
@login_required
def hot_topics_page(request: AuthedRequest) -> HttpResponse:
    """Hot topics of a region and period against the period before, the warnings raised, and
    how often the suggestions served in the period named the unit that finally handled the
    order (per model version and place)."""
    from .hot import hot_topics
    from .selectors import orders_in_region

    _require(request.user, HOT_ROLES)
    regions = visible_regions(request.user)
    try:
        start, end, days, end_text = _period(request)
        region, orders = orders_in_region(
            user=request.user, region=request.GET.get("region", ""), regions=regions
        )
    except BadParameter as exc:
        return HttpResponseBadRequest(exc.message)
    clusters = hot_topics(orders=orders, start=start, end=end)
    # Hot topics are the rising clusters; the others are only counted.
    topics = [t for t in clusters if t.rising]
    warnings = warnings_for(request.user)[:20]
    accuracy = suggestion_accuracy_table(user=request.user, start=start, end=end)
    return render(
        request,
        "dispatch/hot_topics.html",
        {
            "topics": topics,
            "not_rising": len(clusters) - len(topics),
            "accuracy": accuracy,
            "warnings": warnings,
            "regions": regions,
            "region": region,
            "days": days,
            "periods": PERIODS,
            "end": end_text,
            "start": start,
            "can_acknowledge": request.user.has_role(Role.SUPERVISOR),
        },
    )


@require_POST
@login_required
def warning_acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    """A supervisor confirms a hot-topic warning has been seen (recorded, shown on the page)."""
    from .services import hot_topic_warning_acknowledge

    _require(request.user, (Role.SUPERVISOR,))
    warning = get_object_or_404(warnings_for(request.user), pk=pk)
    hot_topic_warning_acknowledge(warning=warning, user=request.user)
    return redirect("dispatch_hot_topics")
