"""Pages of work orders: the landing redirect, the list, the detail page and its actions.

Views stay thin: reads go through `selectors` (so through `visible_to`), writes through
`services`; an order the user may not see is answered 404 whether it exists or not."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hotline.accounts.choices import UNIT_ROLES, Role
from hotline.accounts.models import Unit, User
from hotline.core import nav

from . import services
from .choices import Action, Channel, ContactMethod, Rating, Status, TransferTarget
from .errors import ConcurrentUpdate, InvalidInput, NotFound, NotPermitted, WorkOrderError
from .exports import XLSX_CONTENT_TYPE, export_filename, workorders_export
from .forms import ActionForm, AttachForm, OrderFilterForm
from .models import WorkOrder, WorkOrderEvent, WorkOrderLink
from .permissions import actions_for, user_may
from .privacy import requester_view
from .selectors import (
    OrderFilters,
    capped_count,
    paginate,
    workorder_events,
    workorder_get,
    workorder_list,
    workorders_by_phone,
)
from .transitions import TRANSITIONS, allowed_actions

PAGE_SIZE = 50
HISTORY_SIZE = 10


class AuthedRequest(HttpRequest):
    """A request behind login_required: its user is one of ours, never anonymous."""

    user: User


# --- landing ---------------------------------------------------------------------------------


def landing_query(user: User) -> QueryDict:
    """The list filter each role starts its day with (the full workbenches come later)."""
    roles = user.roles()
    q = QueryDict(mutable=True)
    if Role.DISPATCHER in roles:
        q.setlist("status", [Status.REGISTERED, Status.RETURNED])
    elif Role.SUPERVISOR in roles:
        q["status"] = Status.REPLIED
    elif Role.CALLBACK_AGENT in roles:
        q["status"] = Status.AWAITING_CALLBACK
    elif Role.AGENT in roles:
        today = timezone.localdate().isoformat()
        q["created_from"] = today
        q["created_to"] = today
    elif roles & UNIT_ROLES:
        # visible_to already narrows a unit's staff to what was sent to their unit.
        q["open"] = "1"
    return q


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    desk = nav.landing_for(request.user)
    if desk is not None:
        return redirect(desk)
    query = landing_query(request.user)
    url = reverse("workorder_list")
    return redirect(f"{url}?{query.urlencode()}" if query else url)


# --- requester -------------------------------------------------------------------------------


# --- list ------------------------------------------------------------------------------------


def _size(query: QueryDict) -> int:
    try:
        return int(query.get("size") or PAGE_SIZE)
    except ValueError:
        raise InvalidInput(gettext("每页条数应为整数"), field="size") from None


def _list_query(request: AuthedRequest) -> tuple[OrderFilterForm, OrderFilters | None, str]:
    """The bound filter form, its filters (None when the form is invalid) and the sort key."""
    form = OrderFilterForm(request.GET or None)
    if not form.is_bound:
        return form, OrderFilters(), "-created_at"
    if not form.is_valid():
        return form, None, "-created_at"
    return form, form.filters(), form.sort_key()


@login_required
def order_list(request: AuthedRequest) -> HttpResponse:
    form, filters, sort = _list_query(request)
    page = None
    error = ""
    count: tuple[int, bool] | None = None
    cursor = request.GET.get("cursor")
    if filters is not None:
        try:
            qs = workorder_list(user=request.user, filters=filters)
            page = paginate(qs, sort=sort, cursor=cursor, size=_size(request.GET))
            if not cursor:
                # Capped: counting stops at COUNT_CAP rows, so a million orders cost no more.
                count = capped_count(qs, sort=sort)
        except InvalidInput as e:
            error = e.message
    rows = []
    next_url = ""
    if page is not None:
        rows = [(o, requester_view(request.user, o, detail=False)) for o in page.items]
        if page.next_cursor:
            query = request.GET.copy()
            query["cursor"] = page.next_cursor
            next_url = f"?{query.urlencode()}"
    first_query = request.GET.copy()
    first_query.pop("cursor", None)
    export_query = first_query.copy()
    export_query.pop("size", None)
    context = {
        "form": form,
        "rows": rows,
        "error": error,
        "count": count,
        "next_url": next_url,
        "is_later_page": bool(cursor),
        "first_url": f"?{first_query.urlencode()}",
        "export_url": f"{reverse('workorder_export')}?{export_query.urlencode()}",
    }
    return render(request, "workorders/order_list.html", context)


@login_required
def order_export(request: AuthedRequest) -> HttpResponseBase:
    """The list's filtered, scoped rows as XLSX; a refusal goes back to the list with why."""
    _form, filters, sort = _list_query(request)
    back = f"{reverse('workorder_list')}?{request.GET.urlencode()}"
    if filters is None:
        messages.error(request, gettext("筛选条件有误，请先修正后再导出"))
        return redirect(back)
    try:
        qs = workorder_list(user=request.user, filters=filters)
        file = workorders_export(user=request.user, qs=qs, sort=sort)
    except InvalidInput as e:
        messages.error(request, e.message)
        return redirect(back)
    return FileResponse(
        file, as_attachment=True, filename=export_filename(), content_type=XLSX_CONTENT_TYPE
    )


