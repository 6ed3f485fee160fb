"""The unit inbox (办件箱): what was sent to my unit, by tab, with the unit's moves made in the row.

Reads start from `WorkOrder.objects.visible_to(user)` and narrow it to the units whose inbox the
user reads; writes go through `workorders.services`. A row is one `<tbody>` swapped whole by htmx,
so a move, a refusal or a stale version always comes back as the order's fresh row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_htmx.middleware import HtmxDetails

from hotline.accounts.choices import UNIT_ROLES, Role
from hotline.accounts.models import Unit, User

from .. import services
from ..choices import Action, AssignmentRole, ExtensionStatus, Status
from ..clocks import TimeStatus, time_status_q
from ..errors import ConcurrentUpdate, InvalidInput, WorkOrderError
from ..forms import ActionForm
from ..models import Attachment, ExtensionRequest, WorkOrder, WorkOrderAssignment, WorkOrderEvent
from ..permissions import action_possible, actions_for, user_may
from ..selectors import paginate
from ..transitions import WITH_LEAD, allowed_actions
from ..uploads import accept_attr, upload_check

PAGE_SIZE = 50
# Tab counts stop here: a count is a hint, and counting a whole backlog on every page is not.
COUNT_CAP = 99

# The moves a unit makes from its inbox, in the order the buttons show.
INBOX_ACTIONS = (
    Action.ACKNOWLEDGE,
    Action.CONTACT_REQUESTER,
    Action.REPLY,
    Action.ASSIST_REPLY,
    Action.REQUEST_EXTENSION,
    Action.RETURN,
    Action.REDISPATCH,
)
# Events that hand the current round back to the unit: a reply the hotline sent back, an order
# redone after a dissatisfied callback, a return the hotline refused.
SENT_BACK = (Action.SEND_BACK, Action.REDO, Action.REJECT_RETURN)


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any


TABS = (
    Tab("acknowledge", _("待签收")),
    Tab("in_progress", _("办理中")),
    Tab("warning", _("临期")),
    Tab("overdue", _("超期")),
    Tab("sent_back", _("退回本单位")),
    Tab("assisting", _("协办")),
)
TAB_KEYS = {t.key for t in TABS}


# --- reads -----------------------------------------------------------------------------------


def inbox_units(user: User) -> QuerySet[Unit]:
    """Units whose inbox `user` reads: those they work in, and for a manager every unit below
    (the same reach `visible_to` gives them)."""
    own: set[int] = set()
    paths: set[str] = set()
    for m in user.active_memberships():
        if m.role == Role.UNIT_MANAGER:
            paths.add(m.unit.path)
        elif m.role == Role.UNIT_HANDLER:
            own.add(m.unit_id)
    q = Q(pk__in=own)
    for p in sorted(paths):
        q |= Q(path__startswith=p)
    return Unit.objects.filter(q, is_active=True).order_by("path")


def _assisting(units: QuerySet[Unit]) -> QuerySet[WorkOrderAssignment]:
    return WorkOrderAssignment.objects.filter(
        order=OuterRef("pk"), unit__in=units, role=AssignmentRole.ASSISTING, is_active=True
    )


def _annotated(user: User, units: QuerySet[Unit]) -> QuerySet[WorkOrder]:
    pending = ExtensionRequest.objects.filter(order=OuterRef("pk"), status=ExtensionStatus.PENDING)
    assisting = _assisting(units)
    qs: QuerySet[WorkOrder] = WorkOrder.objects.visible_to(user)
    return qs.select_related("urgency", "request_type", "lead_unit").annotate(
        pending_extension=Exists(pending),
        is_assisting=Exists(assisting),
        assist_replied=Exists(assisting.filter(replied_at__isnull=False)),
    )


def tab_orders(user: User, tab: str, units: QuerySet[Unit]) -> QuerySet[WorkOrder]:
    """The orders of one tab: led by one of `units` (the assisting tab: assisted by one)."""
    qs = _annotated(user, units)
    if tab == "assisting":
        return qs.filter(Exists(_assisting(units)), status__in=WITH_LEAD)
    qs = qs.filter(lead_unit__in=units)
    if tab == "acknowledge":
        return qs.filter(status=Status.DISPATCHED)
    if tab == "in_progress":
        return qs.filter(status=Status.IN_PROGRESS)
    if tab == "warning":
        return qs.filter(time_status_q(TimeStatus.WARNING))
    if tab == "overdue":
        return qs.filter(time_status_q(TimeStatus.OVERDUE))
    if tab == "sent_back":
        # Only a hand-back in the current round counts: a later dispatch starts a new round
        # (it moves dispatched_at), and the event must name the unit now holding the order.
        back = WorkOrderEvent.objects.filter(
            order=OuterRef("pk"),
            action__in=SENT_BACK,
            unit=OuterRef("lead_unit"),
            created_at__gte=OuterRef("dispatched_at"),
        )
        return qs.filter(Exists(back), status__in=WITH_LEAD)
    raise InvalidInput(gettext("没有「{tab}」这一栏").format(tab=tab), field="tab")


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> str:
    """ "12" or "99+": counts at most cap + 1 rows (a LIMIT inside the COUNT)."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return f"{cap}+" if n > cap else str(n)


