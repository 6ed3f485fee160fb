"""The dispatcher's desk (派单): registered orders, most urgent then oldest first, each with the
dispatch catalogue's units pre-filled; dispatch one inline or many at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hotline.accounts.choices import Role
from hotline.accounts.models import Unit, User
from hotline.catalog.models import DispatchRule
from hotline.catalog.selectors import dispatch_rule_for

from .. import services
from ..choices import Action, Status
from ..errors import ConcurrentUpdate, InvalidInput, WorkOrderError
from ..forms import dispatch_targets
from ..models import WorkOrder
from .hotline import (
    DeskRequest,
    Outcome,
    Row,
    attach_errors,
    capped_count,
    conflict_message,
    desk_view,
    keyset,
    next_url,
    order_for,
    perform,
    respond,
)

# Most urgent first, then oldest; the primary key makes the order total for keyset paging.
QUEUE_KEYS = ("-urgency__rank", "created_at", "id")
BATCH_LIMIT = 200
ROW_TEMPLATE = "workorders/desks/dispatch_row.html"


def dispatch_queue(user: User) -> QuerySet[WorkOrder]:
    """Registered orders of the user's scope (the dispatcher's centre region)."""
    return (
        WorkOrder.objects.visible_to(user)
        .filter(status=Status.REGISTERED)
        .select_related("request_type", "urgency", "category", "region")
    )


def unit_options(units: list[Unit]) -> str:
    """The <option>s of every unit, built once a page: a queue shows two pickers a row, and a
    template loop over every unit for every row is what made the page slow."""
    return format_html_join("", '<option value="{}">{}</option>', ((u.pk, u.name) for u in units))


def mark_options(options: str, *, selected: set[int], hidden: int | None = None) -> SafeString:
    """The page's options with some selected (and one left out). The markers are our own
    literal markup around integer keys, so the result stays as safe as `options`."""
    for pk in selected:
        options = options.replace(f'<option value="{pk}">', f'<option value="{pk}" selected>', 1)
    if hidden is not None:
        options = re.sub(rf'<option value="{hidden}"[^>]*>[^<]*</option>', "", options, count=1)
    return mark_safe(options)


@dataclass
class DispatchRow(Row):
    options: str = ""
    lead_id: int | None = None
    assisting_ids: set[int] = field(default_factory=set)
    has_rule: bool = False

    def lead_options(self) -> SafeString:
        return mark_options(self.options, selected={self.lead_id} if self.lead_id else set())

    def assisting_options(self) -> SafeString:
        return mark_options(self.options, selected=self.assisting_ids)


class RuleCache:
    """The catalogue's rule per (category, region), looked up once per page."""

    def __init__(self) -> None:
        self._rules: dict[tuple[int | None, int], DispatchRule | None] = {}
        self._assisting: dict[int, list[int]] = {}

    def rule(self, order: WorkOrder) -> DispatchRule | None:
        key = (order.category_id, order.region_id)
        if key not in self._rules:
            self._rules[key] = (
                dispatch_rule_for(category=order.category, region=order.region)
                if order.category is not None
                else None
            )
        return self._rules[key]

    def assisting(self, rule: DispatchRule) -> list[int]:
        if rule.pk not in self._assisting:
            self._assisting[rule.pk] = list(
                rule.assisting_units.filter(is_active=True).values_list("pk", flat=True)
            )
        return self._assisting[rule.pk]


def dispatch_rows(orders: list[WorkOrder], units: list[Unit] | None = None) -> list[DispatchRow]:
    """Rows with the catalogue's lead and assisting units pre-filled."""
    units = units if units is not None else list(dispatch_targets().order_by("path"))
    options = unit_options(units)
    cache = RuleCache()
    rows = []
    for order in orders:
        rule = cache.rule(order)
        rows.append(
            DispatchRow(
                order,
                options=options,
                lead_id=rule.lead_unit_id if rule else None,
                assisting_ids=set(cache.assisting(rule)) if rule else set(),
                has_rule=rule is not None,
            )
        )
    return rows


