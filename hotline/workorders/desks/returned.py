"""The returned-orders desk (退单审核): orders a unit sent back, with its reason and legal basis;
the dispatcher reassigns them (改派) or rejects the return (驳回)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hotline.accounts.choices import Role
from hotline.accounts.models import Unit, User

from ..choices import Action, Status
from ..errors import InvalidInput
from ..forms import dispatch_targets
from ..models import WorkOrder, WorkOrderEvent
from ..selectors import latest_events
from .dispatcher import RuleCache, mark_options, unit_options
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

# The longest-waiting return first.
QUEUE_KEYS = ("updated_at", "id")
ACTIONS = (Action.REASSIGN, Action.REJECT_RETURN)
ROW_TEMPLATE = "workorders/desks/returned_row.html"


def returned_queue(user: User) -> QuerySet[WorkOrder]:
    """Returned orders of the user's scope."""
    return (
        WorkOrder.objects.visible_to(user)
        .filter(status=Status.RETURNED)
        .select_related("request_type", "urgency", "category", "region", "lead_unit")
    )


@dataclass
class ReturnedRow(Row):
    event: WorkOrderEvent | None = None
    options: str = ""
    # The catalogue's lead unit, unless that is the unit that just returned the order.
    suggested_id: int | None = None
    assisting_ids: set[int] = field(default_factory=set)

    def lead_options(self) -> SafeString:
        selected = {self.suggested_id} if self.suggested_id else set()
        return mark_options(self._options(), selected=selected)

    def assisting_options(self) -> SafeString:
        return mark_options(self._options(), selected=self.assisting_ids)

    def _options(self) -> str:
        """The unit that returned the order stays on offer (the dispatcher may judge the return
        wrong), named as such; it is never pre-selected, and the form asks to confirm it."""
        unit = self.order.lead_unit
        if unit is None:
            return self.options
        label = gettext("{unit}（退单单位）").format(unit=unit.name)
        return re.sub(
            rf'(<option value="{unit.pk}">)[^<]*(</option>)',
            lambda m: m.group(1) + escape(label) + m.group(2),
            self.options,
            count=1,
        )


def returned_rows(orders: list[WorkOrder], units: list[Unit] | None = None) -> list[ReturnedRow]:
    units = units if units is not None else list(dispatch_targets().order_by("path"))
    options = unit_options(units)
    latest = latest_events(orders, Action.RETURN)
    cache = RuleCache()
    rows = []
    for order in orders:
        rule = cache.rule(order)
        # The catalogue's units are a fair first guess, unless its lead just sent the order back;
        # the unit that returned it is never pre-selected, as lead or as assisting unit.
        if rule is None or rule.lead_unit_id == order.lead_unit_id:
            rows.append(ReturnedRow(order, event=latest.get(order.pk), options=options))
            continue
        rows.append(
            ReturnedRow(
                order,
                event=latest.get(order.pk),
                options=options,
                suggested_id=rule.lead_unit_id,
                assisting_ids=set(cache.assisting(rule)) - {order.lead_unit_id},
            )
        )
    return rows


def _page(
    request: DeskRequest, *, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    error = ""
    cursor = request.GET.get("cursor")
    try:
        page = keyset(returned_queue(user), keys=QUEUE_KEYS, cursor=cursor)
    except InvalidInput as e:
        page = keyset(returned_queue(user), keys=QUEUE_KEYS, cursor=None)
        error, status = e.message, 400
    rows = returned_rows(page.items)
    error = " ".join(filter(None, [error, attach_errors(rows, errors)]))
    context = {
        "rows": rows,
        "count": capped_count(returned_queue(user)),
        "error": error,
        "next_url": next_url(reverse("desk_returned"), page.next_cursor),
        "first_url": reverse("desk_returned"),
        "is_later_page": bool(cursor),
    }
    return render(request, "workorders/desks/returned.html", context, status=status)


@desk_view(Role.DISPATCHER)
def returned_desk(request: DeskRequest) -> HttpResponse:
    return _page(request)


@desk_view(Role.DISPATCHER)
@require_POST
def returned_act(request: DeskRequest, number: str, action: str) -> HttpResponse:
    """改派 or 驳回 one returned order from its row."""
    if action not in ACTIONS:
        raise Http404(gettext("没有「{action}」这一操作").format(action=action))
    order = order_for(request.user, number)
    outcome = perform(user=request.user, order=order, action=action, data=request.POST)

    def fresh_row() -> ReturnedRow | None:
        current = returned_queue(request.user).filter(pk=order.pk).first()
        return returned_rows([current])[0] if current else None

    return respond(
        request,
        outcome,
        order=order,
        fresh_row=fresh_row,
        template=ROW_TEMPLATE,
        page=lambda errors, status: _page(request, errors=errors, status=status),
        back=reverse("desk_returned"),
        counts=lambda: {"count-returned": capped_count(returned_queue(request.user))},
    )
