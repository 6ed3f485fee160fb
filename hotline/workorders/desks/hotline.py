"""What the hotline's desks (dispatcher, supervisor) share: the role gate, keyset paging over any
sort, capped counts, and posting one action on one row of a queue.

Every read starts from `WorkOrder.objects.visible_to(user)`; every write is one call of
`services.workorder_transition`, parsed by the detail page's `ActionForm`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.translation import gettext

from hotline.accounts.choices import Role
from hotline.accounts.models import User

from .. import services
from ..choices import Action
from ..errors import ConcurrentUpdate, InvalidInput, WorkOrderError
from ..forms import ActionForm
from ..models import WorkOrder

PAGE_SIZE = 50
# Moves whose confirmation names the unit the order went to.
UNIT_MOVES = frozenset({Action.DISPATCH, Action.REASSIGN, Action.REJECT_RETURN})
COUNT_CAP = 99


class DeskRequest(HttpRequest):
    """A request that passed the desk's gate: a signed-in user of ours."""

    user: User


def desk_view(role: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Only holders of `role` use the desk (403 for everyone else, signed in or sent to log in)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: DeskRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role not in request.user.roles():
                raise PermissionDenied(
                    gettext("只有{role}可以使用此工作台").format(role=Role(role).label)
                )
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def order_for(user: User, number: str) -> WorkOrder:
    """The order through the scoping rule: one the user may not see does not exist (404)."""
    order = (
        WorkOrder.objects.visible_to(user)
        .select_related("request_type", "urgency", "category", "region", "lead_unit")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise Http404(gettext("工单 {number} 不存在").format(number=number))
    return order


# --- keyset paging ---------------------------------------------------------------------------


def _value(row: Model, key: str) -> Any:
    value: Any = row
    for part in key.lstrip("-").split("__"):
        value = getattr(value, part)
    return value


def _encode(values: list[Any]) -> str:
    raw = json.dumps([{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != size:
            raise ValueError(cursor)
        return [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in raw]
    except (ValueError, TypeError, KeyError, json.JSONDecodeError):
        raise InvalidInput(gettext("翻页游标无效"), field="cursor") from None


def _after(keys: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order of `keys` (each key ascending or "-"
    descending): (k1 > v1) or (k1 = v1 and k2 > v2) or ..."""
    q: Q | None = None
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        field = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        step = equal & Q(**{f"{field}__{op}": value})
        q = step if q is None else q | step
        equal &= Q(**{field: value})
    assert q is not None
    return q


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None


def keyset(
    qs: QuerySet[Any], *, keys: tuple[str, ...], cursor: str | None, size: int | None = None
) -> KeysetPage:
    """One page after `cursor` in the order of `keys`, whose last key must be unique (the
    primary key), so page 1,000 costs what page 1 does and nothing counts the table. The keys
    must not be null (a NULL compares to nothing)."""
    size = size or PAGE_SIZE
    if cursor:
        qs = qs.filter(_after(keys, _decode(cursor, len(keys))))
    rows = list(qs.order_by(*keys)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = _encode([_value(rows[-1], k) for k in keys]) if more and rows else None
    return KeysetPage(rows, nxt)


def next_url(base: str, cursor: str | None, **params: str) -> str:
    """The desk's own URL for the next page (absolute, so it also works from a page rendered
    in answer to a POST on another URL)."""
    if not cursor:
        return ""
    return f"{base}?{urlencode({**params, 'cursor': cursor})}"


def capped_count(qs: QuerySet[Any]) -> str:
    """ "7", or "99+" once past the cap: counting stops at the cap (LIMIT in a subquery), so a
    tab label never scans a whole table."""
    n = qs.order_by()[: COUNT_CAP + 1].count()
    return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)


# --- one action on one row -------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one action on one order, for the row (or the batch report)."""

    number: str
    ok: bool
    message: str
    status: int = 200


def perform(*, user: User, order: WorkOrder, action: str, data: QueryDict) -> Outcome:
    """Parse the row's fields with the detail page's ActionForm and make the move through the
    service. Nothing is written unless the service succeeds."""
    form = ActionForm(data, order=order, action=action, prefix=None)
    if not form.is_valid():
        problems = [
            gettext("{label}：{message}").format(label=form.fields[name].label, message=message)
            if name in form.fields and str(form.fields[name].label) not in message
            else str(message)
            for name, messages in form.errors.items()
            for message in messages
        ]
        return Outcome(order.number, False, " ".join(problems), 400)
    try:
        event = services.workorder_transition(
            order=order,
            action=action,
            actor=user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["expected_version"],
            **form.params(),
        )
    except ConcurrentUpdate as e:
        return Outcome(order.number, False, conflict_message(e), e.http_status)
    except WorkOrderError as e:
        return Outcome(order.number, False, e.message, e.http_status)
    done = gettext("已{label}：工单 {number}").format(label=form.label, number=order.number)
    if action in UNIT_MOVES and event.unit is not None:
        done = gettext("{done}（{unit}）").format(done=done, unit=event.unit.name)
    return Outcome(order.number, True, done)


def conflict_message(e: ConcurrentUpdate) -> str:
    return gettext("已被他人处理（{detail}）").format(detail=e.message)


@dataclass
class Row:
    """One row of a desk's queue; `error` shows beside it, `done` replaces it after a move."""

    order: WorkOrder
    error: str = ""
    done: str = ""
    failed: bool = False


def attach_errors(rows: list[Any], errors: dict[str, str] | None) -> str:
    """Put each order's error beside its row; the errors of orders no longer on the page (they
    left the queue) come back as one line for the banner."""
    errors = dict(errors or {})
    for row in rows:
        row.error = errors.pop(row.order.number, "")
    return " ".join(
        gettext("工单 {number}：{message}").format(number=n, message=m)
        for n, m in errors.items()
        if n
    )


def respond(
    request: DeskRequest,
    outcome: Outcome,
    *,
    order: WorkOrder,
    fresh_row: Callable[[], Row | None],
    template: str,
    page: Callable[[dict[str, str], int], HttpResponse],
    back: str,
    counts: Callable[[], dict[str, str]] | None = None,
) -> HttpResponse:
    """The answer to one row's action. To htmx: the row itself — a confirmation, or the row
    re-read (someone may have moved the order) with the reason beside it, or a notice that the
    order has left the queue. Without JavaScript: back to the desk, or the desk with the error."""
    if getattr(request, "htmx", False):
        if outcome.ok:
            row: Row = Row(order, done=outcome.message)
        else:
            current = fresh_row()
            if current is None:
                row = Row(order, done=outcome.message, failed=True)
            else:
                row = current
                row.error = outcome.message
        html = render_to_string(template, {"row": row}, request)
        if counts is not None:
            # The desk's count badges change with the row: swapped out of band, each wrapped
            # in <template> because a bare <span> cannot follow a <tr> in the parsed answer.
            html += format_html_join(
                "",
                '<template><span id="{}" class="count" hx-swap-oob="true">{}</span></template>',
                counts().items(),
            )
        return HttpResponse(html, status=outcome.status)
    if outcome.ok:
        messages.success(request, outcome.message)
        return redirect(back)
    return page({outcome.number: outcome.message}, outcome.status)