# --- detail ----------------------------------------------------------------------------------


def _get(user: User, number: str) -> WorkOrder:
    try:
        return workorder_get(user=user, number=number)
    except NotFound:
        raise Http404(gettext("工单 {number} 不存在").format(number=number)) from None


# The move that carries an order forward from each desk; it is listed first and shown open,
# so the usual step is one Tab and Enter away while the rarer ones stay folded.
PRIMARY = (
    Action.DISPATCH,
    Action.ACKNOWLEDGE,
    Action.REPLY,
    Action.ACCEPT_REPLY,
    Action.CALLBACK,
    Action.REASSIGN,
    Action.APPROVE_EXTENSION,
)


def available_actions(user: User, order: WorkOrder) -> list[str]:
    """Actions this user may take on this order now (the table, then role and unit), the
    primary one first."""
    actions = [a for a in actions_for(user, order) if a != Action.ATTACH]
    primary = next((a for a in PRIMARY if a in actions), None)
    return sorted(actions, key=lambda a: a != primary)


UNIT_KEYS = ("previous_unit", "returned_by")
PAYLOAD_LABELS = {
    "channel": _("渠道"),
    "lead_unit_name": _("主办单位"),
    "assisting_units": _("协办单位"),
    "previous_unit": _("原承办单位"),
    "returned_by": _("退单单位"),
    "legal_basis": _("退单依据"),
    "days": _("延期工作日"),
    "count": _("催办次数"),
    "level": _("督办级别"),
    "rating": _("评价"),
    "solved": _("是否解决"),
    "attempt": _("未接通次数"),
    "closed_unreachable": _("多次未接通办结"),
    "master": _("主单"),
    "merged": _("并入工单"),
    "target": _("转出去向"),
    "other": _("关联工单"),
    "name": _("附件"),
    # Set by the time-limit rules (sla) on the move that starts or moves a clock.
    "clocks": _("时限"),
    "late": _("超时"),
    "clock_error": _("时限未能计算"),
    "return_due_at": _("退单时限"),
    # 联系诉求人
    "method": _("联系方式"),
    "contacted_at": _("联系时间"),
    "first": _("本轮首次联系"),
}
CLOCK_LABELS = {
    "acknowledge_due_at": _("签收时限"),
    "reply_warn_at": _("预警时间"),
    "reply_due_at": _("办结时限"),
    "previous_reply_due_at": _("原办结时限"),
    "callback_due_at": _("回访时限"),
}
LATE_LABELS = {"acknowledge": _("签收"), "reply": _("办结"), "return": _("退单")}
# Keys repeated elsewhere on the row (the note, the unit name) or only ids for machines.
PAYLOAD_SKIP = {"lead_unit", "extension", "attachment", "reason", "reply", "answer"}


def _payload_value(key: str, value: Any, unit_names: dict[str, str]) -> str:
    if key == "channel":
        return str(Channel(value).label) if value in Channel.values else str(value)
    if key == "rating":
        return str(Rating(value).label) if value in Rating.values else str(value)
    if key == "target":
        return str(TransferTarget(value).label) if value in TransferTarget.values else str(value)
    if key == "solved":
        return gettext("已解决") if value else gettext("未解决")
    if key in ("closed_unreachable", "first"):
        return gettext("是") if value else gettext("否")
    if key == "method":
        return str(ContactMethod(value).label) if value in ContactMethod.values else str(value)
    if key == "contacted_at":
        return _clock_time(value)
    if key == "level":
        return gettext("{value} 级").format(value=value)
    if key == "assisting_units":
        return gettext("、").join(unit_names.get(c, c) for c in value) or gettext("无")
    if key in UNIT_KEYS:
        return unit_names.get(value, value)
    if key == "clocks" and isinstance(value, dict):
        return gettext("；").join(
            f"{label} {_clock_time(value[k])}" for k, label in CLOCK_LABELS.items() if value.get(k)
        ) or gettext("无")
    if key == "late" and isinstance(value, list):
        return gettext("、").join(str(LATE_LABELS.get(v, v)) for v in value)
    if key == "return_due_at":
        return _clock_time(value)
    return str(value)


def _clock_time(value: str) -> str:
    """An ISO time from an event payload as the page shows times (local, to the minute)."""
    try:
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


def readable_payload(events: list[WorkOrderEvent]) -> dict[int, list[tuple[str, str]]]:
    """Each event's payload as (label, text) pairs, with unit codes turned into names."""
    codes: set[str] = set()
    for e in events:
        codes.update(e.payload.get("assisting_units") or [])
        codes.update(str(e.payload[k]) for k in UNIT_KEYS if k in e.payload)
    unit_names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    out: dict[int, list[tuple[str, str]]] = {}
    for e in events:
        out[e.pk] = [
            (PAYLOAD_LABELS.get(k, k), _payload_value(k, v, unit_names))
            for k, v in e.payload.items()
            if k not in PAYLOAD_SKIP
        ]
    return out


