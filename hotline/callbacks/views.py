"""The callback desk (回访): the queue of orders awaiting callback, oldest first; each row opens a
panel where the agent dials the requester, records the rating or an unreachable attempt, and
after a dissatisfied rating redoes or closes the order. Every move goes through
`workorders.services`; a row is one `<tbody>` that htmx swaps whole."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import User
from hotline.core.conf import hotline_int
from hotline.workorders.choices import Action, Rating, Status
from hotline.workorders.desks.unit import AuthedRequest, action_form, capped_count, perform
from hotline.workorders.errors import ConcurrentUpdate, InvalidInput, WorkOrderError
from hotline.workorders.forms import ActionForm
from hotline.workorders.models import WorkOrder
from hotline.workorders.permissions import actions_for, close_refusal
from hotline.workorders.privacy import requester_view
from hotline.workorders.selectors import paginate
from hotline.workorders.transitions import CALLBACK_DESK

from .selectors import callback_order, callback_queue, callbacks_done_today, page_events

PAGE_SIZE = 50
# The moves of this desk, in the order the panel shows them; after a dissatisfied rating the
# follow-up (redo, or close with a reason) comes first.
DESK_ACTIONS = (Action.CALLBACK, Action.CALLBACK_UNREACHABLE, Action.REDO, Action.CLOSE)
FOLLOW_UP = (Action.REDO, Action.CLOSE)
TABS = (("queue", _("待回访")), ("done", _("今日已回访")))


def _require_desk(user: User) -> None:
    if not (user.is_superuser or user.has_role(*CALLBACK_DESK)):
        raise PermissionDenied(gettext("回访台仅供回访员使用"))


@login_required
def desk(request: AuthedRequest) -> HttpResponse:
    """The queue (oldest first, keyset pages) or today's completed callbacks of this agent."""
    user = request.user
    _require_desk(user)
    tab = request.GET.get("tab") or "queue"
    if tab not in dict(TABS):
        raise Http404(gettext("没有「{tab}」这一栏").format(tab=tab))
    context: dict[str, Any] = {
        "tabs": [
            (key, label, capped_count(qs))
            for (key, label), qs in zip(
                TABS,
                (callback_queue(user=user), callbacks_done_today(user=user)),
                strict=True,
            )
        ],
        "tab": tab,
        "error": "",
        "rows": [],
        "events": [],
        "next_query": "",
        "max_attempts": hotline_int("CALLBACK_MAX_ATTEMPTS"),
    }
    try:
        if tab == "queue":
            page = paginate(
                callback_queue(user=user),
                sort="created_at",
                cursor=request.GET.get("cursor"),
                size=PAGE_SIZE,
            )
            context["rows"] = [_row_context(user, o) for o in page.items]
            if page.next_cursor:
                context["next_query"] = f"tab=queue&cursor={page.next_cursor}"
        else:
            events, before = page_events(
                callbacks_done_today(user=user), before=request.GET.get("before"), size=PAGE_SIZE
            )
            context["events"] = events
            if before:
                context["next_query"] = f"tab=done&before={before}"
    except InvalidInput as e:
        context["error"] = e.message
    context["is_later_page"] = bool(request.GET.get("cursor") or request.GET.get("before"))
    status = 400 if context["error"] else 200
    return render(request, "callbacks/desk.html", context, status=status)


def _row_context(user: User, order: WorkOrder, **extra: Any) -> dict[str, Any]:
    # Lists mask the number; the open panel is the callback agent's "detail" and shows it whole.
    panel = extra.get("forms") is not None
    return {
        "order": order,
        "requester": requester_view(user, order, detail=panel),
        "pending_follow_up": order.status == Status.AWAITING_CALLBACK
        and order.rating == Rating.DISSATISFIED,
        "max_attempts": hotline_int("CALLBACK_MAX_ATTEMPTS"),
        "forms": None,
        "error": "",
        "done": "",
        **extra,
    }


def _get(request: AuthedRequest, number: str) -> WorkOrder:
    _require_desk(request.user)
    order = callback_order(user=request.user, number=number)
    if order is None:
        raise Http404(gettext("工单 {number} 不存在").format(number=number))
    return order


def _panel_forms(user: User, order: WorkOrder, bound: ActionForm | None = None) -> list[ActionForm]:
    offered = [a for a in DESK_ACTIONS if a in actions_for(user, order)]
    if order.rating == Rating.DISSATISFIED:
        offered.sort(key=lambda a: a not in FOLLOW_UP)
    return [
        bound if bound is not None and bound.action == a else action_form(order, a) for a in offered
    ]


def _render(
    request: AuthedRequest, order: WorkOrder, *, panel: bool, status: int = 200, **extra: Any
) -> HttpResponse:
    forms = _panel_forms(request.user, order, extra.pop("bound", None)) if panel else None
    context = _row_context(request.user, order, forms=forms, **extra)
    return render(request, "callbacks/order.html", context, status=status)


@login_required
def panel(request: AuthedRequest, number: str) -> HttpResponse:
    """The row with its callback panel open: the full number to dial, the reply, the forms."""
    return _render(request, _get(request, number), panel=True)


@login_required
def row(request: AuthedRequest, number: str) -> HttpResponse:
    return _render(request, _get(request, number), panel=False)


@login_required
def act(request: AuthedRequest, number: str, action: str) -> HttpResponse:
    """POST one move of the desk. The answer is the order's fresh row: with the panel still open
    when there is a follow-up (a dissatisfied rating offers redo right there), and with the
    refusal beside the form (400/403/409) when the move is refused."""
    order = _get(request, number)
    if action not in DESK_ACTIONS:
        raise Http404(gettext("没有「{action}」这一操作").format(action=action))
    if request.method != "POST":
        return _render(request, order, panel=True)
    if action not in actions_for(request.user, order):
        if action == Action.CLOSE and close_refusal(order):
            # Not a matter of role: the order has not had its callback yet; say what is missing.
            return _refuse(request, order, error=close_refusal(order), status=409)
        message = gettext("您当前不能对工单 {number} 执行「{label}」").format(
            number=number, label=Action(action).label
        )
        return _refuse(request, order, error=message, status=403)
    form = action_form(order, action, request.POST)
    if not form.is_valid():
        return _refuse(request, order, bound=form, status=400)
    try:
        perform(user=request.user, order=order, form=form)
    except ConcurrentUpdate as e:
        return _refuse(request, _get(request, number), error=e.message, status=e.http_status)
    except WorkOrderError as e:
        if e.field and e.field in form.fields:
            form.add_error(e.field, e.message)
            return _refuse(request, order, bound=form, status=e.http_status)
        return _refuse(request, order, bound=form, error=e.message, status=e.http_status)
    done = gettext("已{label}：工单 {number}").format(label=form.label, number=number)
    if not request.htmx:
        messages.success(request, done)
        return redirect("desk_callback")
    order = _get(request, number)
    follow_up = any(a in actions_for(request.user, order) for a in FOLLOW_UP)
    return _render(request, order, panel=follow_up, done=done)


def _refuse(
    request: AuthedRequest,
    order: WorkOrder,
    *,
    status: int,
    error: str = "",
    bound: ActionForm | None = None,
) -> HttpResponse:
    if request.htmx:
        return _render(request, order, panel=True, status=status, error=error, bound=bound)
    if bound is not None and not error:
        error = " ".join(str(m) for ms in bound.errors.values() for m in ms)
    messages.error(request, error)
    return redirect("desk_callback")
