"""The agent's intake desk (话务受理): one screen to take a call down while the caller talks, and
the htmx fragments that fill it (caller history, category type-ahead, repeat warning).

Views stay thin: reads through `intake.selectors` / `workorders.selectors` (so `visible_to`),
writes through `intake.services`. Only agents at a hotline centre may use any of it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hotline.accounts.models import Region, Unit, User
from hotline.accounts.selectors import agent_centre
from hotline.catalog.models import Category
from hotline.core.repeats import find_repeats
from hotline.core.suggestions import FIELD as SUGGESTION_FIELD
from hotline.core.suggestions import link_suggestion
from hotline.knowledge.services import knowledge_use_record
from hotline.workorders.errors import WorkOrderError
from hotline.workorders.models import WorkOrder
from hotline.workorders.selectors import workorders_by_phone
from hotline.workorders.services import PHONE_RE

from .forms import IntakeForm
from .selectors import agent_orders_today, category_search
from .services import Decision, intake_register

HISTORY_SIZE = 10
# The session key holding the number of the order just taken, shown once after the redirect.
LAST_KEY = "intake_last_order"


class DeskRequest(HttpRequest):
    user: User
    centre: Unit


View = Callable[..., HttpResponse]


def agent_desk(view: View) -> View:
    """Signed in, and an agent at a hotline centre; anyone else gets the 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request: DeskRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        centre = agent_centre(request.user)
        if centre is None:
            return render(request, "intake/desk_forbidden.html", status=403)
        request.centre = centre
        return view(request, *args, **kwargs)

    return wrapper


def _phone(raw: str) -> str:
    """The number as the service stores it; empty unless it is a complete number."""
    phone = "".join(ch for ch in raw or "" if ch not in " ()（）")
    return phone if PHONE_RE.match(phone) else ""


def _last_order(request: DeskRequest) -> WorkOrder | None:
    number = request.session.pop(LAST_KEY, None)
    if not number:
        return None
    return (
        WorkOrder.objects.visible_to(request.user)
        .filter(number=number, registered_by=request.user)
        .select_related("master")
        .first()
    )


def _render_desk(
    request: DeskRequest, form: IntakeForm, *, status: int = 200, error: str = ""
) -> HttpResponse:
    category = None
    raw = form["category"].value()
    if raw and str(raw).isdigit():
        category = Category.objects.filter(pk=int(raw), is_active=True).first()
    context = {
        "form": form,
        "error": error,
        "last": _last_order(request) if request.method == "GET" else None,
        "today": agent_orders_today(user=request.user),
        "category_name": category.full_name if category else "",
    }
    return render(request, "intake/desk.html", context, status=status)


@agent_desk
@require_http_methods(["GET", "POST"])
def desk(request: DeskRequest) -> HttpResponse:
    """GET: an empty form. POST: take the call down (转派单, 直接办结 or 登记并并入)."""
    if request.method == "GET":
        return _render_desk(request, IntakeForm(centre=request.centre))
    form = IntakeForm(request.POST, centre=request.centre)
    if not form.is_valid():
        return _render_desk(request, form, status=400)
    master = request.POST.get("merge_into", "").strip()
    decision = Decision.MERGE if master else request.POST.get("decision", Decision.DISPATCH)
    try:
        order = intake_register(
            actor=request.user, decision=decision, master=master, **form.service_fields()
        )
    except WorkOrderError as e:
        if e.field and e.field in form.fields:
            form.add_error(e.field, e.message)
            return _render_desk(request, form, status=e.http_status)
        if e.field and e.field.startswith("attribute["):
            # An extra field's answer: the message goes beside that field, which gets the focus.
            form.attribute_error = (e.field[len("attribute[") :].rstrip("]"), e.message)
            return _render_desk(request, form, status=e.http_status)
        return _render_desk(request, form, status=e.http_status, error=e.message)
    if decision == Decision.RESOLVE:
        # Answered from the knowledge card (采用答复): the entry's use, with the version read.
        knowledge_use_record(
            actor=request.user, entry_id=request.POST.get("knowledge_entry", ""), order=order
        )
    # The dispatch suggestion shown for this call, kept with the order to measure it later.
    link_suggestion(user=request.user, served=request.POST.get(SUGGESTION_FIELD, ""), order=order)
    # Post/redirect/get: the next call starts on a clean form; the number is shown once.
    request.session[LAST_KEY] = order.number
    return redirect("desk_agent")


def _params(request: HttpRequest) -> QueryDict:
    """A fragment's input: the posted form (the desk), or the query string (links, tests)."""
    return request.POST if request.method == "POST" else request.GET


@agent_desk
@require_http_methods(["GET", "POST"])
def history(request: DeskRequest) -> HttpResponse:
    """来电历史: the caller's earlier orders the agent may see, once the number is complete.
    The desk posts the number (a GET would put it in every access log's URL)."""
    phone = _phone(_params(request).get("requester_phone", ""))
    orders = (
        workorders_by_phone(user=request.user, phone=phone, limit=HISTORY_SIZE) if phone else []
    )
    return render(request, "intake/_history.html", {"phone": phone, "orders": orders})


@agent_desk
@require_GET
def categories(request: DeskRequest) -> HttpResponse:
    """The type-ahead's options: leaves of the category tree matching the typed words."""
    query = request.GET.get("category_search", "").strip()
    matches = category_search(query)
    return render(request, "intake/_categories.html", {"query": query, "matches": matches})


@agent_desk
@require_http_methods(["GET", "POST"])
def repeats(request: DeskRequest) -> HttpResponse:
    """重复诉求提示: orders of the repeat window from this phone, or at this address in this
    region, on a similar matter (similar text, or the category's matter once one is chosen),
    with their similarity; 并单 into the open ones. The one repeat search of the platform
    (`dispatch.repeats.repeats_for`, which dispatch registers in `core.repeats`: intake does
    not import its peer), so the desk shows one list. Posted by the desk: the
    caller's phone, address and words stay out of URLs and logs."""
    g = _params(request)
    raw = g.get("category", "")
    category = (
        Category.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
    )
    region = Region.objects.subtree(request.centre.region).filter(code=g.get("region", "")).first()
    found = find_repeats(
        user=request.user,
        title=g.get("title", "")[:200],
        content=g.get("content", "")[:2000],
        phone=_phone(g.get("requester_phone", "")),
        address=g.get("address", "")[:200],
        region=region,
        category=category,
    )
    return render(request, "intake/_repeats.html", {"repeats": found})