def _parents(units: QuerySet[Unit]) -> set[int]:
    """Those of `units` that have an active unit below them (so 下派 has somewhere to go)."""
    below = Unit.objects.filter(is_active=True, parent__in=units).values_list(
        "parent_id", flat=True
    )
    return {pk for pk in below if pk is not None}


def labelled(actions: list[str]) -> list[tuple[str, str]]:
    return [(a, str(Action(a).label)) for a in actions]


def row_actions(user: User, order: WorkOrder, parents: set[int]) -> list[str]:
    """The inbox moves this user may make on this row now: the table, the order's conditions and
    the user's role in the right unit (`user_may`), as the detail page decides. The pending
    extension and assisting checks read the row's annotations instead of a query per row."""
    out = []
    for action in INBOX_ACTIONS:
        if action not in allowed_actions(order.status):
            continue
        if action == Action.REQUEST_EXTENSION:
            if order.pending_extension:  # type: ignore[attr-defined]
                continue
        elif not action_possible(order, action):
            continue
        if action == Action.ASSIST_REPLY and not order.is_assisting:  # type: ignore[attr-defined]
            continue
        if action == Action.REDISPATCH and order.lead_unit_id not in parents:
            continue
        if user_may(user, order, action):
            out.append(str(action))
    return out


# --- forms -----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the reply's documents and photos)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept_attr()}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def action_form(order: WorkOrder, action: str, data: Any = None, files: Any = None) -> ActionForm:
    """The detail page's form of `action`, prefixed per order so several rows can be open."""
    form = ActionForm(data, files, order=order, action=action, prefix=f"{action}-{order.number}")
    if action == Action.REPLY:
        form.fields["files"] = MultipleFileField(label=_("附件（可多选）"), required=False)
    # The form opens under the row being worked on: the keyboard goes straight to its first
    # field (htmx focuses an autofocus element it swaps in).
    first = next((f for f in form.fields.values() if not f.widget.is_hidden), None)
    if first is not None:
        first.widget.attrs["autofocus"] = True
    return form


def _check_files(files: list[UploadedFile]) -> None:
    # The service checks each file too, but only after the reply is written; refusing here
    # keeps a bad upload from touching storage at all.
    for f in files:
        upload_check(name=f.name or "file", size=f.size, file=f, field="files")


def perform(*, user: User, order: WorkOrder, form: ActionForm) -> None:
    """Make the move of a valid form through the services; a reply's files are attached in the
    same transaction, so a refused file undoes the reply and a refused reply stores no file."""
    data = form.cleaned_data
    files: list[UploadedFile] = data.get("files") or []
    _check_files(files)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            services.workorder_transition(
                order=order,
                action=form.action,
                actor=user,
                note=data["note"],
                expected_version=data["expected_version"],
                **form.params(),
            )
            for f in files:
                stored.append(services.workorder_attach(order=order, actor=user, file=f))
    except Exception:
        # Rows rolled back; files already written to storage must go too.
        for a in stored:
            if a.file.name:
                a.file.storage.delete(a.file.name)
        raise


# --- views -----------------------------------------------------------------------------------


def _require_unit_staff(user: User) -> None:
    if not (user.roles() & UNIT_ROLES):
        raise PermissionDenied(gettext("办件箱仅供承办单位人员使用"))


def _unit_filter(raw: str, units: QuerySet[Unit]) -> Unit | None:
    if not raw:
        return None
    unit = units.filter(pk=raw).first() if raw.isdigit() else None
    if unit is None:
        raise InvalidInput(
            gettext("单位「{unit}」不在您的办件范围内").format(unit=raw), field="unit"
        )
    return unit


def tab_counts(user: User, units: QuerySet[Unit]) -> list[tuple[Tab, str]]:
    return [(t, capped_count(tab_orders(user, t.key, units))) for t in TABS]


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    """The inbox page: tab counts, the unit filter (managers), one keyset page of the tab."""
    user = request.user
    _require_unit_staff(user)
    tab = request.GET.get("tab") or TABS[0].key
    if tab not in TAB_KEYS:
        raise Http404(gettext("没有「{tab}」这一栏").format(tab=tab))
    units = inbox_units(user)
    unit_choices = list(units)
    error = ""
    rows: list[WorkOrder] = []
    next_cursor = None
    try:
        chosen = _unit_filter(request.GET.get("unit") or "", units)
        scope = units.filter(pk=chosen.pk) if chosen else units
        page = paginate(
            tab_orders(user, tab, scope),
            sort="created_at",
            cursor=request.GET.get("cursor"),
            size=PAGE_SIZE,
        )
        rows, next_cursor = page.items, page.next_cursor
        tabs = tab_counts(user, scope)
    except InvalidInput as e:
        error = e.message
        chosen = None
        tabs = [(t, "") for t in TABS]
    parents = _parents(units)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "tabs": tabs,
        "tab": tab,
        "rows": [(o, labelled(row_actions(user, o, parents))) for o in rows],
        "show_unit": len(unit_choices) > 1,
        "cols": 10 if len(unit_choices) > 1 else 9,
        "units": unit_choices,
        "chosen": chosen,
        "error": error,
        "next_query": _with(query, cursor=next_cursor) if next_cursor else "",
        "first_query": query.urlencode() if request.GET.get("cursor") else "",
    }
    return render(request, "workorders/desks/unit.html", context, status=400 if error else 200)


