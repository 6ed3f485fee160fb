"""Pages of the citizen portal (市民端): submit a request, check its progress, rate the answer.

No login: the requester proves an order is theirs with its number (or query code) and their
phone, and the query code again to rate it. Every write goes through `portal_services` (and so
through the work-order services); every POST is rate-limited per IP and per phone.

Settings (read here, with these defaults):
- PORTAL_RATE_LIMITS: {"submit": {"ip": "20/h", "phone": "5/h"}, "check": {"ip": "60/h",
  "phone": "30/h"}, "rate": {"ip": "20/h", "phone": "10/h"}} (django-ratelimit rates; a key
  left out keeps its default);
- PORTAL_MIN_FILL_SECONDS: 3 (a submission sent sooner after the form was shown is refused).
The counters live in the default cache, which every process shares (database or Redis).

A category (optional) brings its extra fields (附加信息) into the form: the page's script fetches
them (`portal_category_fields`) when the choice changes; without script the 选择类别 button posts
the form back, which shows them with everything typed so far and writes nothing."""

from __future__ import annotations

import hmac
import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import get_usage

from hotline.workorders.errors import WorkOrderError

from .desk_fields import field_inputs
from .portal_forms import PortalCheckForm, PortalRateForm, PortalSubmitForm
from .portal_selectors import phone_digits, portal_order_find, portal_progress
from .portal_services import portal_rate, portal_submit

DEFAULT_RATES = {
    "submit": {"ip": "20/h", "phone": "5/h"},
    "check": {"ip": "60/h", "phone": "30/h"},
    "rate": {"ip": "20/h", "phone": "10/h"},
}
SESSION_SUBMITTED = "portal_submitted"
# The name of the 选择类别 button: the form comes back with the category's fields, unchecked.
CHOOSE_CATEGORY = "choose_category"
# Service errors name the order's field; the form calls some of them differently.
FORM_FIELD = {"requester_phone": "phone", "requester_name": "name"}


def _rate(action: str, key: str) -> str:
    configured = getattr(settings, "PORTAL_RATE_LIMITS", {}).get(action, {})
    return str(configured.get(key, DEFAULT_RATES[action][key]))