def _detail_context(
    request: AuthedRequest,
    order: WorkOrder,
    *,
    bound: ActionForm | None = None,
    error: str = "",
    revealed: str | None = None,
    attach_form: AttachForm | None = None,
) -> dict[str, Any]:
    user = request.user
    visible = WorkOrder.objects.visible_to(user)
    actions = available_actions(user, order)
    forms = [
        bound if bound is not None and bound.action == a else ActionForm(order=order, action=a)
        for a in actions
    ]
    if bound is not None and bound.action not in actions and bound.errors:
        # The move is no longer on offer (the state changed): its errors go to the banner.
        error = error or " ".join(str(m) for ms in bound.errors.values() for m in ms)
    events = list(workorder_events(order))
    requester = requester_view(user, order, detail=True, revealed=revealed is not None)
    history: list[WorkOrder] = []
    if order.requester_phone and not requester.hidden:
        history = [
            o
            for o in workorders_by_phone(
                user=user, phone=order.requester_phone, limit=HISTORY_SIZE + 1
            )
            if o.pk != order.pk
        ][:HISTORY_SIZE]
    return {
        "order": order,
        "requester": requester,
        "action_forms": forms,
        "error": error,
        "events": list(zip(events, _payloads(events), strict=True)),
        "assignments": order.assignments.select_related("unit", "dispatched_by").order_by(
            "dispatched_at", "id"
        ),
        "extensions": order.extensions.select_related("unit", "requested_by", "decided_by"),
        "attachments": order.attachments.select_related("uploaded_by").order_by("created_at"),
        "can_attach": Action.ATTACH in allowed_actions(order.status)
        and user_may(user, order, Action.ATTACH),
        "attach_form": attach_form or AttachForm(),
        "links": WorkOrderLink.objects.filter(from_order=order, to_order__in=visible)
        .select_related("to_order")
        .order_by("id"),
        "merged_orders": visible.filter(master=order).order_by("created_at"),
        "master": visible.filter(pk=order.master_id).first() if order.master_id else None,
        "history": history,
    }


def _payloads(events: list[WorkOrderEvent]) -> list[list[tuple[str, str]]]:
    readable = readable_payload(events)
    return [readable[e.pk] for e in events]


def _render_detail(request: AuthedRequest, order: WorkOrder, status: int = 200, **kw: Any):
    return render(
        request,
        "workorders/order_detail.html",
        _detail_context(request, order, **kw),
        status=status,
    )


@login_required
def order_detail(request: AuthedRequest, number: str) -> HttpResponse:
    return _render_detail(request, _get(request.user, number))


@login_required
@require_POST
def order_act(request: AuthedRequest, number: str, action: str) -> HttpResponse:
    """Post one action's form; success redirects back, a refusal re-renders with the reason."""
    order = _get(request.user, number)
    if action not in TRANSITIONS or action == Action.ATTACH:
        raise Http404(gettext("没有「{action}」这一操作").format(action=action))
    form = ActionForm(request.POST, order=order, action=action)
    if not form.is_valid():
        return _render_detail(request, order, status=400, bound=form)
    data = form.cleaned_data
    try:
        services.workorder_transition(
            order=order,
            action=action,
            actor=request.user,
            note=data["note"],
            expected_version=data["expected_version"],
            **form.params(),
        )
    except ConcurrentUpdate as e:
        # Fresh forms at the current version: the person sees what changed and decides again.
        order = _get(request.user, number)
        return _render_detail(request, order, status=e.http_status, error=e.message)
    except WorkOrderError as e:
        if e.field and e.field in form.fields:
            form.add_error(e.field, e.message)
            return _render_detail(request, order, status=e.http_status, bound=form)
        return _render_detail(request, order, status=e.http_status, bound=form, error=e.message)
    messages.success(
        request, gettext("已{label}：工单 {number}").format(label=form.label, number=number)
    )
    return redirect("workorder_detail", number=number)


@login_required
@require_POST
def order_reveal_phone(request: AuthedRequest, number: str) -> HttpResponse:
    """Show the full number on this response only; the service records who saw it."""
    order = _get(request.user, number)
    try:
        phone = services.workorder_reveal_phone(
            order=order, actor=request.user, reason=request.POST.get("reason", "")
        )
    except NotPermitted as e:
        return _render_detail(request, order, status=e.http_status, error=e.message)
    return _render_detail(request, order, revealed=phone)


@login_required
@require_POST
def order_attach(request: AuthedRequest, number: str) -> HttpResponse:
    order = _get(request.user, number)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, order, status=400, attach_form=form)
    try:
        services.workorder_attach(
            order=order,
            actor=request.user,
            file=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
        )
    except WorkOrderError as e:
        if e.field in form.fields:
            form.add_error(e.field, e.message)
            return _render_detail(request, order, status=e.http_status, attach_form=form)
        return _render_detail(request, order, status=e.http_status, error=e.message)
    messages.success(
        request, gettext("已上传附件：{name}").format(name=form.cleaned_data["file"].name)
    )
    return redirect("workorder_detail", number=number)


@login_required
def order_attachment(request: AuthedRequest, number: str, pk: int) -> FileResponse:
    """Files are served through the order's scoping, never from a public media URL."""
    order = _get(request.user, number)
    attachment = order.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404(gettext("附件不存在"))
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
