"""The supervisor's desk (审核督办), in three tabs: replies awaiting review (待审核), orders near or
past their deadline (临期/超期) to urge and supervise, and extension requests (延期申请)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hotline.accounts.choices import Role
from hotline.accounts.models import User
from hotline.core.conf import hotline_int

from ..choices import Action, ExtensionStatus, Status
from ..clocks import TimeStatus, time_status_q
from ..errors import InvalidInput
from ..models import ExtensionRequest, WorkOrder, WorkOrderEvent
from ..selectors import latest_events
from ..transitions import EXTENSION_DECIDABLE
from .hotline import (
    DeskRequest,
    Row,
    attach_errors,
    capped_count,
    desk_view,
    keyset,
    next_url,
    order_for,
    perform,
    respond,
)

RELATED = ("request_type", "urgency", "category", "region", "lead_unit")


def review_queue(user: User) -> QuerySet[WorkOrder]:
    """Replied orders waiting for the hotline's review."""
    return WorkOrder.objects.visible_to(user).filter(status=Status.REPLIED).select_related(*RELATED)


def late_queue(user: User) -> QuerySet[WorkOrder]:
    """Orders whose reply clock is yellow or red (workorders.clocks decides which)."""
    late = time_status_q(TimeStatus.WARNING) | time_status_q(TimeStatus.OVERDUE)
    return WorkOrder.objects.visible_to(user).filter(late).select_related(*RELATED)


def extension_queue(user: User) -> QuerySet[ExtensionRequest]:
    """Pending extension requests on orders of the user's scope that can still be decided (a
    request the order has moved past lapses with the move; older rows may predate that)."""
    return ExtensionRequest.objects.filter(
        status=ExtensionStatus.PENDING,
        order__in=WorkOrder.objects.visible_to(user),
        order__status__in=EXTENSION_DECIDABLE,
    ).select_related("unit", "requested_by", *(f"order__{r}" for r in RELATED))


@dataclass
class SuperviseRow(Row):
    reply: WorkOrderEvent | None = None
    extension: ExtensionRequest | None = None
    levels: list[int] = field(default_factory=list)


def review_rows(orders: list[WorkOrder]) -> list[SuperviseRow]:
    replies = latest_events(orders, Action.REPLY)
    return [SuperviseRow(o, reply=replies.get(o.pk)) for o in orders]


def late_rows(orders: list[WorkOrder]) -> list[SuperviseRow]:
    top = hotline_int("SUPERVISION_LEVELS")
    return [SuperviseRow(o, levels=list(range(o.supervision_level + 1, top + 1))) for o in orders]


def extension_rows(extensions: list[ExtensionRequest]) -> list[SuperviseRow]:
    return [SuperviseRow(e.order, extension=e) for e in extensions]


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    queue: Callable[[User], QuerySet[Any]]
    keys: tuple[str, ...]
    rows: Callable[[list[Any]], list[SuperviseRow]]
    actions: tuple[str, ...]
    # The queue row of one order, to refresh it after a refused move.
    lookup: str


TABS = {
    t.key: t
    for t in (
        Tab(
            "review",
            _("待审核"),
            review_queue,
            ("updated_at", "id"),  # the longest-waiting reply first
            review_rows,
            (Action.ACCEPT_REPLY, Action.SEND_BACK),
            "pk",
        ),
        Tab(
            "late",
            _("临期/超期"),
            late_queue,
            ("reply_due_at", "id"),  # the most overdue first
            late_rows,
            (Action.URGE, Action.SUPERVISE),
            "pk",
        ),
        Tab(
            "extensions",
            _("延期申请"),
            extension_queue,
            ("requested_at", "id"),
            extension_rows,
            (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION),
            "order_id",
        ),
    )
}
TAB_OF_ACTION = {a: t for t in TABS.values() for a in t.actions}


def _page(
    request: DeskRequest,
    tab: Tab,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    error = ""
    cursor = request.GET.get("cursor")
    try:
        page = keyset(tab.queue(user), keys=tab.keys, cursor=cursor)
    except InvalidInput as e:
        page = keyset(tab.queue(user), keys=tab.keys, cursor=None)
        error, status = e.message, 400
    rows = tab.rows(page.items)
    error = " ".join(filter(None, [error, attach_errors(rows, errors)]))
    context = {
        "tab": tab,
        "tabs": [(t, capped_count(t.queue(user))) for t in TABS.values()],
        "rows": rows,
        "error": error,
        "next_url": next_url(reverse("desk_supervise"), page.next_cursor, tab=tab.key),
        "first_url": f"{reverse('desk_supervise')}?tab={tab.key}",
        "is_later_page": bool(cursor),
    }
    return render(request, "workorders/desks/supervise.html", context, status=status)


@desk_view(Role.SUPERVISOR)
def supervise_desk(request: DeskRequest) -> HttpResponse:
    tab = TABS.get(request.GET.get("tab") or "review")
    if tab is None:
        raise Http404(gettext("没有这个标签页"))
    return _page(request, tab)


@desk_view(Role.SUPERVISOR)
@require_POST
def supervise_act(request: DeskRequest, number: str, action: str) -> HttpResponse:
    """One move from a row of a tab: accept / send back, urge / supervise, approve / reject."""
    tab = TAB_OF_ACTION.get(action)
    if tab is None:
        raise Http404(gettext("没有「{action}」这一操作").format(action=action))
    order = order_for(request.user, number)
    outcome = perform(user=request.user, order=order, action=action, data=request.POST)

    def fresh_row() -> SuperviseRow | None:
        current = tab.queue(request.user).filter(**{tab.lookup: order.pk}).first()
        return tab.rows([current])[0] if current else None

    return respond(
        request,
        outcome,
        order=order,
        fresh_row=fresh_row,
        template=f"workorders/desks/supervise_row_{tab.key}.html",
        page=lambda errors, status: _page(request, tab, errors=errors, status=status),
        back=f"{reverse('desk_supervise')}?tab={tab.key}",
        counts=lambda: {
            f"count-{t.key}": capped_count(t.queue(request.user)) for t in TABS.values()
        },
    )