def _limited(request: HttpRequest, action: str) -> HttpResponse | None:
    """Count this attempt per IP and per phone; a 429 page if either is over its limit.

    Every attempt counts, valid or not: guessing a number and phone pair is what the limit
    is there to stop."""
    phone = phone_digits(str(request.POST.get("phone", "")))
    keys: list[tuple[str, Any]] = [("ip", "ip")]
    if phone:
        keys.append(("phone", lambda group, req: phone))
    wait = 0
    for name, key in keys:
        usage = get_usage(
            request,
            group=f"portal.{action}.{name}",
            key=key,
            rate=_rate(action, name),
            method="POST",
            increment=True,
        )
        if usage and usage["should_limit"]:
            wait = max(wait, usage["time_left"])
    if not wait:
        return None
    minutes = max(1, math.ceil(wait / 60))
    message = _("操作过于频繁，请 {minutes} 分钟后再试。如有急事请拨打 12345。").format(
        minutes=minutes
    )
    response = render(request, "intake/portal/limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(max(1, wait))
    return response


def _service_error(form: Any, exc: WorkOrderError) -> None:
    field = FORM_FIELD.get(exc.field or "", exc.field)
    if field and field.startswith("attribute["):
        # An extra field's answer: the message goes beside that field, as on the agent desk.
        form.attribute_error = (field[len("attribute[") :].rstrip("]"), exc.message)
        form.add_error(None, _("请按提示填写附加信息"))
        return
    form.add_error(field if field in form.fields else None, exc.message)


def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/portal/home.html")


def _submit_page(
    request: HttpRequest, form: PortalSubmitForm, *, status: int = 200
) -> HttpResponse:
    """The form, with the chosen category's extra fields filled from what was posted."""
    raw = form["category"].value()
    posted = request.POST if request.method == "POST" else None
    code, message = form.attribute_error
    context = {
        "form": form,
        "inputs": field_inputs(raw, posted),
        "error_code": code,
        "error": message,
    }
    return render(request, "intake/portal/submit.html", context, status=status)


def _chosen(request: HttpRequest) -> PortalSubmitForm:
    """The form as posted, unchecked: the 选择类别 step shows no errors yet."""
    post = request.POST
    names = [n for n in PortalSubmitForm.base_fields if n != "website"]
    return PortalSubmitForm(initial={n: post.get(n) for n in names if post.get(n) is not None})


@never_cache
@require_http_methods(["GET", "POST"])
def portal_submit_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _submit_page(request, PortalSubmitForm())
    if CHOOSE_CATEGORY in request.POST:
        return _submit_page(request, _chosen(request))
    if limited := _limited(request, "submit"):
        return limited
    form = PortalSubmitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = portal_submit(
                request_type=data["request_type"],
                content=data["content"],
                address=data["address"],
                region=data["region"],
                phone=data["phone"],
                name=data["name"],
                title=data["title"],
                is_confidential=data["is_confidential"],
                category=data["category"],
                attributes=data["attributes"],
            )
        except WorkOrderError as exc:
            _service_error(form, exc)
        else:
            # Kept in the session so a reload of the next page still shows them.
            request.session[SESSION_SUBMITTED] = {
                "number": order.number,
                "query_code": order.query_code,
            }
            return redirect("portal_done")
    return _submit_page(request, form, status=400)


@require_GET
def portal_category_fields(request: HttpRequest) -> HttpResponse:
    """The extra fields of a category, for the page's script to put in the form."""
    inputs = field_inputs(request.GET.get("category", "")[:12], None)
    return render(request, "intake/_category_fields.html", {"inputs": inputs})


@never_cache
def portal_done(request: HttpRequest) -> HttpResponse:
    submitted = request.session.get(SESSION_SUBMITTED)
    if not submitted:
        return redirect("portal_home")
    return render(request, "intake/portal/done.html", {"submitted": submitted})


@never_cache
@require_http_methods(["GET", "POST"])
def portal_check(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "intake/portal/check.html", {"form": PortalCheckForm()})
    if limited := _limited(request, "check"):
        return limited
    form = PortalCheckForm(request.POST)
    if form.is_valid():
        ref, phone = form.cleaned_data["ref"].strip(), form.cleaned_data["phone"]
        order = portal_order_find(ref=ref, phone=phone)
        if order is not None:
            return _progress_page(request, order, phone=phone, code=ref if len(ref) == 6 else "")
        form.add_error(None, _("没有找到与该编号（或查询码）和电话相符的工单，请核对后重试"))
    return render(request, "intake/portal/check.html", {"form": form}, status=404)


def _progress_page(
    request: HttpRequest,
    order: Any,
    *,
    phone: str,
    code: str = "",
    rate_form: PortalRateForm | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    progress = portal_progress(order)
    if rate_form is None and progress.may_rate:
        rate_form = PortalRateForm(
            initial={"number": order.number, "phone": phone, "query_code": code}
        )
    context = {"progress": progress, "rate_form": rate_form, "message": message}
    return render(request, "intake/portal/progress.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def portal_rate_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = PortalRateForm(initial={"number": request.GET.get("number", "")[:20]})
        return render(request, "intake/portal/rate.html", {"form": form})
    if limited := _limited(request, "rate"):
        return limited
    form = PortalRateForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/portal/rate.html", {"form": form}, status=400)
    data = form.cleaned_data
    order = portal_order_find(ref=data["number"], phone=data["phone"])
    if order is None or not hmac.compare_digest(order.query_code, data["query_code"]):
        form.add_error(None, _("工单编号、联系电话或查询码不正确，请核对后重试"))
        return render(request, "intake/portal/rate.html", {"form": form}, status=404)
    try:
        portal_rate(order=order, rating=data["rating"], solved=data["solved"])
    except WorkOrderError as exc:
        return _progress_page(
            request, order, phone=data["phone"], message=exc.message, status=exc.http_status
        )
    order.refresh_from_db()
    return _progress_page(request, order, phone=data["phone"], message=_("感谢您的评价！"))