def _with(query: Any, **values: Any) -> str:
    q = query.copy()
    for k, v in values.items():
        q[k] = v
    return q.urlencode()


def _row(request: AuthedRequest, number: str) -> WorkOrder:
    """One order of the inbox with the row's annotations; 404 when not the user's to see."""
    _require_unit_staff(request.user)
    order = (
        _annotated(request.user, inbox_units(request.user))
        .select_related("region", "centre")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404(gettext("工单 {number} 不存在").format(number=number))
    return order


def _render_row(
    request: AuthedRequest,
    order: WorkOrder,
    *,
    form: ActionForm | None = None,
    error: str = "",
    done: str = "",
    status: int = 200,
    tabs: dict[str, Any] | None = None,
) -> HttpResponse:
    units = inbox_units(request.user)
    show_unit = units.count() > 1
    context = {
        "order": order,
        "actions": labelled(row_actions(request.user, order, _parents(units))),
        "form": form,
        "error": error,
        "done": done,
        "show_unit": show_unit,
        "cols": 10 if show_unit else 9,
        "oob": tabs,
    }
    return render(request, "workorders/desks/unit_order.html", context, status=status)


@login_required
def inbox_row(request: AuthedRequest, number: str) -> HttpResponse:
    """The row alone (htmx: close a form, refresh after a change elsewhere)."""
    return _render_row(request, _row(request, number))


@login_required
def inbox_act(request: AuthedRequest, number: str, action: str) -> HttpResponse:
    """GET: the row with the move's form open under it. POST: make the move; the answer is the
    fresh row, with the error beside the form (400/403/409) when the move is refused."""
    order = _row(request, number)
    if action not in INBOX_ACTIONS:
        raise Http404(gettext("没有「{action}」这一操作").format(action=action))
    if action not in actions_for(request.user, order):
        label = Action(action).label
        message = gettext("您当前不能对工单 {number} 执行「{label}」").format(
            number=order.number, label=label
        )
        return _answer(request, order, error=message, status=403)
    if request.method != "POST":
        return _render_row(request, order, form=action_form(order, action))
    form = action_form(order, action, request.POST, request.FILES)
    if not form.is_valid():
        return _answer(request, order, form=form, status=400)
    try:
        perform(user=request.user, order=order, form=form)
    except ConcurrentUpdate as e:
        # Someone moved first: show the order as it is now and let the person decide again.
        return _answer(request, _row(request, number), error=e.message, status=e.http_status)
    except WorkOrderError as e:
        if e.field and e.field in form.fields:
            form.add_error(e.field, e.message)
            return _answer(request, order, form=form, status=e.http_status)
        return _answer(request, order, form=form, error=e.message, status=e.http_status)
    done = gettext("已{label}：工单 {number}").format(label=form.label, number=number)
    if not request.htmx:
        messages.success(request, done)
        return redirect("desk_unit")
    # The move changed which tabs hold the order: their counts come along, swapped out of band.
    return _render_row(request, _row(request, number), done=done, tabs=_oob_tabs(request))


def _oob_tabs(request: AuthedRequest) -> dict[str, Any]:
    """Tab counts for the page the row sits on (its tab and unit filter are in the page's URL,
    which htmx sends as HX-Current-URL)."""
    query = QueryDict(urlsplit(request.htmx.current_url or "").query)
    units = inbox_units(request.user)
    try:
        chosen = _unit_filter(query.get("unit") or "", units)
    except InvalidInput:
        chosen = None
    scope = units.filter(pk=chosen.pk) if chosen else units
    return {
        "tabs": tab_counts(request.user, scope),
        "tab": query.get("tab") or "",
        "chosen": chosen,
    }


def _answer(
    request: AuthedRequest,
    order: WorkOrder,
    *,
    form: ActionForm | None = None,
    error: str = "",
    status: int,
) -> HttpResponse:
    """A refusal: the row (with the form and its errors) for htmx; a message for a plain post."""
    if request.htmx or request.method != "POST":
        return _render_row(request, order, form=form, error=error, status=status)
    if form is not None and not error:
        error = " ".join(str(m) for ms in form.errors.values() for m in ms)
    messages.error(request, error)
    return redirect("desk_unit")


__all__ = ["action_form", "capped_count", "inbox", "inbox_act", "inbox_row", "perform"]