def _page(
    request: DeskRequest,
    *,
    errors: dict[str, str] | None = None,
    results: list[Outcome] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    cursor = request.GET.get("cursor")
    try:
        page = keyset(dispatch_queue(user), keys=QUEUE_KEYS, cursor=cursor)
    except InvalidInput as e:
        page = keyset(dispatch_queue(user), keys=QUEUE_KEYS, cursor=None)
        error, status = e.message, 400
    units = list(dispatch_targets().order_by("path"))
    rows = dispatch_rows(page.items, units)
    gone = attach_errors(rows, errors)
    if not results:  # a batch lists every order's fate in its report already
        error = " ".join(filter(None, [error, gone]))
    template = "workorders/desks/dispatch.html"
    if getattr(request, "htmx", False) and request.method == "POST":
        template = "workorders/desks/dispatch_desk.html"
    context = {
        "rows": rows,
        "units": units,
        "count": capped_count(dispatch_queue(user)),
        "error": error,
        "results": results or [],
        "succeeded": sum(1 for r in results or [] if r.ok),
        "failed": sum(1 for r in results or [] if not r.ok),
        "next_url": next_url(reverse("desk_dispatch"), page.next_cursor),
        "first_url": reverse("desk_dispatch"),
        "is_later_page": bool(cursor),
    }
    return render(request, template, context, status=status)


@desk_view(Role.DISPATCHER)
def dispatch_desk(request: DeskRequest) -> HttpResponse:
    return _page(request)


@desk_view(Role.DISPATCHER)
@require_POST
def dispatch_one(request: DeskRequest, number: str) -> HttpResponse:
    """Dispatch one order from its row: the lead (and assisting) units chosen in the row."""
    order = order_for(request.user, number)
    outcome = perform(user=request.user, order=order, action=Action.DISPATCH, data=request.POST)

    def fresh_row() -> DispatchRow | None:
        current = dispatch_queue(request.user).filter(pk=order.pk).first()
        return dispatch_rows([current])[0] if current else None

    return respond(
        request,
        outcome,
        order=order,
        fresh_row=fresh_row,
        template=ROW_TEMPLATE,
        page=lambda errors, status: _page(request, errors=errors, status=status),
        back=reverse("desk_dispatch"),
        counts=lambda: {"count-dispatch": capped_count(dispatch_queue(request.user))},
    )


# --- many at once ----------------------------------------------------------------------------


def _version(data: QueryDict, number: str) -> int | None:
    raw = data.get(f"version-{number}", "")
    return int(raw) if raw.isdigit() else None


def dispatch_many(
    *, user: User, data: QueryDict, by_catalogue: bool, lead_unit: Unit | None
) -> list[Outcome]:
    """派单 for each ticked order, one transaction each: a failure leaves that order alone and
    the others go ahead. By catalogue, each order goes to its own rule's units and an order
    without a rule is reported and left; otherwise every order goes to `lead_unit`."""
    cache = RuleCache()
    outcomes = []
    for number in dict.fromkeys(data.getlist("order")):
        order = dispatch_queue(user).filter(number=number).first()
        if order is None:
            visible = WorkOrder.objects.visible_to(user).filter(number=number).exists()
            message = (
                gettext("已被他人处理（工单已不在待派单队列）")
                if visible
                else gettext("工单 {number} 不存在").format(number=number)
            )
            outcomes.append(Outcome(number, False, message, 409 if visible else 404))
            continue
        params: dict[str, Any] = {}
        if by_catalogue:
            rule = cache.rule(order)
            if rule is None:
                outcomes.append(
                    Outcome(
                        number, False, gettext("派单目录中没有适用的规则，请手动选择承办单位"), 400
                    )
                )
                continue
            params = {"lead_unit": rule.lead_unit_id, "assisting_units": cache.assisting(rule)}
        else:
            assert lead_unit is not None
            params = {"lead_unit": lead_unit.pk}
        outcomes.append(_dispatch(user, order, _version(data, number), params))
    return outcomes


def _dispatch(user: User, order: WorkOrder, version: int | None, params: dict) -> Outcome:
    if version is None:
        return Outcome(order.number, False, gettext("缺少版本号，请刷新后重试"), 400)
    try:
        event = services.workorder_transition(
            order=order,
            action=Action.DISPATCH,
            actor=user,
            expected_version=version,
            **params,
        )
    except ConcurrentUpdate as e:
        return Outcome(order.number, False, conflict_message(e), e.http_status)
    except WorkOrderError as e:
        return Outcome(order.number, False, e.message, e.http_status)
    unit = event.unit.name if event.unit else ""
    return Outcome(
        order.number,
        True,
        gettext("已派至{unit}").format(unit=unit),
    )


@desk_view(Role.DISPATCHER)
@require_POST
def dispatch_batch(request: DeskRequest) -> HttpResponse:
    """Dispatch the ticked orders; the desk comes back with a line per order."""
    data = request.POST
    numbers = data.getlist("order")
    mode = data.get("mode")
    problem = ""
    lead_unit: Unit | None = None
    if not numbers:
        problem = gettext("请先勾选要派发的工单")
    elif len(numbers) > BATCH_LIMIT:
        problem = gettext("一次最多派发 {limit} 件").format(limit=BATCH_LIMIT)
    elif mode == "unit":
        raw = data.get("batch_lead_unit", "")
        lead_unit = dispatch_targets().filter(pk=raw).first() if raw.isdigit() else None
        if lead_unit is None:
            problem = gettext("统一派至：请选择主办单位")
    elif mode != "catalogue":
        problem = gettext("请选择派发方式")
    if problem:
        return _page(request, error=problem, status=400)
    results = dispatch_many(
        user=request.user, data=data, by_catalogue=mode == "catalogue", lead_unit=lead_unit
    )
    # A failed order stays in the queue with its reason beside it, as well as in the report.
    errors = {r.number: r.message for r in results if not r.ok}
    return _page(request, results=results, errors=errors)
